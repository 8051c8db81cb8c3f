package skymap

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"slices"
	"strings"
)

// maxGunzipped bounds a gzipped sky map's decompressed size: a flat map at
// nside 2048 with four double columns is 1.6 GB, far beyond what alerts carry;
// 512 MiB leaves room for nside 1024 maps and stops gzip bombs.
const maxGunzipped = 512 << 20

// Pixel is one HEALPix pixel of a map, NESTED at its own order.
type Pixel struct {
	// Order is the HEALPix order (nside = 2^Order).
	Order int
	// Index is the NESTED pixel index at Order.
	Index int64
	// Density is the probability per steradian.
	Density float64
	// Prob is the probability in the pixel: Density × pixel area.
	Prob float64
	// DistMu, DistSigma and DistNorm are the pixel's distance ansatz
	// (location and scale in Mpc, normalisation in Mpc⁻²: DISTMU,
	// DISTSIGMA, DISTNORM); zero when the map has no distance columns.
	DistMu, DistSigma, DistNorm float64
}

// Area is the pixel's solid angle in steradians.
func (p Pixel) Area() float64 { return PixelArea(int64(1) << p.Order) }

// Centre is the pixel centre's (θ, φ) in radians.
func (p Pixel) Centre() (theta, phi float64) { return NestToAng(int64(1)<<p.Order, p.Index) }

// Map is a HEALPix probability sky map, flat or multi-order, in equatorial coordinates.
type Map struct {
	// Ordering is the file's ORDERING: NUNIQ, NESTED or RING.
	Ordering string
	// Pixels are the map's pixels, sorted by the sky they cover (NESTED
	// order at MaxOrder), not overlapping.
	Pixels []Pixel
	// MinOrder and MaxOrder are the shallowest and deepest orders present.
	MinOrder, MaxOrder int
	// HasDistance is true when the header gives DISTMEAN and DISTSTD.
	HasDistance bool
	// HasPixelDistance is true when every pixel carries DISTMU, DISTSIGMA
	// and DISTNORM (multi-order maps of compact binary coalescences).
	HasPixelDistance bool
	// DistMean and DistStd are the posterior distance mean and standard deviation (Mpc).
	DistMean, DistStd float64
	// Total is the sum of the pixels' probabilities (1 for a well-formed map).
	Total float64
	// Warning says what is odd but not fatal, such as probabilities that do not sum to 1.
	Warning string
}

// ErrNotSkymap is wrapped by errors about files that hold no HEALPix sky map table.
var ErrNotSkymap = errors.New("not a HEALPix sky map")

// Gunzip returns data decompressed if it starts with the gzip magic bytes,
// and data itself otherwise.
func Gunzip(data []byte) ([]byte, error) {
	if len(data) < 2 || data[0] != 0x1f || data[1] != 0x8b {
		return data, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("gzip: %v", err)
	}
	out, err := io.ReadAll(io.LimitReader(zr, maxGunzipped+1))
	if err != nil {
		return nil, fmt.Errorf("gzip data cut short or corrupt: %v", err)
	}
	if len(out) > maxGunzipped {
		return nil, fmt.Errorf("gzip data decompresses to more than %d MiB", maxGunzipped>>20)
	}
	return out, nil
}

// Read parses a sky map from FITS bytes, plain or gzipped.
func Read(data []byte) (*Map, error) {
	plain, err := Gunzip(data)
	if err != nil {
		return nil, err
	}
	t, err := ReadTable(plain)
	if err != nil {
		return nil, err
	}
	m := &Map{}
	m.Ordering, _ = t.Header.String("ORDERING")
	m.Ordering = strings.ToUpper(m.Ordering)
	switch m.Ordering {
	case "NUNIQ":
		err = m.readMultiOrder(t)
	case "NESTED", "RING":
		err = m.readFlat(t)
	case "":
		return nil, fmt.Errorf("%w: the table's header has no ORDERING (NUNIQ, NESTED or RING)", ErrNotSkymap)
	default:
		return nil, fmt.Errorf("%w: ORDERING %q is not NUNIQ, NESTED or RING", ErrNotSkymap, m.Ordering)
	}
	if err != nil {
		return nil, err
	}
	if len(m.Pixels) == 0 {
		return nil, fmt.Errorf("%w: the table has no pixels", ErrNotSkymap)
	}
	m.finish(t.Header)
	return m, nil
}

