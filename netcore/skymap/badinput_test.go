package skymap

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"strings"
	"testing"
)

// mustFail checks err is an error whose message has every one of words.
func mustFail(t *testing.T, what string, err error, words ...string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error", what)
		return
	}
	for _, w := range words {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%s: error %q does not say %q", what, err, w)
		}
	}
}

func TestSkymapBadFITS(t *testing.T) {
	b, data := sample(t)
	row := func(bs []byte, r, off int, v uint64) []byte {
		bs = bytes.Clone(bs)
		binary.BigEndian.PutUint64(bs[data+40*r+off:], v)
		return bs
	}
	cases := []struct {
		name  string
		in    []byte
		words []string
	}{
		{"empty", nil, []string{"empty"}},
		{"not FITS", []byte(strings.Repeat("hello world\n", 300)), []string{"not printable ASCII"}},
		{"header cut mid-block", b[:2880+1000], []string{"header cut mid-block"}},
		{"data cut mid-block", b[:data+2880+17], []string{"cut short", "needs 768000 bytes"}},
		{"UNIQ as double", replaceCard(t, b, "TFORM1  = 'K       '", "TFORM1  = 'D       '"), []string{"column UNIQ has type D"}},
		{"PROBDENSITY as text", replaceCard(t, b, "TFORM2  = 'D       '", "TFORM2  = '8A      '"), []string{"column PROBDENSITY has type A"}},
		{"NaN density", row(b, 3, 8, math.Float64bits(math.NaN())), []string{"row 4", "not a finite number"}},
		{"negative density", row(b, 7, 8, math.Float64bits(-2.5)), []string{"row 8", "negative"}},
		{"order 30", row(b, 0, 0, 1<<62), []string{"row 1", "order 30, beyond 29"}},
		{"UNIQ below 4", row(b, 0, 0, 3), []string{"row 1", "not a NUNIQ index"}},
		{"lying NAXIS2", replaceCard(t, b, "NAXIS2  =                19200", "NAXIS2  =          99999999999"), []string{"cut short", "needs 3999999999960 bytes"}},
		{"no ORDERING", replaceCard(t, b, "ORDERING=", "XRDERING="), []string{"no ORDERING"}},
		{"flat map, wrong NSIDE", replaceCard(t, flatNested1024E(0), "NSIDE   =                   16", "NSIDE   =                   32"), []string{"3072 values", "NSIDE 32 needs 12288"}},
		{"flat map, NSIDE not a power of two", replaceCard(t, flatNested1024E(0), "NSIDE   =                   16", "NSIDE   =                   15"), []string{"NSIDE 15 is not a power of two"}},
		{"repeat beyond the row", replaceCard(t, flatNested1024E(0), "TFORM1  = '1024E'", "TFORM1  = '9024E'"), []string{"larger than the row"}},
		{"gzip cut short", gzipCut(t), []string{"gzip"}},
	}
	for _, c := range cases {
		m, err := Read(c.in)
		if m != nil {
			t.Errorf("%s: a map was returned with the error", c.name)
		}
		mustFail(t, c.name, err, c.words...)
	}
}

func gzipCut(t *testing.T) []byte {
	b, err := os.ReadFile(notices + "gwcelery/fermi_skymap.fits.gz")
	if err != nil {
		t.Fatal(err)
	}
	return b[:len(b)/2]
}

func TestSkymapProbabilityNotOneWarns(t *testing.T) {
	b, data := sample(t)
	b = bytes.Clone(b)
	d := math.Float64frombits(binary.BigEndian.Uint64(b[data+8:]))
	binary.BigEndian.PutUint64(b[data+8:], math.Float64bits(d+1000))
	m, err := Read(b)
	if err != nil {
		t.Fatalf("a map whose probabilities do not sum to 1 is an error: %v", err)
	}
	if !strings.Contains(m.Warning, "probabilities sum to") || !strings.Contains(m.Warning, "not 1") {
		t.Errorf("warning %q", m.Warning)
	}
}

func TestSkymapFromAlertJSON(t *testing.T) {
	fits, err := os.ReadFile(notices + "lvk-userguide/bayestar.multiorder.fits")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"lvk-userguide/MS181101ab-preliminary.json", "lvk-userguide/MS181101ab-ext-update.json", "gwcelery/kafka_alert_swift_wskymap.json"} {
		raw, err := os.ReadFile(notices + name)
		if err != nil {
			t.Fatal(err)
		}
		got, err := FromAlertJSON(raw)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		// The MANIFEST says these embed the same bytes as the userguide's file.
		if !bytes.Equal(got, fits) {
			t.Errorf("%s: %d bytes, not the userguide's %d-byte map", name, len(got), len(fits))
		}
	}
	raw, _ := os.ReadFile(notices + "lvk-userguide/MS181101ab-preliminary.json")
	i := bytes.Index(raw, []byte(`"skymap": "`)) + len(`"skymap": "`)
	j := i + bytes.IndexByte(raw[i:], '"')
	cut := append(append(bytes.Clone(raw[:i]), raw[i:i+4*1000+3]...), raw[j:]...)
	cutFITS := append(append(bytes.Clone(raw[:i]), raw[i:i+4*2000]...), raw[j:]...)
	file := func(name string) []byte {
		b, err := os.ReadFile(notices + name)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	cases := []struct {
		name  string
		in    []byte
		words []string
	}{
		{"truncated base64", cut, []string{"event.skymap", "truncated", "not a multiple of 4"}},
		{"display example", file("lvk-userguide/MS181101ab-preliminary_displayexample.json"), []string{"event.skymap", "cut short"}},
		{"placeholder stuff", file("gcn-schema/burstcube.alert.example.json"), []string{"healpix_file"}},
		{"placeholder dots", file("gcn-schema/core.Localization.example.json"), []string{"healpix_file", "cut short"}},
		{"base64 of text", []byte(`{"healpix_file": "` + base64.StdEncoding.EncodeToString([]byte("a placeholder")) + `"}`), []string{"not of a FITS file"}},
		{"retraction", file("lvk-userguide/MS181101ab-retraction.json"), []string{"no sky map"}},
		{"no map", file("gwcelery/kafka_alert_swift_noloc.json"), []string{"no sky map"}},
		{"number", []byte(`{"event": {"skymap": 12}}`), []string{"event.skymap is not a string"}},
		{"not JSON", []byte(`<VOEvent/>`), []string{"not a JSON object"}},
	}
	for _, c := range cases {
		_, err := FromAlertJSON(c.in)
		mustFail(t, c.name, err, c.words...)
	}
	if _, err := FromAlertJSON(file("gwcelery/kafka_alert_swift_noloc.json")); !errors.Is(err, ErrNoSkymap) {
		t.Errorf("no map: %v is not ErrNoSkymap", err)
	}
	// Whole base64 quads of a file cut short: decodes, and Read says the file is cut.
	b, err := FromAlertJSON(cutFITS)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Read(b)
	mustFail(t, "alert with its FITS cut short", err, "cut mid-block")
}
