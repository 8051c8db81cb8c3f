package cli

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// flatAlert writes a GCN JSON notice (the Swift one of gwcelery's tests)
// whose healpix_file is a flat map without distance columns or keywords
// (gwcelery's Fermi map), and returns its path.
func flatAlert(t *testing.T) string {
	t.Helper()
	var notice map[string]any
	if err := json.Unmarshal(readFile(t, skymapNotices+"gwcelery/kafka_alert_swift_wskymap.json"), &notice); err != nil {
		t.Fatal(err)
	}
	notice["healpix_file"] = base64.StdEncoding.EncodeToString(readFile(t, skymapNotices+"gwcelery/fermi_skymap.fits.gz"))
	b, err := json.Marshal(notice)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "flat.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestSkymapDistanceNullWhenAbsent: an archived alert whose sky map has no
// distance says "distmean": null (not 0) in events list --json, as skymap
// --json does for the map itself, and events show prints no distance; an
// alert whose map has one gives it in both.
func TestSkymapDistanceNullWhenAbsent(t *testing.T) {
	flat := flatAlert(t)
	dir, keys := archive(t, "lvk-userguide/MS181101ab-preliminary.json", flat)
	st, out, errs := runCLI("events", "list", "--json", "--data-dir", dir)
	if st != 0 {
		t.Fatalf("status %d: %s", st, errs)
	}
	sky := map[string]map[string]any{}
	for _, o := range jsonLines(t, out) {
		m, _ := o["skymap"].(map[string]any)
		sky[o["key"].(string)] = m
	}
	f := sky[keys[flat]]
	if f == nil || f["npix"] != 768.0 {
		t.Fatalf("flat map's summary: %v", f)
	}
	for _, k := range []string{"distmean", "diststd"} {
		if v, ok := f[k]; !ok || v != nil {
			t.Errorf("flat map: %s = %#v (present %v), want null", k, v, ok)
		}
	}
	p := sky[keys["lvk-userguide/MS181101ab-preliminary.json"]]
	if mean, _ := p["distmean"].(float64); !near(mean, 39.76999609489013) {
		t.Errorf("BAYESTAR map: distmean %#v", p["distmean"])
	}
	if std, _ := p["diststd"].(float64); !near(std, 8.308435058808886) {
		t.Errorf("BAYESTAR map: diststd %#v", p["diststd"])
	}

	// skymap --json on the same flat map agrees.
	st, out, errs = runCLI("skymap", "--json", skymapNotices+"gwcelery/fermi_skymap.fits.gz")
	if st != 0 || !strings.Contains(out, `"distmean":null,"diststd":null`) {
		t.Errorf("skymap --json: status %d %s %s", st, out, errs)
	}

	_, out, _ = runCLI("events", "show", keys[flat], "--data-dir", dir)
	if !strings.Contains(out, "Sky map") || strings.Contains(out, "distance") {
		t.Errorf("events show of the flat map:\n%s", out)
	}
	_, out, _ = runCLI("events", "show", keys["lvk-userguide/MS181101ab-preliminary.json"], "--data-dir", dir)
	if !strings.Contains(out, "distance 39.77 ± 8.308 Mpc") {
		t.Errorf("events show of the BAYESTAR map:\n%s", out)
	}
}

func near(a, b float64) bool { return a-b <= 1e-9*b && b-a <= 1e-9*b }
