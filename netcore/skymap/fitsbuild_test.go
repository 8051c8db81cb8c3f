package skymap

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
)

// card formats one 80-character header card.
func card(key string, value any) string {
	var v string
	switch x := value.(type) {
	case string:
		v = fmt.Sprintf("%-20s", "'"+strings.ReplaceAll(x, "'", "''")+"'")
	case bool:
		v = fmt.Sprintf("%20s", map[bool]string{true: "T", false: "F"}[x])
	default:
		v = fmt.Sprintf("%20v", x)
	}
	return fmt.Sprintf("%-80s", fmt.Sprintf("%-8s= %s", key, v))
}

// header joins cards, adds END and pads to whole blocks.
func header(cards ...string) []byte {
	s := strings.Join(cards, "") + fmt.Sprintf("%-80s", "END")
	for len(s)%blockSize != 0 {
		s += " "
	}
	return []byte(s)
}

func padData(b []byte) []byte {
	for len(b)%blockSize != 0 {
		b = append(b, 0)
	}
	return b
}

// buildFITS makes a FITS file: an empty primary HDU, then a BINTABLE with
// the given rows, columns (name and TFORM) and extra header cards.
func buildFITS(rowBytes, rows int, cols [][2]string, extra []string, data []byte) []byte {
	primary := header(card("SIMPLE", true), card("BITPIX", 8), card("NAXIS", 0), card("EXTEND", true))
	cards := []string{card("XTENSION", "BINTABLE"), card("BITPIX", 8), card("NAXIS", 2),
		card("NAXIS1", rowBytes), card("NAXIS2", rows), card("PCOUNT", 0), card("GCOUNT", 1),
		card("TFIELDS", len(cols))}
	for i, c := range cols {
		cards = append(cards, card(fmt.Sprintf("TTYPE%d", i+1), c[0]), card(fmt.Sprintf("TFORM%d", i+1), c[1]))
	}
	cards = append(cards, extra...)
	out := append(primary, header(cards...)...)
	return append(out, padData(data)...)
}

// flatNested1024E is a flat NESTED nside-16 map stored as three rows of
// 1024E: all probability in NESTED pixel hot but for a uniform floor.
func flatNested1024E(hot int) []byte {
	const npix = 12 * 16 * 16
	var data []byte
	for i := 0; i < npix; i++ {
		p := float32(0.5 / npix)
		if i == hot {
			p += 0.5
		}
		data = binary.BigEndian.AppendUint32(data, math.Float32bits(p))
	}
	return buildFITS(4096, 3, [][2]string{{"PROB", "1024E"}},
		[]string{card("PIXTYPE", "HEALPIX"), card("ORDERING", "NESTED"), card("NSIDE", 16)}, data)
}

// tinyMultiOrder is a multi-order map of the 12 base pixels (UNIQ as J,
// PROBDENSITY as E) with pixel 5 split into its four children; uniform density.
func tinyMultiOrder() []byte {
	var data []byte
	add := func(uniq int32, dens float32) {
		data = binary.BigEndian.AppendUint32(data, uint32(uniq))
		data = binary.BigEndian.AppendUint32(data, math.Float32bits(dens))
	}
	d := float32(1 / (4 * math.Pi))
	for i := int32(0); i < 12; i++ {
		if i == 5 {
			for k := int32(0); k < 4; k++ {
				add(16+4*5+k, d)
			}
			continue
		}
		add(4+i, d)
	}
	return buildFITS(8, 15, [][2]string{{"UNIQ", "J"}, {"PROBDENSITY", "E"}},
		[]string{card("ORDERING", "NUNIQ"), card("DISTMEAN", 100.5), card("DISTSTD", 20.0)}, data)
}

func TestFlatMapWithRepeatCounts(t *testing.T) {
	const hot = 1234
	m, err := Read(flatNested1024E(hot))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Pixels) != 3072 || m.MaxOrder != 4 || m.MinOrder != 4 || m.Warning != "" {
		t.Fatalf("npix %d, orders %d–%d, warning %q", len(m.Pixels), m.MinOrder, m.MaxOrder, m.Warning)
	}
	ra, dec := m.MostProbable()
	wra, wdec := AngToRADec(NestToAng(16, hot))
	if ra != wra || dec != wdec {
		t.Errorf("most probable (%v, %v), want pixel %d's centre (%v, %v)", ra, dec, hot, wra, wdec)
	}
	// Half the probability in one pixel: the 50 % area is that pixel.
	if a := m.CredibleAreas(0.5)[0]; math.Abs(a-PixelArea(16)*sqDeg) > 1e-9 {
		t.Errorf("area50 = %v, want one pixel (%v)", a, PixelArea(16)*sqDeg)
	}
}

func TestTinyMultiOrderMap(t *testing.T) {
	m, err := Read(tinyMultiOrder())
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Pixels) != 15 || m.MinOrder != 0 || m.MaxOrder != 1 || !m.HasDistance || m.DistMean != 100.5 || m.DistStd != 20 {
		t.Fatalf("%+v", m)
	}
	if math.Abs(m.Total-1) > 1e-6 || m.Warning != "" {
		t.Errorf("total %v, warning %q", m.Total, m.Warning)
	}
	// A uniform map: the probability in a circle is its solid angle over 4π,
	// for circles smaller than a pixel too.
	for _, r := range []float64{0.01, 0.5, 5, 40, 120} {
		want := (1 - math.Cos(r*math.Pi/180)) / 2
		if got := m.ProbInCircle(10, 20, r); math.Abs(got-want) > 0.01*want {
			t.Errorf("radius %v°: %v, want %v", r, got, want)
		}
	}
	// Every direction lands in a pixel.
	for ra := 0.0; ra < 360; ra += 7 {
		for dec := -89.0; dec < 90; dec += 7 {
			if m.Lookup(ra, dec) < 0 {
				t.Fatalf("(%v, %v) in no pixel", ra, dec)
			}
		}
	}
}

// sample returns a real multi-order file and the offset of its table data.
func sample(t *testing.T) ([]byte, int) {
	t.Helper()
	b, err := os.ReadFile(notices + "lvk-userguide/bayestar.multiorder.fits")
	if err != nil {
		t.Fatal(err)
	}
	_, n0, err := ParseHeader(b)
	if err != nil {
		t.Fatal(err)
	}
	_, n1, err := ParseHeader(b[n0:])
	if err != nil {
		t.Fatal(err)
	}
	return b, n0 + n1
}

// replaceCard swaps one header card's value text in a copy of b.
func replaceCard(t *testing.T, b []byte, old, new string) []byte {
	t.Helper()
	if len(old) != len(new) || !bytes.Contains(b, []byte(old)) {
		t.Fatalf("cannot replace %q by %q", old, new)
	}
	return bytes.Replace(bytes.Clone(b), []byte(old), []byte(new), 1)
}
