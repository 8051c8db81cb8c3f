package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/netcore/alert"
	"github.com/starling-broker/starling/netcore/describe"
	"github.com/starling-broker/starling/netcore/observe"
	"github.com/starling-broker/starling/netcore/skymap"
	"github.com/starling-broker/starling/netcore/voevent"
	"github.com/starling-broker/starling/netcore/when"
)

const observabilityUsage = "starling observability FILE|KEY [--site NAME | --lat DEG --lon DEG --height M] [--start TIME] [--step 10m] [--duration 24h] [--max-airmass 2.5] [--sun-alt -18] [--moon-distance DEG] [--json] [--data-dir DIR]"

// observabilityJSON is what --json prints: exactly these keys.
type observabilityJSON struct {
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

func runObservability(env Env, args []string) error {
	a := newArgSet("starling observability", observabilityUsage)
	for _, o := range append([]option{
		{long: "site", kind: flagValue, meta: "NAME", help: "a site kept by starling settings sites (default: the default site)"},
		{long: "lat", kind: flagValue, meta: "DEG", help: "or a site's latitude, north positive"},
		{long: "lon", kind: flagValue, meta: "DEG", help: "its longitude, east positive"},
		{long: "height", kind: flagValue, meta: "M", help: "its height in metres (default 0)"},
		{long: "start", kind: flagValue, meta: "TIME", help: "the first instant (default now): " + when.Examples},
		{long: "step", kind: flagValue, meta: "DURATION", help: "the time between instants (default 10m)"},
		{long: "duration", kind: flagValue, meta: "DURATION", help: "from the first instant to the last (default 24h)"},
		{long: "json", kind: flagBool, help: "print site, start, step_s, p_any, best_index, p_best, window_start, window_end and series as JSON"},
	}, limitOptions...) {
		a.add(o)
	}
	dataDirOption(a)
	if done, err := parseOrHelp(env, a, args); done {
		return err
	}
	if len(a.positional) != 1 {
		return exitBare(exitUsage, "usage: "+observabilityUsage)
	}
	grid, err := observabilityGrid(a, time.Now())
	if err != nil {
		return err
	}
	ctx := env.Context()
	src := a.positional[0]
	archived := false
	if _, serr := os.Stat(src); serr != nil && isArchiveKey(src) {
		archived = true
	}
	site, core, err := observabilitySite(ctx, a, archived)
	if core != nil {
		defer closeCore(env, core)
	}
	if err != nil {
		return err
	}
	var res *observe.Result
	if archived {
		row, _, err := core.Archive().Event(ctx, src)
		if errors.Is(err, app.ErrNotFound) {
			return exitf(exitFailure, "no event %s in the archive of %s", src, dataDir(a))
		}
		if err != nil {
			return exitf(exitFailure, "%v", err)
		}
		if res, err = core.Sites().ObserveFrom(ctx, row.ID, site, grid); err != nil {
			return observabilityError(src, err)
		}
	} else {
		region, err := fileRegion(src)
		if err != nil {
			return err
		}
		if res, err = observe.Compute(site.Observe(), grid, region); err != nil {
			return observabilityError(src, err)
		}
	}
	if a.isSet("json") {
		return printObservabilityJSON(env.Stdout, res)
	}
	printObservability(env.Stdout, res)
	return nil
}

// observabilityError is the command's error for a failed computation.
func observabilityError(src string, err error) error {
	switch {
	case errors.Is(err, observe.ErrInput):
		return exitf(exitUsage, "%v", err)
	case errors.Is(err, app.ErrNoRegion):
		return exitf(exitFailure, "%s: %v", src, err)
	}
	return exitf(exitFailure, "%s: %v", src, err)
}

// observabilityGrid reads --start, --step and --duration.
func observabilityGrid(a *argSet, now time.Time) (observe.Grid, error) {
	g := observe.DefaultGrid(now.UTC().Truncate(time.Second))
	if s := a.str("start", ""); s != "" {
		t, err := when.Start(s, now)
		if err != nil {
			return g, exitf(exitUsage, "--start: %v", err)
		}
		g.Start = t.UTC()
	}
	for _, f := range []struct {
		name string
		into *time.Duration
	}{{"step", &g.Step}, {"duration", &g.Duration}} {
		if s := a.str(f.name, ""); s != "" {
			d, err := time.ParseDuration(strings.TrimSpace(s))
			if err != nil {
				return g, exitf(exitUsage, "--%s: %q is not a duration such as 10m, 1h30m or 24h", f.name, s)
			}
			*f.into = d
		}
	}
	if err := g.Validate(); err != nil {
		return g, exitf(exitUsage, "%v", err)
	}
	return g, nil
}

// observabilitySite is the site the options name: --lat/--lon/--height,
// else --site or the default site of the data directory (opened, and
// returned to close, when needed: for a site or an archived alert).
func observabilitySite(ctx context.Context, a *argSet, needCore bool) (app.Site, *app.Core, error) {
	coords := a.isSet("lat") || a.isSet("lon") || a.isSet("height")
	if coords && a.isSet("site") {
		return app.Site{}, nil, exitf(exitUsage, "give --site NAME or --lat, --lon and --height, not both")
	}
	var core *app.Core
	if needCore || !coords {
		var err error
		core, err = openCore(ctx, a, true, true)
		if errors.Is(err, app.ErrNoData) {
			if needCore {
				return app.Site{}, nil, exitf(exitFailure, "no event %s in the archive of %s", a.positional[0], dataDir(a))
			}
			if a.isSet("site") {
				return app.Site{}, nil, exitf(exitUsage, "no site called %q in %s (see starling settings sites list)", a.str("site", ""), dataDir(a))
			}
			return app.Site{}, nil, exitf(exitUsage, "no sites in %s: give --lat, --lon and --height, or add one with starling settings sites add", dataDir(a))
		}
		if err != nil {
			return app.Site{}, nil, exitf(exitFailure, "%v", err)
		}
	}
	var site app.Site
	switch {
	case coords:
		if !a.isSet("lat") || !a.isSet("lon") {
			return site, core, exitf(exitUsage, "give both --lat and --lon (and --height)")
		}
		site = app.NewSite("", 0, 0, 0)
		for _, f := range []struct {
			name string
			into *float64
		}{{"lat", &site.Lat}, {"lon", &site.Lon}, {"height", &site.Height}} {
			v, given, err := floatOption(a, f.name)
			if err != nil {
				return site, core, err
			}
			if given {
				*f.into = v
			}
		}
		site.Name = "custom"
	case a.isSet("site"):
		var err error
		if site, err = core.Sites().Site(ctx, a.str("site", "")); err != nil {
			if errors.Is(err, app.ErrNoSite) {
				return site, core, exitf(exitUsage, "no site called %q in %s (see starling settings sites list)", a.str("site", ""), dataDir(a))
			}
			return site, core, exitf(exitFailure, "%v", err)
		}
	default:
		d, ok, err := core.Sites().Default(ctx)
		if err != nil {
			return site, core, exitf(exitFailure, "%v", err)
		}
		if !ok {
			return site, core, exitf(exitUsage, "no sites in %s: give --site NAME or --lat, --lon and --height, or add one with starling settings sites add", dataDir(a))
		}
		site = d
	}
	if err := applyLimits(a, &site); err != nil {
		return site, core, err
	}
	if err := site.Check(); err != nil {
		return site, core, exitf(exitUsage, "%v", err)
	}
	return site, core, nil
}

// fileRegion reads a file's region: a FITS sky map (plain or gzipped), an
// alert JSON's embedded map or else its position, or a VOEvent's position
// and error circle.
func fileRegion(path string) (*observe.Region, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, exitf(exitFailure, "%v", err)
	}
	trimmed := bytes.TrimLeft(raw, " \t\r\n\ufeff")
	switch {
	case len(trimmed) > 0 && trimmed[0] == '<':
		ev, err := voevent.Parse(raw)
		if err != nil {
			return nil, exitf(exitFailure, "%s: not a VOEvent: %v", path, err)
		}
		return positionRegion(path, describe.VOEvent(ev, false))
	case len(trimmed) > 0 && trimmed[0] == '{':
		fits, err := skymap.FromAlertJSON(raw)
		if errors.Is(err, skymap.ErrNoSkymap) {
			return positionRegion(path, describe.JSON("", raw, false))
		}
		if err != nil {
			return nil, exitf(exitFailure, "%s: %v", path, err)
		}
		m, err := skymap.Read(fits)
		if err != nil {
			return nil, exitf(exitFailure, "%s: %v", path, err)
		}
		return mapRegion(path, m)
	}
	m, err := skymap.Read(raw)
	if err != nil {
		return nil, exitf(exitFailure, "%s: neither a VOEvent, an alert JSON nor a FITS sky map: %v", path, err)
	}
	return mapRegion(path, m)
}

