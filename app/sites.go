package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync/atomic"
	"time"

	"github.com/starling-broker/starling/netcore/observe"
)

// keySites is the setting that holds the sites, as one JSON object (SiteList).
const keySites = "observe.sites"

// Site is an observatory the user keeps, with the limits it observes within.
type Site struct {
	// Name names the site; unique among the sites, any case.
	Name string `json:"name"`
	// Lat is the geodetic latitude in degrees, north positive.
	Lat float64 `json:"lat"`
	// Lon is the longitude in degrees, east positive.
	Lon float64 `json:"lon"`
	// Height is the height above the ellipsoid in metres.
	Height float64 `json:"height"`
	// MaxAirmass is the largest airmass observed (default 2.5).
	MaxAirmass float64 `json:"max_airmass"`
	// SunAlt is the highest Sun altitude counted as night, in degrees (default −18).
	SunAlt float64 `json:"sun_alt"`
	// MoonDistance is the least distance from the Moon in degrees; 0 sets no limit.
	MoonDistance float64 `json:"moon_distance,omitempty"`
}

// NewSite is a site with the default limits: airmass 2.5, astronomical night, no Moon limit.
func NewSite(name string, lat, lon, height float64) Site {
	return Site{Name: name, Lat: lat, Lon: lon, Height: height,
		MaxAirmass: observe.DefaultMaxAirmass, SunAlt: observe.SunAltAstronomical}
}

// Observe is the site as the observability computation takes it.
func (s Site) Observe() observe.Site {
	return observe.Site{Name: s.Name, Lat: s.Lat, Lon: s.Lon, Height: s.Height,
		MaxAirmass: s.MaxAirmass, SunAlt: s.SunAlt, MoonDistance: s.MoonDistance}
}

// Check says in words what is wrong with the site, or nil.
func (s Site) Check() error {
	if strings.TrimSpace(s.Name) == "" {
		return errors.New("a site needs a name")
	}
	if err := s.Observe().Validate(); err != nil {
		return errors.New(strings.TrimPrefix(err.Error(), observe.ErrInput.Error()+": "))
	}
	return nil
}

// Describe is the site in one line, for the lists of the window and the command line.
func (s Site) Describe() string {
	d := fmt.Sprintf("%s: lat %+.4f° lon %+.4f° %.0f m, airmass ≤ %g, Sun ≤ %g°", s.Name, s.Lat, s.Lon, s.Height, s.MaxAirmass, s.SunAlt)
	if s.MoonDistance > 0 {
		d += fmt.Sprintf(", Moon ≥ %g°", s.MoonDistance)
	}
	return d
}

// SiteList is the sites the setting keeps, and which is the default.
type SiteList struct {
	// Sites is every site, in the order added.
	Sites []Site `json:"sites"`
	// Default names the default site ("" when there are none).
	Default string `json:"default,omitempty"`
}

// Find is the site called name (any case).
func (l SiteList) Find(name string) (Site, bool) {
	for _, s := range l.Sites {
		if strings.EqualFold(s.Name, strings.TrimSpace(name)) {
			return s, true
		}
	}
	return Site{}, false
}

// ErrNoSite reports a site name that is not among the sites.
var ErrNoSite = errors.New("no such site")

// Sites keeps the user's observatories (one setting in the store) and
// computes what they can observe of archived alerts, caching the results.
// A core has one (Core.Sites); a core that owns its data directory
// computes for the default site each alert it archives.
type Sites struct {
	c *Core

	results onceCache[obsKey, *observe.Result]
	regions onceCache[int64, *observe.Region]

	queue chan int64 // alerts to precompute

	// computed counts the computations run (not served from the cache), for tests.
	computed atomic.Int64
}

// Bounds of what Sites keeps: results (a few kB each) and regions (up to a
// few MB each for a fine map).
const (
	maxCachedResults = 256
	maxCachedRegions = 8
)

// obsKey is what a cached result is for: an alert, a site (its every
// limit) and a grid.
type obsKey struct {
	id   int64
	site observe.Site
	grid observe.Grid
}

// Sites is the core's sites.
func (c *Core) Sites() *Sites {
	c.sitesOnce.Do(func() {
		c.sites = &Sites{c: c}
		c.sites.results.max, c.sites.regions.max = maxCachedResults, maxCachedRegions
	})
	return c.sites
}

// List is the sites and the default one.
func (s *Sites) List(ctx context.Context) (SiteList, error) {
	var l SiteList
	v, ok, err := s.c.store.GetSetting(ctx, keySites)
	if err != nil || !ok {
		return l, err
	}
	if err := json.Unmarshal([]byte(v), &l); err != nil {
		return SiteList{}, fmt.Errorf("the saved sites (setting %s) are not readable: %v", keySites, err)
	}
	return l, nil
}

