package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const skymapNotices = "../../testdata/notices/"

// skymapRef is one map of netcore/skymap/testdata/reference.json (healpy's values).
type skymapRef struct {
	File          string   `json:"file"`
	RA            float64  `json:"ra"`
	Dec           float64  `json:"dec"`
	Area50        float64  `json:"area50"`
	Area90        float64  `json:"area90"`
	DistMean      *float64 `json:"distmean"`
	DistStd       *float64 `json:"diststd"`
	NPix          int      `json:"npix"`
	MaxOrder      int      `json:"max_order"`
	BestPixelSize float64  `json:"best_pixel_size_deg"`
}

func skymapReference(t *testing.T, file string) skymapRef {
	t.Helper()
	b, err := os.ReadFile("../../netcore/skymap/testdata/reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var r struct{ Maps []skymapRef }
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	for _, m := range r.Maps {
		if m.File == file {
			return m
		}
	}
	t.Fatalf("%s is not in reference.json", file)
	return skymapRef{}
}

func runCLI(args ...string) (status int, stdout, stderr string) {
	var out, errb bytes.Buffer
	status = Main("starling", args, Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb})
	return status, out.String(), errb.String()
}

func TestSkymapCommandJSON(t *testing.T) {
	for _, c := range []struct{ path, ref string }{
		{"mocpy/bayestar.multiorder.fits", "mocpy/bayestar.multiorder.fits"},
		{"gwcelery/fermi_skymap.fits.gz", "gwcelery/fermi_skymap.fits.gz"},
		{"lvk-userguide/MS181101ab-preliminary.json", "lvk-userguide/bayestar.multiorder.fits"},
		{"lvk-gocart/S230528ay-preliminary.json", "lvk-gocart/S230528ay-preliminary.json"},
	} {
		want := skymapReference(t, c.ref)
		st, out, errs := runCLI("skymap", skymapNotices+c.path, "--json")
		if st != 0 {
			t.Fatalf("%s: status %d, %s", c.path, st, errs)
		}
		var keys map[string]any
		if err := json.Unmarshal([]byte(out), &keys); err != nil {
			t.Fatalf("%s: %v in %q", c.path, err, out)
		}
		var names []string
		for k := range keys {
			names = append(names, k)
		}
		slices.Sort(names)
		if got := strings.Join(names, " "); got != "area50 area90 dec distmean diststd max_order npix ra" {
			t.Errorf("%s: keys %s", c.path, got)
		}
		var got skymapRef
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatal(err)
		}
		dra := (got.RA - want.RA) * math.Cos(want.Dec*math.Pi/180)
		if math.Hypot(dra, got.Dec-want.Dec) > want.BestPixelSize {
			t.Errorf("%s: (%v, %v), healpy (%v, %v)", c.path, got.RA, got.Dec, want.RA, want.Dec)
		}
		if math.Abs(got.Area90-want.Area90) > 0.01*want.Area90 || math.Abs(got.Area50-want.Area50) > 0.01*want.Area50 {
			t.Errorf("%s: areas %v, %v; healpy %v, %v", c.path, got.Area50, got.Area90, want.Area50, want.Area90)
		}
		if got.NPix != want.NPix || got.MaxOrder != want.MaxOrder {
			t.Errorf("%s: npix %d max_order %d; healpy %d %d", c.path, got.NPix, got.MaxOrder, want.NPix, want.MaxOrder)
		}
		if (want.DistMean == nil) != (got.DistMean == nil) || want.DistMean != nil && (*got.DistMean != *want.DistMean || *got.DistStd != *want.DistStd) {
			t.Errorf("%s: distance %v ± %v, header %v ± %v", c.path, got.DistMean, got.DistStd, want.DistMean, want.DistStd)
		}
	}
}

