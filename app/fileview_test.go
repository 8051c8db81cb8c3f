package app

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestViewFilesOfRealSamples(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		path, kind string
		withMap    bool
		words      []string
	}{
		{"notices/lvk-userguide/MS181101ab-preliminary.json", "JSON alert", true, []string{"MS181101ab", "Preliminary"}},
		{"notices/lvk-userguide/MS181101ab-retraction.json", "JSON alert", false, []string{"MS181101ab", "Retraction"}},
		{"notices/gcn-schema/swift.bat.guano.loc_arc_min.example.json", "JSON alert", false, []string{"Swift"}},
		{"notices/gwcelery/MS220722v_bayestar.multiorder.fits", "sky map", true, []string{"Sky map MS220722v_bayestar.multiorder.fits"}},
		{"notices/gwcelery/fermi_skymap.fits.gz", "sky map", true, []string{"Sky map fermi_skymap.fits.gz"}},
	} {
		t.Run(filepath.Base(tc.path), func(t *testing.T) {
			if !IsViewFile(tc.path) {
				t.Fatalf("%s is not opened for viewing", tc.path)
			}
			v, err := ReadViewFile(filepath.Join("..", "testdata", tc.path))
			if err != nil {
				t.Fatal(err)
			}
			if v.Kind != tc.kind || (v.Map != nil) != tc.withMap {
				t.Fatalf("kind %q, map %v", v.Kind, v.Map != nil)
			}
			text := v.Row.Trigger + " " + v.Row.AlertType + " " + v.Row.Description
			for _, w := range tc.words {
				if !strings.Contains(text, w) {
					t.Errorf("%q lacks %q", text, w)
				}
			}
			if v.Row.Source != "dropped file "+filepath.Base(tc.path) {
				t.Errorf("source %q", v.Row.Source)
			}
			if tc.withMap {
				if v.Row.Skymap == nil || !(v.Row.Skymap.Area90 > 0) || !v.Context.HasPosition || !v.Context.FromSkymap {
					t.Errorf("map summary %+v, context %+v", v.Row.Skymap, v.Context)
				}
			}
		})
	}
	if IsViewFile("GRB.xml") || IsViewFile("notes.txt") {
		t.Error("XML or text taken for viewing")
	}
	// Bytes that are neither: an error in words, no panic.
	for name, raw := range map[string][]byte{
		"broken.json": []byte(`{"superevent_id": "S1`),
		"empty.fits":  nil,
		"cut.fits.gz": {0x1f, 0x8b, 8, 0},
		"text.fits":   []byte("SIMPLE  = T but nothing else"),
	} {
		if _, err := ViewBytes(name, raw, now); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := ReadViewFile(filepath.Join(t.TempDir(), "missing.json")); err == nil {
		t.Error("a missing file read")
	}
}