// column finds a numeric column or says which is missing.
func column(t *Table, name string, types string) (*Column, error) {
	c := t.Column(name)
	if c == nil {
		return nil, fmt.Errorf("%w: no %s column", ErrNotSkymap, name)
	}
	if !strings.ContainsRune(types, rune(c.Type)) {
		return nil, fmt.Errorf("column %s has type %c, want one of %s", name, c.Type, types)
	}
	return c, nil
}

func (m *Map) readMultiOrder(t *Table) error {
	uc, err := column(t, "UNIQ", "KJ")
	if err != nil {
		return err
	}
	dc, err := column(t, "PROBDENSITY", "DEKJ")
	if err != nil {
		return err
	}
	if uc.Repeat != 1 || dc.Repeat != 1 {
		return fmt.Errorf("UNIQ and PROBDENSITY must hold one value a row (TFORM repeat 1)")
	}
	uniq, _ := t.Ints(uc)
	dens, _ := t.Floats(dc)
	dist, err := distanceColumns(t)
	if err != nil {
		return err
	}
	m.HasPixelDistance = dist != nil
	m.Pixels = make([]Pixel, len(uniq))
	for i, u := range uniq {
		order, ipix, err := decodeUniq(u)
		if err != nil {
			return fmt.Errorf("row %d: %v", i+1, err)
		}
		if err := checkDensity(dens[i], i); err != nil {
			return err
		}
		p := Pixel{Order: order, Index: ipix, Density: dens[i]}
		p.Prob = p.Density * p.Area()
		if dist != nil {
			p.DistMu, p.DistSigma, p.DistNorm = dist[0][i], dist[1][i], dist[2][i]
		}
		m.Pixels[i] = p
	}
	return nil
}

// distanceColumns reads DISTMU, DISTSIGMA and DISTNORM, one value a row;
// nil when the table lacks any of them.
func distanceColumns(t *Table) (*[3][]float64, error) {
	var out [3][]float64
	for k, name := range []string{"DISTMU", "DISTSIGMA", "DISTNORM"} {
		c := t.Column(name)
		if c == nil {
			return nil, nil
		}
		if !isNumeric(c.Type) || c.Repeat != 1 {
			return nil, fmt.Errorf("column %s must hold one number a row (TFORM D, E, K or J)", name)
		}
		out[k], _ = t.Floats(c)
	}
	return &out, nil
}

// decodeUniq splits a NUNIQ index into order and NESTED index.
func decodeUniq(u int64) (int, int64, error) {
	if u < 4 {
		return 0, 0, fmt.Errorf("UNIQ %d is not a NUNIQ index (below 4)", u)
	}
	order := (63 - bits.LeadingZeros64(uint64(u>>2))) / 2 // ⌊log2(u/4)/2⌋
	if order > MaxOrder {
		return 0, 0, fmt.Errorf("UNIQ %d has order %d, beyond %d", u, order, MaxOrder)
	}
	return order, u - 4*(int64(1)<<(2*order)), nil
}

func checkDensity(d float64, row int) error {
	if math.IsNaN(d) || math.IsInf(d, 0) {
		return fmt.Errorf("row %d: probability %v is not a finite number", row+1, d)
	}
	if d < 0 {
		return fmt.Errorf("row %d: probability %g is negative", row+1, d)
	}
	return nil
}

func (m *Map) readFlat(t *Table) error {
	nside, ok := t.Header.Int("NSIDE")
	if !ok {
		return fmt.Errorf("flat %s map has no NSIDE", m.Ordering)
	}
	order := 0
	for order <= MaxOrder && int64(1)<<order != nside {
		order++
	}
	if order > MaxOrder {
		return fmt.Errorf("NSIDE %d is not a power of two up to 2^%d", nside, MaxOrder)
	}
	pc := t.Column("PROB")
	if pc == nil && len(t.Columns) > 0 {
		pc = &t.Columns[0] // healpy writes the first column as the map, whatever its name
	}
	if pc == nil {
		return fmt.Errorf("%w: no PROB column", ErrNotSkymap)
	}
	npix := 12 * nside * nside
	if int64(t.Len(pc)) != npix {
		return fmt.Errorf("column %s has %d values, but NSIDE %d needs %d", pc.Name, t.Len(pc), nside, npix)
	}
	prob, err := t.Floats(pc)
	if err != nil {
		return err
	}
	area := PixelArea(nside)
	m.Pixels = make([]Pixel, npix)
	for i, p := range prob {
		if err := checkDensity(p, i); err != nil {
			return err
		}
		ipix := int64(i)
		if m.Ordering == "RING" {
			ipix = RingToNest(nside, ipix)
		}
		m.Pixels[i] = Pixel{Order: order, Index: ipix, Density: p / area, Prob: p}
	}
	return nil
}