// mapRegion is a map's region.
func mapRegion(path string, m *skymap.Map) (*observe.Region, error) {
	g, err := observe.FromMap(m)
	if err != nil {
		return nil, exitf(exitFailure, "%s: %v", path, err)
	}
	return g, nil
}

// positionRegion is an alert's error circle.
func positionRegion(path string, sm alert.Summary) (*observe.Region, error) {
	if !sm.HasPosition {
		return nil, exitf(exitFailure, "%s: the alert has neither a sky map nor a position", path)
	}
	g, err := app.CircleRegion(sm.RA, sm.Dec, sm.ErrorDeg)
	if err != nil {
		return nil, exitf(exitFailure, "%s: %v", path, err)
	}
	return g, nil
}

// timeText is an instant as the output writes it.
func timeText(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func printObservabilityJSON(w io.Writer, r *observe.Result) error {
	out := observabilityJSON{Site: r.Site.Name, Start: timeText(r.Grid.Start), StepS: r.Grid.Step.Seconds(),
		PAny: r.PAny, BestIndex: r.Best, PBest: r.PBest, Series: r.P}
	if first, last, ok := r.Window(); ok {
		s, e := timeText(first), timeText(last)
		out.WindowStart, out.WindowEnd = &s, &e
	}
	b, err := json.Marshal(out)
	if err != nil {
		return exitf(exitFailure, "%v", err)
	}
	fmt.Fprintln(w, string(b))
	return nil
}

// barWidth bounds the text bar's characters: beyond it, instants are grouped.
const barWidth = 72

// printObservability prints a short table and a text bar.
func printObservability(w io.Writer, r *observe.Result) {
	s := r.Site
	fmt.Fprintf(w, "site      %s (lat %+.4f° lon %+.4f° %.0f m; airmass ≤ %g, Sun ≤ %g°", s.Name, s.Lat, s.Lon, s.Height, s.MaxAirmass, s.SunAlt)
	if s.MoonDistance > 0 {
		fmt.Fprintf(w, ", Moon ≥ %g°", s.MoonDistance)
	}
	fmt.Fprintln(w, ")")
	n := len(r.P)
	fmt.Fprintf(w, "grid      %s to %s UTC every %v (%d instants)\n", r.Grid.Start.UTC().Format("2006-01-02 15:04"), r.Grid.Time(n-1).UTC().Format("2006-01-02 15:04"), r.Grid.Step, n)
	fmt.Fprintf(w, "P_any     %.1f %%  (observable at one instant or more)\n", 100*r.PAny)
	if t, ok := r.BestTime(); ok {
		first, last, _ := r.Window()
		fmt.Fprintf(w, "best      %.1f %% at %s UTC\n", 100*r.PBest, t.UTC().Format("2006-01-02 15:04"))
		fmt.Fprintf(w, "window    %s – %s UTC (P at least half its best)\n", first.UTC().Format("2006-01-02 15:04"), last.UTC().Format("2006-01-02 15:04"))
	} else {
		fmt.Fprintln(w, "best      not observable within the limits")
	}
	// The table: about a dozen rows, the best instant among them.
	stride := max(1, (n+11)/12)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "time (UTC)         P        Sun alt  Moon alt")
	for k := range n {
		if k%stride != 0 && k != r.Best && k != n-1 {
			continue
		}
		mark := ""
		if k == r.Best {
			mark = "  ← best"
		}
		fmt.Fprintf(w, "%s   %5.1f %%  %+6.1f°  %+6.1f°%s\n", r.Grid.Time(k).UTC().Format("2006-01-02 15:04"), 100*r.P[k], r.SunAlt[k], r.MoonAlt[k], mark)
	}
	fmt.Fprintln(w)
	group := max(1, (n+barWidth-1)/barWidth)
	var bar, sky strings.Builder
	levels := []rune("▁▂▃▄▅▆▇█")
	for k := 0; k < n; k += group {
		p, sun := 0.0, -90.0
		for j := k; j < min(n, k+group); j++ {
			p, sun = max(p, r.P[j]), max(sun, r.SunAlt[j])
		}
		switch {
		case p > 0:
			bar.WriteRune(levels[min(len(levels)-1, int(p*float64(len(levels))))])
		case sun > s.SunAlt:
			bar.WriteRune(' ')
		default:
			bar.WriteRune('·')
		}
		switch {
		case sun > 0:
			sky.WriteRune('-')
		case sun > s.SunAlt:
			sky.WriteRune('t')
		default:
			sky.WriteRune('N')
		}
	}
	fmt.Fprintf(w, "P    |%s|\n", bar.String())
	fmt.Fprintf(w, "sky  |%s|  (- day, t twilight, N night; one mark per %v)\n", sky.String(), time.Duration(group)*r.Grid.Step)
}
