package skymap

import (
	"image/color"
	"testing"
)

// TestDrawSiteShadesBelowTheHorizonAndLimit: with the zenith at the north
// pole and the airmass limit at 30° altitude, the sky south of the
// equator is darkened, the band between the equator and +30° dimmed, the
// sky above kept; the Sun is drawn where it is, and labelled.
func TestDrawSiteShadesBelowTheHorizonAndLimit(t *testing.T) {
	v := AllSky(720)
	plain, err := Draw(nil, RenderOptions{View: v})
	if err != nil {
		t.Fatal(err)
	}
	site := &SiteView{ZenithRA: 0, ZenithDec: 90, LimitAlt: 30, SunRA: 100, SunDec: 20, MoonRA: 250, MoonDec: -40}
	shaded, err := Draw(nil, RenderOptions{View: v, Site: site})
	if err != nil {
		t.Fatal(err)
	}
	at := func(f *Frame, ra, dec float64) color.RGBA {
		p := v.Project(ra, dec)
		return f.Image.RGBAAt(int(p.X), int(p.Y))
	}
	for _, c := range []struct {
		ra, dec float64
		keep    float64
	}{{205, -35, belowHorizon}, {55, -55, belowHorizon}, {205, 17, belowLimit}, {205, 62, 1}, {44, 77, 1}} { // off the graticule
		a, b := at(plain, c.ra, c.dec), at(shaded, c.ra, c.dec)
		want := uint8(float64(a.B) * c.keep)
		if b.B != want || b.A != 255 {
			t.Errorf("RA %v Dec %v: blue %d shaded, %d plain; want %d (kept %v)", c.ra, c.dec, b.B, a.B, want, c.keep)
		}
	}
	if got := at(shaded, 100, 20); got != colSun {
		t.Errorf("the Sun's pixel is %v, want %v", got, colSun)
	}
	var names []string
	for _, l := range shaded.Labels {
		if l.Kind == LabelSite {
			names = append(names, l.Text)
		}
	}
	if len(names) != 2 || names[0] != "Sun" || names[1] != "Moon" {
		t.Errorf("site labels %q, want Sun and Moon", names)
	}
}
