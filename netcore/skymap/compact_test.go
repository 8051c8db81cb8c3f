package skymap

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"strings"
	"testing"
)

// previousSummaries are the summaries that the code before the compact
// form (main at 40b9102: pdqsort by sky, stable sort by density) gave for
// the real sample maps, to full precision: (RA, Dec, area50, area90,
// distmean, diststd, npix, max order, total probability).
var previousSummaries = []struct {
	name                                 string
	ra, dec, area50, area90, dmean, dstd float64
	npix, maxOrder                       int
	total                                float64
}{
	{"lvk-userguide/bayestar.multiorder.fits", 194.30419921874997, -17.856895095545454, 8.9011025263603, 30.98829505677831, 39.76999609489013, 8.308435058808886, 19200, 11, 1.0000000000000109},
	{"mocpy/bayestar.multiorder.fits", 318.33984375, 4.574345562095701, 10.166599975780038, 53.0853230596025, 908.4386811451134, 202.2234141038336, 19200, 11, 1.0000000000000122},
	{"gwcelery/MS220722v_bayestar.multiorder.fits", 98.349609375, -27.44761922420747, 257.76806078545377, 1261.877995574812, 125.9587664681809, 43.93855161710408, 19200, 9, 0.9999999999999989},
	{"gwcelery/fermi_skymap.fits.gz", 224.99999999999997, -72.38756092964962, 376.00355305460266, 1396.584625631381, 0, 0, 768, 3, 1},
	{"lvk-gocart/S230528ay-preliminary.json", 358.9453125, -31.957959806119604, 29.637556846519217, 96.6761367577555, 0, 0, 16896, 10, 0.9999999999999998},
}

// orZero is *p, or 0 for a map without distance (nil).
func orZero(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}

// checkSummary compares m's summary with a previous one, to a relative
// tolerance tol (0: exactly).
func checkSummary(t *testing.T, what string, m *Map, i int, tol float64) {
	t.Helper()
	want := previousSummaries[i]
	s := m.Summary()
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"ra", s.RA, want.ra}, {"dec", s.Dec, want.dec}, {"area50", s.Area50, want.area50}, {"area90", s.Area90, want.area90},
		{"distmean", orZero(s.DistMean), want.dmean}, {"diststd", orZero(s.DistStd), want.dstd}, {"total", m.Total, want.total},
	} {
		if math.Abs(c.got-c.want) > tol*math.Abs(c.want) {
			t.Errorf("%s %s: %s = %v, want %v", want.name, what, c.name, c.got, c.want)
		}
	}
	if s.NPix != want.npix || s.MaxOrder != want.maxOrder {
		t.Errorf("%s %s: npix %d max order %d, want %d %d", want.name, what, s.NPix, s.MaxOrder, want.npix, want.maxOrder)
	}
}

// TestSummaryUnchanged checks that the faster sorts (UNIQ runs merged,
// densities radix-sorted) give exactly what the previous code gave, and
// the compact form the same to within rounding (a flat map's probability
// is stored as a density).
func TestSummaryUnchanged(t *testing.T) {
	for i, want := range previousSummaries {
		m := loadSample(t, want.name)
		checkSummary(t, "from FITS", m, i, 0)
		c, err := ReadCompact(m.Compact())
		if err != nil {
			t.Fatalf("%s: %v", want.name, err)
		}
		checkSummary(t, "from the compact form", c, i, 1e-12)
	}
}

// TestCompactMatchesFITSColumns checks, for real maps, that every pixel of
// the compact form holds exactly the UNIQ, PROBDENSITY, DISTMU, DISTSIGMA
// and DISTNORM of its row in the FITS table, read column by column here.
func TestCompactMatchesFITSColumns(t *testing.T) {
	for _, name := range []string{"lvk-userguide/bayestar.multiorder.fits", "mocpy/bayestar.multiorder.fits", "gwcelery/MS220722v_bayestar.multiorder.fits", "lvk-gocart/S230528ay-preliminary.json"} {
		m := loadSample(t, name)
		c, err := ReadCompact(m.Compact())
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		fits := readSampleFile(t, name)
		tab, err := ReadTable(fits)
		if err != nil {
			t.Fatal(err)
		}
		cols := map[string][]float64{}
		for _, n := range []string{"PROBDENSITY", "DISTMU", "DISTSIGMA", "DISTNORM"} {
			if col := tab.Column(n); col != nil {
				cols[n], _ = tab.Floats(col)
			}
		}
		uniq, _ := tab.Ints(tab.Column("UNIQ"))
		row := make(map[int64]int, len(uniq))
		for i, u := range uniq {
			row[u] = i
		}
		withDist := cols["DISTMU"] != nil
		if c.HasPixelDistance != withDist || len(c.Pixels) != len(uniq) || c.Ordering != "NUNIQ" {
			t.Fatalf("%s: distance %v (file %v), %d pixels (file %d), %s", name, c.HasPixelDistance, withDist, len(c.Pixels), len(uniq), c.Ordering)
		}
		for _, p := range c.Pixels {
			i, ok := row[p.Uniq()]
			if !ok {
				t.Fatalf("%s: UNIQ %d is not in the file", name, p.Uniq())
			}
			same := func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }
			if !same(p.Density, cols["PROBDENSITY"][i]) || !same(p.Prob, p.Density*p.Area()) {
				t.Fatalf("%s: UNIQ %d density %v, file %v", name, p.Uniq(), p.Density, cols["PROBDENSITY"][i])
			}
			if withDist && (!same(p.DistMu, cols["DISTMU"][i]) || !same(p.DistSigma, cols["DISTSIGMA"][i]) || !same(p.DistNorm, cols["DISTNORM"][i])) {
				t.Fatalf("%s: UNIQ %d distance %v %v %v, file %v %v %v", name, p.Uniq(), p.DistMu, p.DistSigma, p.DistNorm,
					cols["DISTMU"][i], cols["DISTSIGMA"][i], cols["DISTNORM"][i])
			}
		}
		if c.HasDistance != m.HasDistance || c.DistMean != m.DistMean || c.DistStd != m.DistStd || c.MinOrder != m.MinOrder || c.Warning != m.Warning {
			t.Errorf("%s: header fields differ: %+v", name, c)
		}
		if len(m.Compact()) != m.CompactSize() || !bytes.Equal(c.Compact(), m.Compact()) {
			t.Errorf("%s: the compact form does not re-encode to itself", name)
		}
	}
}

