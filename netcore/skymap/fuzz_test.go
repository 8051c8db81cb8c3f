package skymap

import (
	"bytes"
	"encoding/base64"
	"os"
	"strconv"
	"testing"
)

// smallSample is a real multi-order file cut down to its first rows, with
// NAXIS2 rewritten to match, so that the fuzzers start from real headers
// without spending their time on 19,200 rows.
func smallSample(tb testing.TB, name string, rows int) []byte {
	b, err := os.ReadFile(notices + name)
	if err != nil {
		tb.Fatal(err)
	}
	_, n0, err := ParseHeader(b)
	if err != nil {
		tb.Fatal(err)
	}
	h, n1, err := ParseHeader(b[n0:])
	if err != nil {
		tb.Fatal(err)
	}
	rowBytes, _ := h.Int("NAXIS1")
	old, _ := h.Int("NAXIS2")
	oldCard := []byte("NAXIS2  = " + pad20(old))
	out := bytes.Replace(bytes.Clone(b[:n0+n1]), oldCard, []byte("NAXIS2  = "+pad20(int64(rows))), 1)
	return append(out, padData(bytes.Clone(b[n0+n1:n0+n1+rows*int(rowBytes)]))...)
}

func pad20(n int64) string {
	s := strconv.FormatInt(n, 10)
	for len(s) < 20 {
		s = " " + s
	}
	return s
}

func FuzzParseHeader(f *testing.F) {
	for _, name := range []string{"lvk-userguide/bayestar.multiorder.fits", "mocpy/bayestar.multiorder.fits", "gwcelery/MS220722v_bayestar.multiorder.fits"} {
		b, err := os.ReadFile(notices + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b[:2880])
		f.Add(b[2880 : 4*2880])
	}
	f.Add(header(card("SIMPLE", true), card("X", "it''s"), card("Y", 1.5e3), card("Z", "1.0D2")))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, n, err := ParseHeader(data)
		if err != nil {
			return
		}
		if n%blockSize != 0 || n > len(data) || len(h.Keys) != len(h.Values) {
			t.Fatalf("header of %d bytes, %d keys, %d values", n, len(h.Keys), len(h.Values))
		}
	})
}

func FuzzReadTable(f *testing.F) {
	f.Add(smallSample(f, "lvk-userguide/bayestar.multiorder.fits", 30))
	f.Add(smallSample(f, "gwcelery/MS220722v_bayestar.multiorder.fits", 12))
	f.Add(tinyMultiOrder())
	f.Add(flatNested1024E(7))
	gz, err := os.ReadFile(notices + "gwcelery/fermi_skymap.fits.gz")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(gz)
	f.Fuzz(func(t *testing.T, data []byte) {
		if tb, err := ReadTable(data); err == nil {
			for i := range tb.Columns {
				c := &tb.Columns[i]
				if v, err := tb.Floats(c); err == nil && len(v) != tb.Len(c) {
					t.Fatalf("column %s: %d values, want %d", c.Name, len(v), tb.Len(c))
				}
			}
		}
		m, err := Read(data)
		if err != nil {
			return
		}
		if len(m.Pixels) == 0 {
			t.Fatal("a map without pixels")
		}
		if len(m.Pixels) <= 4096 { // keep each input fast
			m.Summary()
			m.Lookup(10, 10)
		}
	})
}

func FuzzFromAlertJSON(f *testing.F) {
	for _, name := range []string{
		"lvk-userguide/MS181101ab-preliminary_displayexample.json",
		"lvk-userguide/MS181101ab-retraction.json",
		"lvk-gocart/MS230425k-retraction.json",
		"gcn-schema/burstcube.alert.example.json",
		"gcn-schema/core.Localization.example.json",
		"gwcelery/kafka_alert_swift_noloc.json",
	} {
		b, err := os.ReadFile(notices + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	small := base64.StdEncoding.EncodeToString(smallSample(f, "lvk-userguide/bayestar.multiorder.fits", 8))
	f.Add([]byte(`{"superevent_id": "MS1", "event": {"skymap": "` + small + `"}}`))
	f.Add([]byte(`{"healpix_file": "` + small[:len(small)-3] + `"}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		b, err := FromAlertJSON(raw)
		if err != nil {
			return
		}
		if len(b) > len(raw) {
			t.Fatalf("%d bytes decoded from %d", len(b), len(raw))
		}
		if m, err := Read(b); err == nil && len(m.Pixels) <= 4096 {
			m.Summary()
		}
	})
}