func TestSkymapCommandText(t *testing.T) {
	st, out, errs := runCLI("skymap", skymapNotices+"lvk-userguide/bayestar.multiorder.fits")
	if st != 0 {
		t.Fatalf("status %d: %s", st, errs)
	}
	// healpy's values, as the plain output rounds them.
	ref := skymapReference(t, "lvk-userguide/bayestar.multiorder.fits")
	for _, w := range []string{
		fmt.Sprintf("RA %.4f", ref.RA), fmt.Sprintf("Dec %+.4f", ref.Dec),
		fmt.Sprintf("%.1f deg²", ref.Area50), fmt.Sprintf("%.1f deg²", ref.Area90),
		fmt.Sprintf("%.1f ± %.1f Mpc", *ref.DistMean, *ref.DistStd),
		fmt.Sprintf("–%d", ref.MaxOrder), fmt.Sprint(ref.NPix),
	} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}

func TestSkymapCommandPNG(t *testing.T) {
	out := filepath.Join(t.TempDir(), "map.png")
	st, _, errs := runCLI("skymap", skymapNotices+"gwcelery/MS220722v_bayestar.multiorder.fits", "--png", out, "--width", "200")
	if st != 0 {
		t.Fatalf("status %d: %s", st, errs)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 200 || b.Dy() != 100 {
		t.Errorf("image %v, want 200×100", b)
	}
}

func TestSkymapCommandErrors(t *testing.T) {
	for _, c := range []struct {
		args   []string
		status int
		words  string
	}{
		{[]string{"skymap"}, 2, "usage"},
		{[]string{"skymap", "a.fits", "b.fits"}, 2, "usage"},
		{[]string{"skymap", "--bogus", "a.fits"}, 2, "unknown option --bogus"},
		{[]string{"skymap", skymapNotices + "mocpy/bayestar.multiorder.fits", "--width", "5"}, 2, "--width"},
		{[]string{"skymap", "/nonexistent/map.fits"}, 1, "no such file"},
		{[]string{"skymap", skymapNotices + "lvk-userguide/MS181101ab-preliminary_displayexample.json"}, 1, "event.skymap"},
		{[]string{"skymap", skymapNotices + "lvk-userguide/MS181101ab-retraction.json"}, 1, "no sky map"},
		{[]string{"skymap", skymapNotices + "MANIFEST.tsv"}, 1, "not printable ASCII"},
	} {
		st, out, errs := runCLI(c.args...)
		if st != c.status || !strings.Contains(errs, c.words) || out != "" {
			t.Errorf("%v: status %d, stdout %q, stderr %q; want %d and %q", c.args, st, out, errs, c.status, c.words)
		}
	}
}

// TestSkymapCommandArchivedKey archives an LVK alert through the Kafka path
// and reads its map back by the alert's key: the same figures as the
// alert's file gives, from the archive's compact form.
func TestSkymapCommandArchivedKey(t *testing.T) {
	dir, keys := archive(t, "lvk-userguide/MS181101ab-preliminary.json")
	key := keys["lvk-userguide/MS181101ab-preliminary.json"]
	st, fromKey, errs := runCLI("skymap", key, "--json", "--data-dir", dir)
	if st != 0 {
		t.Fatalf("status %d: %s", st, errs)
	}
	_, fromFile, _ := runCLI("skymap", skymapNotices+"lvk-userguide/MS181101ab-preliminary.json", "--json")
	if fromKey != fromFile || !strings.Contains(fromKey, `"npix":19200`) {
		t.Errorf("by key:  %s\nby file: %s", fromKey, fromFile)
	}
	png := filepath.Join(t.TempDir(), "m.png")
	if st, _, errs := runCLI("skymap", key, "--png", png, "--width", "64", "--data-dir", dir); st != 0 {
		t.Fatalf("--png: status %d: %s", st, errs)
	}
	if st, _, errs := runCLI("skymap", "sha256:00", "--data-dir", dir); st == 0 || !strings.Contains(errs, "no event sha256:00") {
		t.Errorf("absent key: status %d, %q", st, errs)
	}
}
