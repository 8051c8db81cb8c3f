// Package observe holds what a site can observe of an alert's sky region
// over a grid of instants: the probability that meets an airmass limit, a
// Sun-altitude limit and an optional Moon-distance limit, exactly as
// astroplan's AirmassConstraint, AtNightConstraint and
// MoonSeparationConstraint read them (as ligo-skymap-plot-observability
// applies them to each pixel centre).
package observe

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/starling-broker/starling/netcore/ephem"
)

// Sun-altitude limits for the ends of civil, nautical and astronomical twilight, in degrees.
const (
	// SunAltCivil is the end of civil twilight.
	SunAltCivil = -6.0
	// SunAltNautical is the end of nautical twilight.
	SunAltNautical = -12.0
	// SunAltAstronomical is the end of astronomical twilight: full night.
	SunAltAstronomical = -18.0
)

// DefaultMaxAirmass is the airmass limit a new site gets (astroplan's examples and ligo.skymap's default).
const DefaultMaxAirmass = 2.5

// MaxInstants bounds a grid's length: a year at one-minute steps.
const MaxInstants = 366 * 24 * 60

// ErrInput is wrapped by every error about a bad site, grid or region.
var ErrInput = errors.New("observability: bad input")

// Site is an observatory and the limits it observes within.
type Site struct {
	// Name is the site's name, for display only.
	Name string
	// Lat is the geodetic latitude in degrees, north positive.
	Lat float64
	// Lon is the longitude in degrees, east positive.
	Lon float64
	// Height is the height above the WGS84 ellipsoid in metres.
	Height float64
	// MaxAirmass is the largest airmass (sec z, no refraction) observed; at least 1.
	MaxAirmass float64
	// SunAlt is the highest Sun altitude in degrees counted as night (−18 astronomical).
	SunAlt float64
	// MoonDistance is the least angle in degrees kept from the Moon's centre; 0 sets no limit.
	MoonDistance float64
}

// NewSite is a site with the default limits: airmass 2.5, astronomical night, no Moon limit.
func NewSite(name string, lat, lon, height float64) Site {
	return Site{Name: name, Lat: lat, Lon: lon, Height: height,
		MaxAirmass: DefaultMaxAirmass, SunAlt: SunAltAstronomical}
}

// Validate says what is wrong with s, wrapping ErrInput, or returns nil.
func (s Site) Validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: site %q: %s", ErrInput, s.Name, fmt.Sprintf(format, a...))
	}
	switch {
	case !(s.Lat >= -90 && s.Lat <= 90):
		return bad("latitude %v is not within −90…90°", s.Lat)
	case !(s.Lon >= -360 && s.Lon <= 360):
		return bad("longitude %v is not within −360…360°", s.Lon)
	case !(s.Height >= -500 && s.Height <= 100000):
		return bad("height %v m is not within −500…100000 m", s.Height)
	case !(s.MaxAirmass >= 1) || math.IsInf(s.MaxAirmass, 0):
		return bad("airmass limit %v is not a number of at least 1", s.MaxAirmass)
	case !(s.SunAlt >= -90 && s.SunAlt <= 90):
		return bad("Sun altitude limit %v is not within −90…90°", s.SunAlt)
	case !(s.MoonDistance >= 0 && s.MoonDistance <= 180):
		return bad("Moon distance %v is not within 0…180°", s.MoonDistance)
	}
	return nil
}

// Location is the site's place on the Earth.
func (s Site) Location() ephem.Location {
	return ephem.Location{Lat: s.Lat, Lon: s.Lon, Height: s.Height}
}

// Grid is a series of instants: Start, then every Step up to and including Start + Duration.
type Grid struct {
	// Start is the first instant.
	Start time.Time
	// Step is the time between instants; more than zero.
	Step time.Duration
	// Duration is the span from the first instant to the last one; not negative.
	Duration time.Duration
}

// DefaultGrid is 24 hours from start every 10 minutes: 145 instants.
func DefaultGrid(start time.Time) Grid {
	return Grid{Start: start, Step: 10 * time.Minute, Duration: 24 * time.Hour}
}

// Len is the number of instants (0 for a grid that does not validate).
func (g Grid) Len() int {
	if g.Validate() != nil {
		return 0
	}
	return int(g.Duration/g.Step) + 1
}

// Time is the i-th instant.
func (g Grid) Time(i int) time.Time { return g.Start.Add(time.Duration(i) * g.Step) }

