package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/netcore/skymap"
)

// TestSkySiteNow: "Site now" without a default site says so and unticks;
// with one, the map shades what it observes at the panel's clock (the
// core's SkyAt), with the Sun and the Moon labelled; unticked, no shading.
func TestSkySiteNow(t *testing.T) {
	u := newWindow(t)
	at := time.Date(2026, 12, 6, 3, 0, 0, 0, time.UTC)
	onUI(func() { u.Sky.now = func() time.Time { return at } })
	onUI(func() { u.Sky.Site.SetChecked(true) })
	eventually(t, "the box unticked", u, func() bool {
		return !u.Sky.Site.Checked && strings.Contains(u.Sky.Count.Text, "no default observing site")
	})

	site := app.SitePresets()[0]
	if _, err := u.Core.Sites().Add(context.Background(), site, true); err != nil {
		t.Fatal(err)
	}
	onUI(func() { u.Sky.Site.SetChecked(true) })
	want := site.SkyAt(at)
	shaded := func() *skymap.SiteView {
		u.Sky.Sky.mu.Lock()
		defer u.Sky.Sky.mu.Unlock()
		return u.Sky.Sky.site
	}
	eventually(t, "the site's shading", u, func() bool { v := shaded(); return v != nil && *v == *want })
	f, _, err := u.Sky.Sky.draw(640)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, l := range f.Labels {
		if l.Kind == skymap.LabelSite {
			names = append(names, l.Text)
		}
	}
	if strings.Join(names, " ") != "Sun Moon" {
		t.Errorf("labels of the site's sky %q, want Sun and Moon", names)
	}
	onUI(func() { u.Sky.Site.SetChecked(false) })
	eventually(t, "no shading", u, func() bool { return shaded() == nil })
}
