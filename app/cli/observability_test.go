package cli

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// observeRef is netcore/observe's astroplan reference values (made by
// astroplan 0.7 with the Debian packages; see its testdata/README.md).
type observeRef struct {
	MOC, MOC2, MOC3, Flat string
	StepS                 int `json:"step_s"`
	Instants              int
	Cases                 []struct {
		Region       string
		Site         string
		Lat, Lon     float64
		Height       float64
		Start        string
		MaxAirmass   float64 `json:"max_airmass"`
		SunAlt       float64 `json:"sun_alt"`
		MoonDistance float64 `json:"moon_distance"`
		P            []float64
		PAny         float64 `json:"p_any"`
	}
}

func loadObserveRef(t *testing.T) *observeRef {
	t.Helper()
	var r observeRef
	if err := json.Unmarshal(readFile(t, "../../netcore/observe/testdata/reference.json"), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Cases) == 0 {
		t.Fatal("no reference cases")
	}
	return &r
}

// observabilityFile is the file each reference region is read from: the
// FITS files the reference was made from, the user guide's alert JSON that
// embeds moc3, and VOEvents with the reference circles.
func observabilityFile(r *observeRef, region string) string {
	switch region {
	case "moc":
		return skymapNotices + r.MOC
	case "moc2":
		return skymapNotices + r.MOC2
	case "moc3":
		return skymapNotices + "lvk-userguide/MS181101ab-preliminary.json"
	case "flat":
		return skymapNotices + r.Flat
	}
	return "testdata/" + region + ".xml"
}

// observabilityOutput is --json's output.
type observabilityOutput struct {
	Site        string    `json:"site"`
	Start       string    `json:"start"`
	StepS       float64   `json:"step_s"`
	PAny        float64   `json:"p_any"`
	BestIndex   int       `json:"best_index"`
	PBest       float64   `json:"p_best"`
	WindowStart *string   `json:"window_start"`
	WindowEnd   *string   `json:"window_end"`
	Series      []float64 `json:"series"`
}

// readObservability runs the command with --json and checks its keys.
func readObservability(t *testing.T, args ...string) observabilityOutput {
	t.Helper()
	st, out, errs := runCLI(append([]string{"observability", "--json"}, args...)...)
	if st != 0 {
		t.Fatalf("%q: status %d: %s", args, st, errs)
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &keys); err != nil {
		t.Fatalf("%v in %q", err, out)
	}
	var got []string
	for k := range keys {
		got = append(got, k)
	}
	slices.Sort(got)
	want := []string{"best_index", "p_any", "p_best", "series", "site", "start", "step_s", "window_end", "window_start"}
	if !slices.Equal(got, want) {
		t.Fatalf("keys %v, want exactly %v", got, want)
	}
	var o observabilityOutput
	if err := json.Unmarshal([]byte(out), &o); err != nil {
		t.Fatal(err)
	}
	return o
}

// checkAgainstAstroplan compares the output with a reference case's P and P_any (1 percentage point).
func checkAgainstAstroplan(t *testing.T, name string, o observabilityOutput, p []float64, pAny float64) {
	t.Helper()
	if len(o.Series) != len(p) {
		t.Fatalf("%s: %d instants, astroplan %d", name, len(o.Series), len(p))
	}
	for k := range p {
		if d := math.Abs(o.Series[k] - p[k]); d > 0.01 {
			t.Errorf("%s: P[%d] %.4f, astroplan %.4f", name, k, o.Series[k], p[k])
		}
	}
	if d := math.Abs(o.PAny - pAny); d > 0.01 {
		t.Errorf("%s: p_any %.4f, astroplan %.4f", name, o.PAny, pAny)
	}
	best := slices.Max(o.Series)
	if best == 0 && (o.BestIndex != -1 || o.WindowStart != nil || o.WindowEnd != nil) || best > 0 && (o.Series[o.BestIndex] != best || o.PBest != best || o.WindowStart == nil) {
		t.Errorf("%s: best %d (%v), window %v–%v for a series peaking at %v", name, o.BestIndex, o.PBest, o.WindowStart, o.WindowEnd, best)
	}
}