// Validate says what is wrong with g, wrapping ErrInput, or returns nil.
func (g Grid) Validate() error {
	switch {
	case g.Step <= 0:
		return fmt.Errorf("%w: time step %v is not positive", ErrInput, g.Step)
	case g.Duration < 0:
		return fmt.Errorf("%w: duration %v is negative", ErrInput, g.Duration)
	case g.Duration/g.Step >= MaxInstants:
		return fmt.Errorf("%w: %v every %v is more than %d instants", ErrInput, g.Duration, g.Step, MaxInstants)
	}
	return nil
}

// Result is a site's observability of a region over a grid.
type Result struct {
	// Site is the site the result is for.
	Site Site
	// Grid is the grid of instants.
	Grid Grid
	// P is the probability meeting every constraint at each instant of the
	// grid (of the region's Total: 1 for a well-formed map and for a circle).
	P []float64
	// SunAlt is the Sun's altitude in degrees at each instant (for marking night and twilight).
	SunAlt []float64
	// MoonAlt is the Moon's topocentric altitude in degrees at each instant.
	MoonAlt []float64
	// PAny is the probability meeting every constraint at one instant or more.
	PAny float64
	// Best is the index of the first instant with the largest P, or −1 when P is 0 throughout.
	Best int
	// PBest is P at Best (0 when Best is −1).
	PBest float64
	// WindowFirst and WindowLast are the indices of the run of instants around
	// Best where P is at least half of PBest; both −1 when Best is −1.
	WindowFirst, WindowLast int
}

// Window is the first and last instant where P is at least half its best; ok is false when nothing is observable.
func (r *Result) Window() (first, last time.Time, ok bool) {
	if r.Best < 0 {
		return time.Time{}, time.Time{}, false
	}
	return r.Grid.Time(r.WindowFirst), r.Grid.Time(r.WindowLast), true
}

// BestTime is the instant with the largest P; ok is false when nothing is observable.
func (r *Result) BestTime() (t time.Time, ok bool) {
	if r.Best < 0 {
		return time.Time{}, false
	}
	return r.Grid.Time(r.Best), true
}

// Compute is site's observability of the region over grid: each
// direction of region counts at an instant when its airmass is between 1
// and the limit, the Sun is at or below the limit, and (when a Moon limit
// is set) it is at least that far from the Moon.
//
// As astroplan 0.7's MoonSeparationConstraint does, the Moon distance is
// measured from the Moon's geocentric position (it differs from the
// topocentric one by up to 1°); MoonAlt is topocentric.
func Compute(site Site, grid Grid, region *Region) (*Result, error) {
	if err := site.Validate(); err != nil {
		return nil, err
	}
	if err := grid.Validate(); err != nil {
		return nil, err
	}
	if region == nil || len(region.dirs) == 0 {
		return nil, fmt.Errorf("%w: empty region", ErrInput)
	}
	n := grid.Len()
	r := &Result{Site: site, Grid: grid, P: make([]float64, n), SunAlt: make([]float64, n),
		MoonAlt: make([]float64, n), Best: -1, WindowFirst: -1, WindowLast: -1}
	loc := site.Location()
	minSinAlt := 1 / site.MaxAirmass
	maxCosMoon := math.Cos(site.MoonDistance * math.Pi / 180)
	seen := make([]bool, len(region.dirs))
	for k := range n {
		t := grid.Time(k)
		r.SunAlt[k], _ = ephem.SunAltAz(t, loc)
		r.MoonAlt[k], _ = ephem.MoonAltAz(t, loc)
		if !(r.SunAlt[k] <= site.SunAlt) {
			continue
		}
		prec := ephem.Precession(t)
		up := ephem.EquatorialToHorizon(t, loc).Mul(prec)[2]
		var moon ephem.Vec
		if site.MoonDistance > 0 {
			ra, dec, _ := ephem.Moon(t)
			moon = prec.Transpose().Apply(ephem.UnitVector(ra, dec))
		}
		r.P[k] = region.sum(up, minSinAlt, moon, maxCosMoon, site.MoonDistance > 0, seen)
	}
	for i, s := range seen {
		if s {
			r.PAny += region.weights[i]
		}
	}
	for k, p := range r.P {
		if p > r.PBest {
			r.Best, r.PBest = k, p
		}
	}
	if r.Best >= 0 {
		half := r.PBest / 2
		r.WindowFirst, r.WindowLast = r.Best, r.Best
		for r.WindowFirst > 0 && r.P[r.WindowFirst-1] >= half {
			r.WindowFirst--
		}
		for r.WindowLast < n-1 && r.P[r.WindowLast+1] >= half {
			r.WindowLast++
		}
	}
	return r, nil
}