// save checks and writes l, and tells the watchers.
func (s *Sites) save(ctx context.Context, l SiteList) error {
	if l.Sites == nil {
		l.Sites = []Site{}
	}
	if _, ok := l.Find(l.Default); !ok {
		l.Default = ""
		if len(l.Sites) > 0 {
			l.Default = l.Sites[0].Name
		}
	}
	b, err := json.Marshal(l)
	if err != nil {
		return err
	}
	if err := s.c.store.SetSetting(ctx, keySites, string(b)); err != nil {
		return err
	}
	s.c.changed(ChangeSettings)
	return nil
}

// Add adds a site, or replaces the one of that name (any case); the first
// site, or one added with makeDefault, becomes the default. replaced says
// whether a site of that name was there.
func (s *Sites) Add(ctx context.Context, site Site, makeDefault bool) (replaced bool, err error) {
	site.Name = strings.TrimSpace(site.Name)
	if err := site.Check(); err != nil {
		return false, err
	}
	l, err := s.List(ctx)
	if err != nil {
		return false, err
	}
	for i := range l.Sites {
		if strings.EqualFold(l.Sites[i].Name, site.Name) {
			if strings.EqualFold(l.Default, site.Name) {
				l.Default = site.Name
			}
			l.Sites[i], replaced = site, true
		}
	}
	if !replaced {
		l.Sites = append(l.Sites, site)
	}
	if makeDefault || l.Default == "" {
		l.Default = site.Name
	}
	return replaced, s.save(ctx, l)
}

// Remove forgets the site called name (any case); ErrNoSite if there is
// none. The default passes to the first site left.
func (s *Sites) Remove(ctx context.Context, name string) error {
	l, err := s.List(ctx)
	if err != nil {
		return err
	}
	kept := l.Sites[:0:0]
	for _, x := range l.Sites {
		if !strings.EqualFold(x.Name, strings.TrimSpace(name)) {
			kept = append(kept, x)
		}
	}
	if len(kept) == len(l.Sites) {
		return fmt.Errorf("%w %q", ErrNoSite, name)
	}
	l.Sites = kept
	return s.save(ctx, l)
}

// Default is the default site; ok is false when there are no sites.
func (s *Sites) Default(ctx context.Context) (site Site, ok bool, err error) {
	l, err := s.List(ctx)
	if err != nil {
		return Site{}, false, err
	}
	site, ok = l.Find(l.Default)
	return site, ok, nil
}

// SetDefault makes the site called name the default; ErrNoSite if there is none.
func (s *Sites) SetDefault(ctx context.Context, name string) error {
	l, err := s.List(ctx)
	if err != nil {
		return err
	}
	site, ok := l.Find(name)
	if !ok {
		return fmt.Errorf("%w %q", ErrNoSite, name)
	}
	l.Default = site.Name
	return s.save(ctx, l)
}

// Site is the site called name (any case); ErrNoSite if there is none.
func (s *Sites) Site(ctx context.Context, name string) (Site, error) {
	l, err := s.List(ctx)
	if err != nil {
		return Site{}, err
	}
	site, ok := l.Find(name)
	if !ok {
		return Site{}, fmt.Errorf("%w %q", ErrNoSite, name)
	}
	return site, nil
}

// ErrNoRegion reports an alert with neither a sky map nor a position.
var ErrNoRegion = errors.New("the alert has neither a sky map nor a position")

// NextGrid is the grid of the next 24 hours every 10 minutes, from now
// rounded down to the step, so that results computed within one step are
// the same and cached.
func NextGrid(now time.Time) observe.Grid {
	return observe.DefaultGrid(now.UTC().Truncate(10 * time.Minute))
}

// Observe is what the site called site can observe of the archived alert
// alertID (its sky map, or else its position and error circle) over grid;
// ErrNoRegion for an alert with neither, ErrNoSite for an unknown site.
// Results are cached per alert, site and grid (a bounded number), and one
// computation serves every caller asking for it at once. It computes on
// the caller's goroutine: call it off the UI goroutine.
func (s *Sites) Observe(ctx context.Context, alertID int64, site string, grid observe.Grid) (*observe.Result, error) {
	st, err := s.Site(ctx, site)
	if err != nil {
		return nil, err
	}
	return s.ObserveFrom(ctx, alertID, st, grid)
}