func TestObservabilityCommandAgainstAstroplan(t *testing.T) {
	r := loadObserveRef(t)
	for _, c := range r.Cases {
		name := c.Region + " " + c.Site + " " + c.Start
		args := []string{observabilityFile(r, c.Region), "--lat", fmt.Sprint(c.Lat), "--lon", fmt.Sprint(c.Lon), "--height", fmt.Sprint(c.Height),
			"--start", c.Start, "--max-airmass", fmt.Sprint(c.MaxAirmass), "--sun-alt", fmt.Sprint(c.SunAlt)}
		if c.MoonDistance > 0 {
			args = append(args, "--moon-distance", fmt.Sprint(c.MoonDistance))
		}
		if r.StepS != 600 || len(c.P) != 145 {
			// The defaults are the reference's grid: 10 minutes, 24 hours.
			args = append(args, "--step", fmt.Sprintf("%ds", r.StepS), "--duration", fmt.Sprintf("%ds", r.StepS*(len(c.P)-1)))
		}
		o := readObservability(t, args...)
		start, _ := time.Parse(time.RFC3339, c.Start)
		if o.Start != start.UTC().Format(time.RFC3339) || o.StepS != float64(r.StepS) {
			t.Errorf("%s: start %s, step %v s", name, o.Start, o.StepS)
		}
		checkAgainstAstroplan(t, name, o, c.P, c.PAny)
		// A circle as a JSON alert's position too, where testdata has one.
		if js := "testdata/" + c.Region + ".json"; c.Region[0] == 'c' {
			if _, err := os.Stat(js); err == nil {
				args[0] = js
				checkAgainstAstroplan(t, name+" (JSON)", readObservability(t, args...), c.P, c.PAny)
			}
		}
	}
}

func TestObservabilityFromSavedSitesAndArchive(t *testing.T) {
	r := loadObserveRef(t)
	dir, keys := archive(t, "lvk-userguide/MS181101ab-preliminary.json")
	key := keys["lvk-userguide/MS181101ab-preliminary.json"]
	for _, c := range r.Cases {
		if c.Region != "moc3" {
			continue
		}
		args := []string{"settings", "sites", "add", c.Site, "--lat", fmt.Sprint(c.Lat), "--lon", fmt.Sprint(c.Lon), "--height", fmt.Sprint(c.Height),
			"--max-airmass", fmt.Sprint(c.MaxAirmass), "--sun-alt", fmt.Sprint(c.SunAlt), "--default", "--data-dir", dir}
		if st, out, errs := runCLI(args...); st != 0 || !strings.HasPrefix(out, "Added "+c.Site) {
			t.Fatalf("sites add: %d %s %s", st, out, errs)
		}
		// The archived alert's map, by key; the site by name, then as the default.
		o := readObservability(t, key, "--site", c.Site, "--start", c.Start, "--data-dir", dir)
		if o.Site != c.Site {
			t.Errorf("site %q, want %q", o.Site, c.Site)
		}
		checkAgainstAstroplan(t, "archived "+c.Site, o, c.P, c.PAny)
		o = readObservability(t, observabilityFile(r, "moc3"), "--start", c.Start, "--data-dir", dir)
		checkAgainstAstroplan(t, "default "+c.Site, o, c.P, c.PAny)
	}
	// The text: a table and a bar, the grid's 145 instants.
	st, out, errs := runCLI("observability", key, "--start", "2022-03-20T00:00:00Z", "--data-dir", dir)
	if st != 0 || !strings.Contains(out, "P_any") || !strings.Contains(out, "(145 instants)") || !strings.Contains(out, "\nP    |") || !strings.Contains(out, "\nsky  |") {
		t.Fatalf("text: %d\n%s%s", st, out, errs)
	}
}