// TestCompactFlatMap checks that a flat RING map is kept in NUNIQ form: the
// same pixels, nested, with the probability as a density.
func TestCompactFlatMap(t *testing.T) {
	m := loadSample(t, "gwcelery/fermi_skymap.fits.gz")
	c, err := ReadCompact(m.Compact())
	if err != nil {
		t.Fatal(err)
	}
	if c.Ordering != "RING" || c.HasPixelDistance || len(c.Pixels) != 768 {
		t.Fatalf("ordering %s, distance %v, %d pixels", c.Ordering, c.HasPixelDistance, len(c.Pixels))
	}
	for i, p := range c.Pixels {
		q := m.Pixels[i]
		if p.Order != 3 || p.Index != q.Index || p.Density != q.Density || math.Abs(p.Prob-q.Prob) > 1e-15 {
			t.Fatalf("pixel %d: %+v, from FITS %+v", i, p, q)
		}
	}
}

// TestReadCompactRefuses checks the decoder's errors on damaged forms.
func TestReadCompactRefuses(t *testing.T) {
	good := loadSample(t, "lvk-userguide/bayestar.multiorder.fits").Compact()
	edit := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(good)) }
	for name, b := range map[string][]byte{
		"empty":        nil,
		"FITS":         readSampleFile(t, "lvk-userguide/bayestar.multiorder.fits"),
		"cut":          good[:len(good)-1],
		"version 2":    edit(func(b []byte) []byte { b[4] = 2; return b }),
		"unknown flag": edit(func(b []byte) []byte { b[5] |= 8; return b }),
		"ordering 3":   edit(func(b []byte) []byte { b[6] = 3; return b }),
		"no pixels":    good[:compactHeaderSize],
		"UNIQ 3":       edit(func(b []byte) []byte { binary.LittleEndian.PutUint64(b[compactHeaderSize:], 3); return b }),
		"out of order": edit(func(b []byte) []byte {
			copy(b[compactHeaderSize:], b[compactHeaderSize+8*19199:compactHeaderSize+8*19200])
			return b
		}),
		"NaN density": edit(func(b []byte) []byte {
			binary.LittleEndian.PutUint64(b[compactHeaderSize+8*19200:], math.Float64bits(math.NaN()))
			return b
		}),
		"too many pixels": edit(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[8:], 1<<31); return b }),
		"junk distance":   edit(func(b []byte) []byte { b[5] &^= flagDistance; return b }),
	} {
		if _, err := ReadCompact(b); !errors.Is(err, ErrCompact) {
			t.Errorf("%s: %v, want an ErrCompact", name, err)
		}
	}
}

// readSampleFile is a sample's FITS bytes: the file, or the map an alert embeds.
func readSampleFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(notices + name)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(name, ".json") {
		if b, err = FromAlertJSON(b); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

// FuzzReadCompact feeds the compact-form decoder mutations of real maps'
// compact forms: it must never panic, and what it accepts must be a map
// (pixels in sky order, densities finite and not negative) that encodes
// back to exactly the bytes read.
func FuzzReadCompact(f *testing.F) {
	m, err := Read(smallSample(f, "lvk-userguide/bayestar.multiorder.fits", 24))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(m.Compact())
	m.HasPixelDistance, m.HasDistance, m.DistMean, m.DistStd = false, false, 0, 0
	f.Add(m.Compact())
	f.Add(loadSample(f, "gwcelery/fermi_skymap.fits.gz").Compact())
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ReadCompact(b)
		if err != nil {
			if !errors.Is(err, ErrCompact) {
				t.Fatalf("error %v does not wrap ErrCompact", err)
			}
			return
		}
		for i, p := range m.Pixels {
			if math.IsNaN(p.Density) || math.IsInf(p.Density, 0) || p.Density < 0 || (i > 0 && rangeStart(p) < rangeStart(m.Pixels[i-1])) {
				t.Fatalf("pixel %d: %+v", i, p)
			}
		}
		if !bytes.Equal(m.Compact(), b) {
			t.Fatal("an accepted form does not encode back to itself")
		}
		m.Summary()
	})
}