// rangeStart is where a pixel starts in NESTED order at the deepest order.
func rangeStart(p Pixel) int64 { return p.Index << (2 * (MaxOrder - p.Order)) }

// bySky orders pixels by the sky they cover.
func bySky(a, b Pixel) int {
	x, y := rangeStart(a), rangeStart(b)
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// maxMergeRuns is the most ascending runs sortBySky merges; more, and it
// sorts them afresh.
const maxMergeRuns = 64

// sortBySky puts pixels in sky order. A multi-order file lists its
// pixels by UNIQ, which is an ascending run for each order: those runs are
// merged (a few passes over the pixels, stable), far faster than sorting.
func sortBySky(px []Pixel) {
	bounds := []int{0}
	for i := 1; i < len(px); i++ {
		if rangeStart(px[i]) < rangeStart(px[i-1]) {
			if bounds = append(bounds, i); len(bounds) > maxMergeRuns {
				slices.SortStableFunc(px, bySky)
				return
			}
		}
	}
	if len(bounds) == 1 {
		return
	}
	bounds = append(bounds, len(px))
	src, dst := px, make([]Pixel, len(px))
	for len(bounds) > 2 {
		next := []int{0}
		for k := 0; k+1 < len(bounds); k += 2 {
			if k+2 >= len(bounds) { // an odd run out: copied as it is
				copy(dst[bounds[k]:], src[bounds[k]:bounds[k+1]])
				next = append(next, bounds[k+1])
				continue
			}
			mergeRuns(dst[bounds[k]:bounds[k+2]], src[bounds[k]:bounds[k+1]], src[bounds[k+1]:bounds[k+2]])
			next = append(next, bounds[k+2])
		}
		bounds = next
		src, dst = dst, src
	}
	if &src[0] != &px[0] {
		copy(px, src)
	}
}

// mergeRuns merges two runs in sky order into dst, the first run's pixel
// first on a tie.
func mergeRuns(dst, a, b []Pixel) {
	i, j, k := 0, 0, 0
	for i < len(a) && j < len(b) {
		if rangeStart(b[j]) < rangeStart(a[i]) {
			dst[k] = b[j]
			j++
		} else {
			dst[k] = a[i]
			i++
		}
		k++
	}
	k += copy(dst[k:], a[i:])
	copy(dst[k:], b[j:])
}

// finish sorts the pixels, reads the distance, sums and checks the probability.
func (m *Map) finish(h *Header) {
	sortBySky(m.Pixels)
	m.HasDistance, m.DistMean, m.DistStd = false, 0, 0
	mean, ok1 := h.Float("DISTMEAN")
	std, ok2 := h.Float("DISTSTD")
	if ok1 && ok2 && !math.IsNaN(mean) && !math.IsInf(mean, 0) && !math.IsNaN(std) && !math.IsInf(std, 0) {
		m.HasDistance, m.DistMean, m.DistStd = true, mean, std
	}
	m.check()
}

// check finds the orders present, sums the probability and says what is
// odd, for pixels already in sky order.
func (m *Map) check() {
	m.MinOrder, m.MaxOrder, m.Total = MaxOrder, 0, 0
	var warn []string
	for i, p := range m.Pixels {
		m.MinOrder = min(m.MinOrder, p.Order)
		m.MaxOrder = max(m.MaxOrder, p.Order)
		m.Total += p.Prob
		if i > 0 {
			q := m.Pixels[i-1]
			if rangeStart(p) < rangeStart(q)+int64(1)<<(2*(MaxOrder-q.Order)) && len(warn) == 0 {
				warn = append(warn, "pixels overlap")
			}
		}
	}
	if math.Abs(m.Total-1) > 0.01 {
		warn = append(warn, fmt.Sprintf("probabilities sum to %.4g, not 1", m.Total))
	}
	m.Warning = strings.Join(warn, "; ")
}