func TestObservabilityBadInput(t *testing.T) {
	dir := t.TempDir()
	notJSON := filepath.Join(dir, "x.json")
	if err := os.WriteFile(notJSON, []byte(`{"superevent_id": "S1"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	junk := filepath.Join(dir, "junk.fits")
	if err := os.WriteFile(junk, []byte("SIMPLE = nonsense"), 0o644); err != nil {
		t.Fatal(err)
	}
	circle := "testdata/circle10.xml"
	here := []string{"--lat", "-29", "--lon", "-70", "--height", "2400", "--data-dir", dir}
	for _, c := range []struct {
		args   []string
		status int
		says   string
	}{
		{[]string{}, exitUsage, "usage: starling observability"},
		{append([]string{filepath.Join(dir, "missing.fits")}, here...), exitFailure, "missing.fits"},
		{append([]string{notJSON}, here...), exitFailure, "neither a sky map nor a position"},
		{append([]string{junk}, here...), exitFailure, "junk.fits"},
		{append([]string{circle, "--start", "yesterday-ish"}, here...), exitUsage, "--start"},
		{append([]string{circle, "--step", "ten"}, here...), exitUsage, "--step"},
		{append([]string{circle, "--step", "-10m"}, here...), exitUsage, "not positive"},
		{append([]string{circle, "--duration", "-1h"}, here...), exitUsage, "negative"},
		{append([]string{circle, "--step", "1s", "--duration", "9000h"}, here...), exitUsage, "instants"},
		{append([]string{circle, "--max-airmass", "0.5"}, here...), exitUsage, "airmass"},
		{append([]string{circle, "--sun-alt", "x"}, here...), exitUsage, "--sun-alt"},
		{[]string{circle, "--lat", "95", "--lon", "0", "--data-dir", dir}, exitUsage, "latitude"},
		{[]string{circle, "--lat", "10", "--data-dir", dir}, exitUsage, "--lon"},
		{[]string{circle, "--site", "Nowhere", "--data-dir", dir}, exitUsage, "Nowhere"},
		{[]string{circle, "--site", "Nowhere", "--lat", "1", "--lon", "1", "--data-dir", dir}, exitUsage, "not both"},
		{[]string{circle, "--data-dir", dir}, exitUsage, "no sites"},
		{[]string{"sha256:00", "--data-dir", filepath.Join(dir, "none")}, exitFailure, "no event sha256:00"},
	} {
		st, out, errs := runCLI(append([]string{"observability"}, c.args...)...)
		if st != c.status || !strings.Contains(errs, c.says) || out != "" {
			t.Errorf("%q: status %d (want %d), stdout %q, stderr %q (want %q in it)", c.args, st, c.status, out, errs, c.says)
		}
	}
}

func TestSettingsSites(t *testing.T) {
	dir := t.TempDir()
	st, out, _ := runCLI("settings", "sites", "list", "--data-dir", dir)
	if st != 0 || !strings.HasPrefix(out, "No sites.") {
		t.Fatalf("empty: %d %q", st, out)
	}
	for _, args := range [][]string{
		{"add", "La Silla", "--preset", "la silla"},
		{"add", "Home", "--lat", "52.2", "--lon", "-0.1", "--height", "20", "--max-airmass", "2", "--sun-alt", "-12", "--moon-distance", "30", "--default"},
		{"add", "Abisko", "--lat", "68.35", "--lon", "18.82", "--height", "380"},
	} {
		if st, out, errs := runCLI(append(append([]string{"settings", "sites"}, args...), "--data-dir", dir)...); st != 0 || !strings.HasPrefix(out, "Added ") {
			t.Fatalf("%q: %d %s %s", args, st, out, errs)
		}
	}
	st, out, errs := runCLI("settings", "sites", "list", "--json", "--data-dir", dir)
	var l struct {
		Sites []struct {
			Name                             string
			Lat, Lon, Height                 float64
			MaxAirmass, SunAlt, MoonDistance float64
		}
		Default string
	}
	if st != 0 || json.Unmarshal([]byte(out), &l) != nil {
		t.Fatalf("list --json: %d %s %s", st, out, errs)
	}
	if len(l.Sites) != 3 || l.Default != "Home" || l.Sites[0].Lat != -29.2567 || l.Sites[1].Lon != -0.1 {
		t.Fatalf("sites %+v", l)
	}
	st, out, _ = runCLI("settings", "sites", "list", "--data-dir", dir)
	if st != 0 || !strings.Contains(out, "*  Home") || !strings.Contains(out, "30°") {
		t.Fatalf("list:\n%s", out)
	}
	if st, _, errs := runCLI("settings", "sites", "remove", "home", "--data-dir", dir); st != 0 {
		t.Fatalf("remove: %s", errs)
	}
	st, out, _ = runCLI("settings", "sites", "list", "--data-dir", dir)
	if st != 0 || !strings.Contains(out, "*  La Silla") || strings.Contains(out, "Home") {
		t.Fatalf("after removing the default:\n%s", out)
	}
	if st, _, errs := runCLI("settings", "sites", "default", "Abisko", "--data-dir", dir); st != 0 {
		t.Fatalf("default: %s", errs)
	}
	for _, c := range []struct {
		args   []string
		status int
		says   string
	}{
		{[]string{"add", "X", "--lat", "1", "--lon", "2"}, exitUsage, "--height"},
		{[]string{"add", "X", "--lat", "91", "--lon", "2", "--height", "0"}, exitUsage, "latitude"},
		{[]string{"add", "X", "--lat", "north", "--lon", "2", "--height", "0"}, exitUsage, "--lat"},
		{[]string{"add", "X", "--preset", "Atlantis"}, exitUsage, "Atlantis"},
		{[]string{"add", "X", "--preset", "Paranal", "--moon-distance", "200"}, exitUsage, "Moon"},
		{[]string{"add"}, exitUsage, "NAME"},
		{[]string{"remove", "Home"}, exitFailure, `no site called "Home"`},
		{[]string{"default", "Home"}, exitFailure, `no site called "Home"`},
		{[]string{"frobnicate"}, exitUsage, "unknown command"},
	} {
		st, _, errs := runCLI(append(append([]string{"settings", "sites"}, c.args...), "--data-dir", dir)...)
		if st != c.status || !strings.Contains(errs, c.says) {
			t.Errorf("%q: status %d (want %d), stderr %q (want %q)", c.args, st, c.status, errs, c.says)
		}
	}
	// Nothing lost to the bad input.
	st, out, _ = runCLI("settings", "sites", "list", "--data-dir", dir)
	if st != 0 || !strings.Contains(out, "*  Abisko") || !strings.Contains(out, "La Silla") || strings.Contains(out, " X ") {
		t.Fatalf("after bad input:\n%s", out)
	}
}

func TestSettingsRulesObservable(t *testing.T) {
	dir := t.TempDir()
	if st, _, errs := runCLI("settings", "rules", "add", "Seen from La Silla", "--observable", "42", "--data-dir", dir); st != exitUsage || !strings.Contains(errs, "needs a site") {
		t.Fatalf("--observable with no site: %d %s", st, errs)
	}
	if st, _, errs := runCLI("settings", "sites", "add", "La Silla", "--preset", "La Silla", "--data-dir", dir); st != 0 {
		t.Fatal(errs)
	}
	for _, c := range []struct {
		args []string
		says string
	}{
		{[]string{"--observable", "42", "--site", "Atlantis"}, `no site called "Atlantis"`},
		{[]string{"--observable", "142", "--site", "la silla"}, "0…100"},
		{[]string{"--observable", "much"}, "--observable"},
		{[]string{"--site", "La Silla"}, "go with --observable"},
		{[]string{"--observable", "42", "--within", "-3"}, "hours"},
	} {
		st, _, errs := runCLI(append(append([]string{"settings", "rules", "add", "Bad"}, c.args...), "--data-dir", dir)...)
		if st != exitUsage || !strings.Contains(errs, c.says) {
			t.Errorf("%q: status %d, stderr %q (want %q)", c.args, st, errs, c.says)
		}
	}
	st, out, errs := runCLI("settings", "rules", "add", "Seen from La Silla", "--type", "LVK", "--observable", "42", "--site", "la silla", "--within", "12", "--data-dir", dir)
	if st != 0 || !strings.Contains(out, "≥ 42 % observable from La Silla within 12 h") {
		t.Fatalf("add: %d %s %s", st, out, errs)
	}
	rules := rulesJSON(t, dir)
	r := rules[len(rules)-1]
	if r.Observable != 42 || r.Site != "La Silla" || r.WithinHours != 12 {
		t.Fatalf("rule %+v", r)
	}
	for _, rr := range rules {
		if rr.Name == "Bad" {
			t.Fatalf("a refused rule was saved: %+v", rr)
		}
	}
}
