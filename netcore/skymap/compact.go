package skymap

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// The compact form of a map (Map.Compact, ReadCompact) is what the archive keeps of it, so that
// drawing, observability and the API never decode FITS again: the
// multi-order columns, little-endian, after a 32-byte header.
//
//	offset  size  field
//	0       4     magic "HPXC"
//	4       1     version (1)
//	5       1     flags: 1 per-pixel distance columns, 2 DISTMEAN and DISTSTD
//	6       1     the source file's ordering: 0 NUNIQ, 1 NESTED, 2 RING
//	7       1     0
//	8       4     number of pixels n (uint32)
//	12      4     0
//	16      8     DISTMEAN (float64, Mpc; 0 without flag 2)
//	24      8     DISTSTD (float64)
//	32      8n    UNIQ (int64), in sky order (NESTED at the deepest order)
//	…       8n    PROBDENSITY (float64, per steradian)
//	…       8n×3  DISTMU, DISTSIGMA, DISTNORM (float64), with flag 1 only
//
// Flat maps are stored in the same NUNIQ form (uniq = 4·4^order + nested
// index; density = probability / pixel area).
const (
	compactMagic      = "HPXC"
	compactVersion    = 1
	compactHeaderSize = 32
	flagPixelDistance = 1
	flagDistance      = 2
	// maxCompactPixels bounds the pixels a compact map may claim: a flat
	// map at nside 4096 (order 12) has 201,326,592.
	maxCompactPixels = 12 << (2 * 12)
)

// ErrCompact is wrapped by errors about bytes that are not a compact map.
var ErrCompact = errors.New("not a compact sky map")

// orderings are the Ordering values by their code in the compact form.
var orderings = [...]string{"NUNIQ", "NESTED", "RING"}

// Uniq is the pixel's NUNIQ index: 4·4^Order + Index.
func (p Pixel) Uniq() int64 { return 4<<(2*p.Order) + p.Index }

// CompactSize is the length of m's compact form.
func (m *Map) CompactSize() int {
	cols := 2
	if m.HasPixelDistance {
		cols = 5
	}
	return compactHeaderSize + 8*cols*len(m.Pixels)
}

// Compact encodes m in its compact form (see the layout above):
// the pixels in their sky order, with their distance columns when m has them.
func (m *Map) Compact() []byte {
	out := make([]byte, m.CompactSize())
	copy(out, compactMagic)
	out[4] = compactVersion
	if m.HasPixelDistance {
		out[5] |= flagPixelDistance
	}
	if m.HasDistance {
		out[5] |= flagDistance
		binary.LittleEndian.PutUint64(out[16:], math.Float64bits(m.DistMean))
		binary.LittleEndian.PutUint64(out[24:], math.Float64bits(m.DistStd))
	}
	for i, o := range orderings {
		if o == m.Ordering {
			out[6] = byte(i)
		}
	}
	n := len(m.Pixels)
	binary.LittleEndian.PutUint32(out[8:], uint32(n))
	col := func(k int) []byte { return out[compactHeaderSize+8*n*k : compactHeaderSize+8*n*(k+1)] }
	uniq, dens := col(0), col(1)
	for i, p := range m.Pixels {
		binary.LittleEndian.PutUint64(uniq[8*i:], uint64(p.Uniq()))
		binary.LittleEndian.PutUint64(dens[8*i:], math.Float64bits(p.Density))
	}
	if m.HasPixelDistance {
		mu, sigma, norm := col(2), col(3), col(4)
		for i, p := range m.Pixels {
			binary.LittleEndian.PutUint64(mu[8*i:], math.Float64bits(p.DistMu))
			binary.LittleEndian.PutUint64(sigma[8*i:], math.Float64bits(p.DistSigma))
			binary.LittleEndian.PutUint64(norm[8*i:], math.Float64bits(p.DistNorm))
		}
	}
	return out
}

// ReadCompact decodes a map's compact form (Map.Compact). Every field is
// checked: the header, the length, each UNIQ (a valid index, in sky order)
// and each density (finite, not negative); bad bytes give an error that
// wraps ErrCompact, never a panic.
func ReadCompact(b []byte) (*Map, error) {
	if len(b) < compactHeaderSize || string(b[:4]) != compactMagic {
		return nil, fmt.Errorf("%w: no HPXC header", ErrCompact)
	}
	if b[4] != compactVersion {
		return nil, fmt.Errorf("%w: version %d, this Starling reads %d", ErrCompact, b[4], compactVersion)
	}
	flags := b[5]
	if flags&^(flagPixelDistance|flagDistance) != 0 || b[7] != 0 || binary.LittleEndian.Uint32(b[12:]) != 0 ||
		(flags&flagDistance == 0 && (binary.LittleEndian.Uint64(b[16:]) != 0 || binary.LittleEndian.Uint64(b[24:]) != 0)) {
		return nil, fmt.Errorf("%w: unknown flags or reserved bytes set", ErrCompact)
	}
	if int(b[6]) >= len(orderings) {
		return nil, fmt.Errorf("%w: ordering code %d", ErrCompact, b[6])
	}
	n := int(binary.LittleEndian.Uint32(b[8:]))
	if n == 0 || n > maxCompactPixels {
		return nil, fmt.Errorf("%w: %d pixels", ErrCompact, n)
	}
	cols := 2
	if flags&flagPixelDistance != 0 {
		cols = 5
	}
	if need := compactHeaderSize + 8*int64(cols)*int64(n); int64(len(b)) != need {
		return nil, fmt.Errorf("%w: %d bytes, but %d pixels of %d columns need %d", ErrCompact, len(b), n, cols, need)
	}
	m := &Map{Ordering: orderings[b[6]], HasPixelDistance: cols == 5, Pixels: make([]Pixel, n)}
	if flags&flagDistance != 0 {
		m.HasDistance = true
		m.DistMean = math.Float64frombits(binary.LittleEndian.Uint64(b[16:]))
		m.DistStd = math.Float64frombits(binary.LittleEndian.Uint64(b[24:]))
	}
	col := func(k int) []byte { return b[compactHeaderSize+8*n*k : compactHeaderSize+8*n*(k+1)] }
	uniq, dens := col(0), col(1)
	for i := range m.Pixels {
		order, ipix, err := decodeUniq(int64(binary.LittleEndian.Uint64(uniq[8*i:])))
		if err != nil {
			return nil, fmt.Errorf("%w: pixel %d: %v", ErrCompact, i+1, err)
		}
		d := math.Float64frombits(binary.LittleEndian.Uint64(dens[8*i:]))
		if err := checkDensity(d, i); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrCompact, err)
		}
		p := Pixel{Order: order, Index: ipix, Density: d}
		p.Prob = d * p.Area()
		if i > 0 && rangeStart(p) < rangeStart(m.Pixels[i-1]) {
			return nil, fmt.Errorf("%w: pixel %d is out of sky order", ErrCompact, i+1)
		}
		m.Pixels[i] = p
	}
	if m.HasPixelDistance {
		mu, sigma, norm := col(2), col(3), col(4)
		for i := range m.Pixels {
			p := &m.Pixels[i]
			p.DistMu = math.Float64frombits(binary.LittleEndian.Uint64(mu[8*i:]))
			p.DistSigma = math.Float64frombits(binary.LittleEndian.Uint64(sigma[8*i:]))
			p.DistNorm = math.Float64frombits(binary.LittleEndian.Uint64(norm[8*i:]))
		}
	}
	m.check()
	return m, nil
}
