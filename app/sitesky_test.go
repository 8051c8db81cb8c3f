package app

import (
	"math"
	"testing"
	"time"

	"github.com/starling-broker/starling/netcore/ephem"
)

// TestSiteSkyAt: the zenith SkyAt gives is at altitude 90° for the site,
// and its Sun and Moon stand where ephem's own Sun and Moon altitudes
// (checked against astropy) put them; the limit is the airmass's.
func TestSiteSkyAt(t *testing.T) {
	for _, s := range SitePresets()[:4] {
		for _, at := range []time.Time{time.Date(2026, 12, 6, 3, 0, 0, 0, time.UTC), time.Date(2027, 6, 21, 15, 30, 0, 0, time.UTC)} {
			v := s.SkyAt(at)
			loc := s.Observe().Location()
			if alt, _ := ephem.AltAzICRS(v.ZenithRA, v.ZenithDec, at, loc); math.Abs(alt-90) > 0.01 {
				t.Errorf("%s %s: the zenith is at altitude %.4f°", s.Name, at, alt)
			}
			sunAlt, _ := ephem.SunAltAz(at, loc)
			if alt, _ := ephem.AltAzICRS(v.SunRA, v.SunDec, at, loc); math.Abs(alt-sunAlt) > 0.02 {
				t.Errorf("%s %s: the Sun at %.4f°, ephem says %.4f°", s.Name, at, alt, sunAlt)
			}
			moonAlt, _ := ephem.MoonAltAz(at, loc)
			if alt, _ := ephem.AltAzICRS(v.MoonRA, v.MoonDec, at, loc); math.Abs(alt-moonAlt) > 0.02 {
				t.Errorf("%s %s: the Moon at %.4f°, ephem says %.4f°", s.Name, at, alt, moonAlt)
			}
			if want := math.Asin(1/s.MaxAirmass) * 180 / math.Pi; math.Abs(v.LimitAlt-want) > 1e-9 {
				t.Errorf("%s: limit altitude %v, want %v", s.Name, v.LimitAlt, want)
			}
		}
	}
}
