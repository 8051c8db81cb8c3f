package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/netcore/observe"
)

// obsReference is one case of netcore/observe's astroplan reference values
// (made by astroplan 0.7; see its testdata/README.md): the 10° circle
// about RA 150°, Dec −30° from La Silla at the March equinox.
type obsReference struct {
	StepS int `json:"step_s"`
	Cases []struct {
		Region           string
		Site             string
		Lat, Lon, Height float64
		Start            string
		MaxAirmass       float64 `json:"max_airmass"`
		SunAlt           float64 `json:"sun_alt"`
		MoonDistance     float64 `json:"moon_distance"`
		Circle           [3]float64
		P                []float64
	}
}

// circleResult computes the reference's circle10 case, and returns the
// reference's P with it.
func circleResult(t testing.TB) (*observe.Result, []float64) {
	t.Helper()
	b, err := os.ReadFile("../netcore/observe/testdata/reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref obsReference
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	for _, c := range ref.Cases {
		if c.Region != "circle10" {
			continue
		}
		g, err := observe.FromCircle(c.Circle[0], c.Circle[1], c.Circle[2])
		if err != nil {
			t.Fatal(err)
		}
		start, _ := time.Parse(time.RFC3339, c.Start)
		site := observe.Site{Name: c.Site, Lat: c.Lat, Lon: c.Lon, Height: c.Height, MaxAirmass: c.MaxAirmass, SunAlt: c.SunAlt, MoonDistance: c.MoonDistance}
		r, err := observe.Compute(site, observe.Grid{Start: start, Step: time.Duration(ref.StepS) * time.Second, Duration: time.Duration(ref.StepS*(len(c.P)-1)) * time.Second}, g)
		if err != nil {
			t.Fatal(err)
		}
		return r, c.P
	}
	t.Fatal("no circle10 case in the reference values")
	return nil, nil
}

// The bar's pixels follow astroplan's P: the sky's colour where astroplan
// sees nothing, P's colour where it sees more than a point, the best
// instant ticked.
func TestObsBarImageFollowsAstroplan(t *testing.T) {
	r, p := circleResult(t)
	n := len(p)
	img := ObsBarImage(r, n, 9)
	for k := range n {
		top, bottom := img.NRGBAAt(k, 0), img.NRGBAAt(k, 8)
		sky := obsSky(r.SunAlt[k], r.Site.SunAlt)
		if bottom != sky {
			t.Errorf("instant %d: sky strip %v, want %v (Sun at %.1f°)", k, bottom, sky, r.SunAlt[k])
		}
		switch {
		case k == r.Best:
			if top != obsMark {
				t.Errorf("best instant %d not ticked: %v", k, top)
			}
		case p[k] == 0 && top != sky:
			t.Errorf("instant %d: astroplan sees nothing, the bar shows %v", k, top)
		case p[k] > 0.01 && top == sky:
			t.Errorf("instant %d: astroplan sees %.3f, the bar shows the bare sky", k, p[k])
		}
	}
	// Night and day are both in a 24-hour bar, and they differ.
	if img.NRGBAAt(0, 8) == img.NRGBAAt(n/2, 8) {
		t.Error("night and day look alike")
	}
}

func TestObsBarGolden(t *testing.T) {
	r, _ := circleResult(t)
	newTestApp(t)
	variants(t, func(t *testing.T, dark bool, name string) {
		if dark {
			setTheme(variantTheme{theme.DefaultTheme(), theme.VariantDark})
		} else {
			setTheme(variantTheme{theme.DefaultTheme(), theme.VariantLight})
		}
		var b *ObsBar
		onUI(func() { b = NewObsBar(r) })
		if got := fromUI(func() string { return b.Text.Text }); got != app.WindowText(r) || !strings.HasPrefix(got, "best ") {
			t.Fatalf("summary %q", got)
		}
		onUI(func() {
			w := test.NewWindow(b)
			w.SetPadded(false)
			w.Resize(fyne.NewSize(700, 40))
			test.AssertRendersToImage(t, "obsbar_"+name+".png", w.Canvas())
			w.Close()
		})
	})
}

// userGuideAlert is the user guide's mock LVK alert with its sky map,
// under another superevent id (a new alert for the archive).
func userGuideAlert(t testing.TB, n int) []byte {
	t.Helper()
	raw, err := os.ReadFile("../testdata/notices/lvk-userguide/MS181101ab-preliminary.json")
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Replace(raw, []byte(`"MS181101ab"`), fmt.Appendf(nil, `"MS%08d"`, n), 1)
}

// The details of an archived alert with a sky map show one bar per site,
// the default first, and follow the sites as they change.
func TestEventDetailsShowObservability(t *testing.T) {
	u := newWindow(t)
	ctx := context.Background()
	sites := u.Core.Sites()
	lasilla, _ := app.SitePreset("La Silla")
	palomar, _ := app.SitePreset("Palomar")
	for _, s := range []app.Site{palomar, lasilla} {
		if _, err := sites.Add(ctx, s, s.Name == "La Silla"); err != nil {
			t.Fatal(err)
		}
	}
	lb := startBroker(t, u)
	if _, after, err := lb.KafkaHandler().Handle(ctx, kafkaRecord(userGuideAlert(t, 1))); err != nil {
		t.Fatal(err)
	} else if after != nil {
		after()
	}
	id, err := u.Core.Archive().LastID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	onUI(func() { u.Events.SelectEvent(id) })
	bars := func() []*ObsBar {
		var out []*ObsBar
		for _, o := range u.Events.Detail.Obs.box.Objects {
			if b, ok := o.(*ObsBar); ok {
				out = append(out, b)
			}
		}
		return out
	}
	eventually(t, "two bars", u, func() bool { return u.Events.Detail.Obs.box.Visible() && len(bars()) == 2 })
	names := fromUI(func() []string {
		var out []string
		for _, b := range bars() {
			out = append(out, b.Site.Text+": "+b.Text.Text)
		}
		return out
	})
	want, err := sites.Observe(ctx, id, "La Silla", app.NextGrid(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(names[0], "La Silla: ") || !strings.HasPrefix(names[1], "Palomar: ") {
		t.Fatalf("bars %q: want the default site first", names)
	}
	if names[0] != "La Silla: "+app.WindowText(want) && app.NextGrid(time.Now()) == want.Grid {
		t.Errorf("bar %q, the core says %q", names[0], app.WindowText(want))
	}
	// A site removed is a bar less.
	if err := sites.Remove(ctx, "Palomar"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "one bar", u, func() bool { return len(bars()) == 1 })
	// With no site, no bars.
	if err := sites.Remove(ctx, "La Silla"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "no bars", u, func() bool { return !u.Events.Detail.Obs.box.Visible() })
}

// The Sites editor adds a preset, makes a site the default and removes one,
// through its buttons' paths.
func TestSitesEditor(t *testing.T) {
	u := newWindow(t)
	ctx := context.Background()
	var e *SitesEditor
	onUI(func() { e = newSitesEditor(u) })
	eventually(t, "the empty list", u, func() bool { return strings.HasPrefix(e.Status.Text, "No sites") })
	for _, name := range []string{"Paranal", "Mauna Kea"} {
		onUI(func() { e.Preset.SetSelected(name) })
		p, _ := app.SitePreset(name)
		e.change(func(ctx context.Context, s *app.Sites) error { _, err := s.Add(ctx, p, false); return err })
		eventually(t, name, u, func() bool { _, ok := e.sites.Find(name); return ok })
	}
	var f *siteForm
	onUI(func() {
		f = newSiteForm(app.NewSite("", 0, 0, 0))
		f.name.SetText("Backyard")
		f.lat.SetText("52.2")
		f.lon.SetText("−0.1")
	})
	var s app.Site
	var err error
	onUI(func() { s, err = f.site() })
	if err != nil || s.Lon != -0.1 || s.MaxAirmass != 2.5 || s.SunAlt != -18 {
		t.Fatalf("form: %+v, %v", s, err)
	}
	onUI(func() { f.lat.SetText("north") })
	onUI(func() { _, err = f.site() })
	if err == nil {
		t.Fatal("a latitude of \"north\" passes")
	}
	e.change(func(ctx context.Context, st *app.Sites) error { return st.SetDefault(ctx, "Mauna Kea") })
	eventually(t, "the default", u, func() bool { return e.sites.Default == "Mauna Kea" })
	e.change(func(ctx context.Context, st *app.Sites) error { return st.Remove(ctx, "Mauna Kea") })
	eventually(t, "the removal", u, func() bool { return len(e.sites.Sites) == 1 && e.sites.Default == "Paranal" })
	if d, ok, _ := u.Core.Sites().Default(ctx); !ok || d.Name != "Paranal" {
		t.Fatalf("the core's default %q", d.Name)
	}
}

// The rule form reads and shows "at least X % observable from SITE within N hours".
func TestRuleFormObservable(t *testing.T) {
	newTestApp(t)
	var f *ruleForm
	onUI(func() {
		f = newRuleForm(app.NotifyRule{Name: "Seen", Observable: 42, Site: "La Silla", WithinHours: 12})
	})
	got := fromUI(func() [3]string { return [3]string{f.obs.pct.Text, f.obs.site.Text, f.obs.within.Text} })
	if got != [3]string{"42", "La Silla", "12"} {
		t.Fatalf("fields %q", got)
	}
	var r app.NotifyRule
	var err error
	onUI(func() {
		f.obs.pct.SetText("63 %")
		f.obs.within.SetText("")
		r, err = f.rule()
	})
	if err != nil || r.Observable != 63 || r.Site != "La Silla" || r.WithinHours != 0 {
		t.Fatalf("rule %+v, %v", r, err)
	}
	onUI(func() {
		f.obs.pct.SetText("")
		r, err = f.rule()
	})
	if err != nil || r.Observable != 0 || r.Site != "" {
		t.Fatalf("no condition: rule %+v, %v", r, err)
	}
	onUI(func() {
		f.obs.within.SetText("soon")
		_, err = f.rule()
	})
	if err == nil {
		t.Fatal("within \"soon\" passes")
	}
}