// ObserveFrom is Observe for a site given in full (one not saved, say).
func (s *Sites) ObserveFrom(ctx context.Context, alertID int64, site Site, grid observe.Grid) (*observe.Result, error) {
	ost := site.Observe()
	if err := ost.Validate(); err != nil {
		return nil, err
	}
	if err := grid.Validate(); err != nil {
		return nil, err
	}
	grid.Start = grid.Start.UTC().Round(0)
	key := obsKey{id: alertID, site: ost, grid: grid}
	// An error (a cancelled context, say) is not kept.
	return s.results.get(ctx, key, func() (*observe.Result, error) { return s.compute(ctx, key) }, func(error) bool { return true })
}

// compute runs one computation.
func (s *Sites) compute(ctx context.Context, key obsKey) (*observe.Result, error) {
	g, err := s.region(ctx, key.id)
	if err != nil {
		return nil, err
	}
	s.computed.Add(1)
	return observe.Compute(key.site, key.grid, g)
}

// region is the alert's region: its sky map, or else its error circle
// (a position without an error is a 1′ circle). Kept for the last few alerts.
func (s *Sites) region(ctx context.Context, id int64) (*observe.Region, error) {
	// Kept even when it fails (no map, no position), unless it was cut short.
	return s.regions.get(ctx, id, func() (*observe.Region, error) { return s.readRegion(ctx, id) },
		func(error) bool { return ctx.Err() != nil })
}

// minCircle is the radius given to a position without an error, in degrees (1′).
const minCircle = 1.0 / 60

// readRegion reads the alert's region from the archive.
func (s *Sites) readRegion(ctx context.Context, id int64) (*observe.Region, error) {
	row, _, err := s.c.store.GetEventByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if row.Skymap != nil {
		m, err := s.c.Archive().Skymap(ctx, id)
		if err != nil {
			return nil, err
		}
		if m != nil {
			return observe.FromMap(m)
		}
	}
	if !row.HasPosition {
		return nil, ErrNoRegion
	}
	return CircleRegion(row.RA, row.Dec, row.ErrorRadius)
}

// CircleRegion is a position and its error radius (degrees) as a region; a
// radius of 0 or less (none given) is read as 1′.
func CircleRegion(ra, dec, radius float64) (*observe.Region, error) {
	if !(radius > minCircle) || math.IsNaN(radius) {
		radius = minCircle
	}
	return observe.FromCircle(ra, dec, math.Min(radius, 180))
}

// Tonight is the percentage of the archived alert alertID that the default
// site can observe in the next 24 hours (P_any, 0–100); ok is false when
// there is no default site or the alert has no sky map nor position.
func (s *Sites) Tonight(ctx context.Context, alertID int64) (pct float64, ok bool, err error) {
	site, ok, err := s.Default(ctx)
	if err != nil || !ok {
		return 0, false, err
	}
	r, err := s.ObserveFrom(ctx, alertID, site, NextGrid(time.Now()))
	if errors.Is(err, ErrNoRegion) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	return 100 * r.PAny, true, nil
}

// WindowText is a result in a few words: "best 01:10–04:30 UTC, 63 %", or
// "not observable" when nothing meets the limits.
func WindowText(r *observe.Result) string {
	first, last, ok := r.Window()
	if !ok {
		return "not observable"
	}
	return fmt.Sprintf("best %s–%s UTC, %.0f %%", first.UTC().Format("15:04"), last.UTC().Format("15:04"), 100*r.PBest)
}

// precomputeQueue bounds the alerts waiting to be precomputed; beyond it
// they are computed when first shown.
const precomputeQueue = 64

// watch starts computing, for the default site, each alert the core
// archives, until the core closes.
func (s *Sites) watch() {
	s.queue = make(chan int64, precomputeQueue)
	cancel := s.c.Watch(func(ch Change) {
		if ch.Kind&ChangeArchive != 0 && ch.Alert.ID != 0 {
			select {
			case s.queue <- ch.Alert.ID:
			default:
			}
		}
	})
	context.AfterFunc(s.c.ctx, cancel)
	s.c.wg.Add(1)
	go func() {
		defer s.c.wg.Done()
		for {
			select {
			case <-s.c.ctx.Done():
				return
			case id := <-s.queue:
				s.precompute(id)
			}
		}
	}()
}

// precompute computes the alert for the default site over the next 24 hours.
func (s *Sites) precompute(id int64) {
	ctx, cancel := context.WithTimeout(s.c.ctx, 30*time.Second)
	defer cancel()
	site, ok, err := s.Default(ctx)
	if err != nil || !ok {
		return
	}
	if _, err := s.ObserveFrom(ctx, id, site, NextGrid(time.Now())); err != nil && !errors.Is(err, ErrNoRegion) && ctx.Err() == nil {
		s.c.log.Warn(fmt.Sprintf("observability of alert %d from %s not computed: %v", id, site.Name, err), "component", "observe")
	}
}
