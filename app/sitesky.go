package app

import (
	"math"
	"time"

	"github.com/starling-broker/starling/netcore/ephem"
	"github.com/starling-broker/starling/netcore/skymap"
)

// SkyAt is what site s can observe at t, for the sky map to shade: its
// zenith, the altitude of its airmass limit, and the Sun and the Moon (the
// Moon as seen from the site), all in the map's ICRS coordinates.
func (s Site) SkyAt(t time.Time) *skymap.SiteView {
	loc := s.Observe().Location()
	toICRS := ephem.Precession(t).Transpose() // of date → ICRS
	icrs := func(ra, dec float64) (float64, float64) {
		return toICRS.Apply(ephem.UnitVector(ra, dec)).RADec()
	}
	zra, zdec := icrs(ephem.LST(t, s.Lon)*180/math.Pi, s.Lat)
	sra, sdec, _ := ephem.Sun(t)
	sra, sdec = icrs(sra, sdec)
	mra, mdec, _ := ephem.MoonTopocentric(t, loc)
	mra, mdec = icrs(mra, mdec)
	limit := 0.0
	if s.MaxAirmass > 1 {
		limit = math.Asin(1/s.MaxAirmass) * 180 / math.Pi
	}
	return &skymap.SiteView{ZenithRA: zra, ZenithDec: zdec, LimitAlt: limit, SunRA: sra, SunDec: sdec, MoonRA: mra, MoonDec: mdec}
}
