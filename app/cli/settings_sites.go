package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/starling-broker/starling/app"
)

const sitesUsage = `usage: starling settings sites COMMAND [options]

commands:
  list [--json]         the observatories kept for observability, the default marked *
  presets               major observatories to add by name (add NAME --preset)
  add NAME --lat DEG --lon DEG --height M [--max-airmass X] [--sun-alt DEG]
          [--moon-distance DEG] [--default]
                        add a site (or replace the site of that name); longitude
                        east positive; the first site added is the default
  add NAME --preset PRESET [...]
                        add a preset's coordinates under NAME
  remove NAME           forget a site (the default passes to the first left)
  default NAME          make NAME the default site

The window, the notification rules and starling observability --site use them.
Every command takes --data-dir DIR.
`

func runSettingsSites(env Env, args []string) error {
	return dispatch(env, "starling settings sites", sitesUsage, []subcommand{
		{names: []string{"list", "ls"}, run: sitesList},
		{names: []string{"presets"}, run: sitesPresets},
		{names: []string{"add"}, run: sitesAdd},
		{names: []string{"remove", "rm"}, run: sitesRemove},
		{names: []string{"default"}, run: sitesDefault},
	}, args)
}

// floatOption reads option long as a number; given is false when it is absent.
func floatOption(a *argSet, long string) (v float64, given bool, err error) {
	s := strings.TrimSpace(a.str(long, ""))
	if !a.isSet(long) {
		return 0, false, nil
	}
	v, err = strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, true, exitf(exitUsage, "--%s: %q is not a number", long, s)
	}
	return v, true, nil
}

// limitOptions are the options of a site's limits.
var limitOptions = []option{
	{long: "max-airmass", kind: flagValue, meta: "X", help: "the largest airmass observed (default 2.5)"},
	{long: "sun-alt", kind: flagValue, meta: "DEG", help: "the highest Sun altitude counted as night (default −18: astronomical; −12 nautical, −6 civil)"},
	{long: "moon-distance", kind: flagValue, meta: "DEG", help: "the least distance kept from the Moon (default none)"},
}

// applyLimits sets the site's limits the options give.
func applyLimits(a *argSet, s *app.Site) error {
	for _, f := range []struct {
		name string
		into *float64
	}{{"max-airmass", &s.MaxAirmass}, {"sun-alt", &s.SunAlt}, {"moon-distance", &s.MoonDistance}} {
		v, given, err := floatOption(a, f.name)
		if err != nil {
			return err
		}
		if given {
			*f.into = v
		}
	}
	return nil
}

func sitesList(env Env, args []string) error {
	a := settingsArgs("sites", "list", "starling settings sites list [--json] [--data-dir DIR]")
	a.add(option{long: "json", kind: flagBool, help: "the sites and the default as the setting holds them"})
	if done, err := parseOrHelp(env, a, args); done {
		return err
	}
	if len(a.positional) > 0 {
		return exitf(exitUsage, "unexpected argument %q", a.positional[0])
	}
	var l app.SiteList
	err := readCore(env, func() (*app.Core, error) { return rulesCore(env.Context(), a, true) }, func(core *app.Core) (err error) {
		l, err = core.Sites().List(env.Context())
		return err
	})
	if err != nil {
		return err
	}
	if a.isSet("json") {
		if l.Sites == nil {
			l.Sites = []app.Site{}
		}
		b, _ := json.MarshalIndent(l, "", "  ")
		fmt.Fprintln(env.Stdout, string(b))
		return nil
	}
	if len(l.Sites) == 0 {
		fmt.Fprintln(env.Stdout, "No sites. Add one with starling settings sites add NAME --lat DEG --lon DEG --height M.")
		return nil
	}
	return printSites(env, l.Sites, l.Default)
}

// printSites prints sites as a table, marking the default.
func printSites(env Env, sites []app.Site, dflt string) error {
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\tNAME\tLAT\tLON\tHEIGHT\tAIRMASS≤\tSUN≤\tMOON≥")
	for _, s := range sites {
		mark, moon := "", "-"
		if strings.EqualFold(s.Name, dflt) && dflt != "" {
			mark = "*"
		}
		if s.MoonDistance > 0 {
			moon = fmt.Sprintf("%g°", s.MoonDistance)
		}
		fmt.Fprintf(tw, "%s\t%s\t%+.4f°\t%+.4f°\t%.0f m\t%g\t%g°\t%s\n", mark, s.Name, s.Lat, s.Lon, s.Height, s.MaxAirmass, s.SunAlt, moon)
	}
	return tw.Flush()
}

func sitesPresets(env Env, args []string) error {
	a := settingsArgs("sites", "presets", "starling settings sites presets")
	if done, err := parseOrHelp(env, a, args); done {
		return err
	}
	return printSites(env, app.SitePresets(), "")
}

func sitesAdd(env Env, args []string) error {
	a := settingsArgs("sites", "add", "starling settings sites add NAME --lat DEG --lon DEG --height M [--max-airmass X] [--sun-alt DEG] [--moon-distance DEG] [--default] [--data-dir DIR]")
	for _, o := range append([]option{
		{long: "lat", kind: flagValue, meta: "DEG", help: "geodetic latitude, north positive"},
		{long: "lon", kind: flagValue, meta: "DEG", help: "longitude, east positive"},
		{long: "height", kind: flagValue, meta: "M", help: "height above sea level in metres"},
		{long: "preset", kind: flagValue, meta: "PRESET", help: "the coordinates of a preset observatory (see presets)"},
		{long: "default", kind: flagBool, help: "make it the default site"},
	}, limitOptions...) {
		a.add(o)
	}
	if done, err := parseOrHelp(env, a, args); done {
		return err
	}
	if len(a.positional) != 1 || strings.TrimSpace(a.positional[0]) == "" {
		return exitf(exitUsage, "give the site's NAME (one argument; quote a name with spaces)")
	}
	site := app.NewSite(strings.TrimSpace(a.positional[0]), 0, 0, 0)
	if p := a.str("preset", ""); p != "" {
		preset, ok := app.SitePreset(p)
		if !ok {
			return exitf(exitUsage, "--preset: no preset called %q (see starling settings sites presets)", p)
		}
		site.Lat, site.Lon, site.Height = preset.Lat, preset.Lon, preset.Height
	} else {
		for _, need := range []string{"lat", "lon", "height"} {
			if !a.isSet(need) {
				return exitf(exitUsage, "give --lat, --lon and --height (or --preset)")
			}
		}
	}
	for _, f := range []struct {
		name string
		into *float64
	}{{"lat", &site.Lat}, {"lon", &site.Lon}, {"height", &site.Height}} {
		v, given, err := floatOption(a, f.name)
		if err != nil {
			return err
		}
		if given {
			*f.into = v
		}
	}
	if err := applyLimits(a, &site); err != nil {
		return err
	}
	if err := site.Check(); err != nil {
		return exitf(exitUsage, "%v", err)
	}
	core, err := rulesCore(env.Context(), a, false)
	if err != nil {
		return exitf(exitFailure, "%v", err)
	}
	defer closeCore(env, core)
	replaced, err := core.Sites().Add(env.Context(), site, a.isSet("default"))
	if err != nil {
		return exitf(exitFailure, "%v", err)
	}
	verb := "Added"
	if replaced {
		verb = "Replaced"
	}
	fmt.Fprintf(env.Stdout, "%s %s\n", verb, site.Describe())
	return nil
}

func sitesRemove(env Env, args []string) error {
	return sitesByName(env, args, "remove", func(s *app.Sites, env Env, name string) (string, error) {
		return "Removed " + name, s.Remove(env.Context(), name)
	})
}

func sitesDefault(env Env, args []string) error {
	return sitesByName(env, args, "default", func(s *app.Sites, env Env, name string) (string, error) {
		return name + " is the default site", s.SetDefault(env.Context(), name)
	})
}

// sitesByName runs a command that takes one site's NAME.
func sitesByName(env Env, args []string, verb string, f func(*app.Sites, Env, string) (string, error)) error {
	a := settingsArgs("sites", verb, "starling settings sites "+verb+" NAME [--data-dir DIR]")
	if done, err := parseOrHelp(env, a, args); done {
		return err
	}
	if len(a.positional) != 1 {
		return exitf(exitUsage, "give the site's NAME")
	}
	core, err := rulesCore(env.Context(), a, false)
	if err != nil {
		return exitf(exitFailure, "%v", err)
	}
	defer closeCore(env, core)
	msg, err := f(core.Sites(), env, strings.TrimSpace(a.positional[0]))
	if errors.Is(err, app.ErrNoSite) {
		var names []string
		if l, lerr := core.Sites().List(env.Context()); lerr == nil {
			for _, s := range l.Sites {
				names = append(names, strconv.Quote(s.Name))
			}
		}
		return exitf(exitFailure, "no site called %q (sites: %s)", a.positional[0], orNone(strings.Join(names, ", ")))
	}
	if err != nil {
		return exitf(exitFailure, "%v", err)
	}
	fmt.Fprintln(env.Stdout, msg)
	return nil
}

// orNone is s, or "none".
func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// observableSite sets the rule's --site, which must name a kept site, and
// refuses --site or --within without --observable.
func observableSite(env Env, core *app.Core, a *argSet, r *app.NotifyRule) error {
	if r.Observable <= 0 {
		if a.isSet("site") || a.isSet("within") {
			return exitf(exitUsage, "--site and --within go with --observable PCT")
		}
		return nil
	}
	name := strings.TrimSpace(a.str("site", ""))
	if name == "" {
		if _, ok, err := core.Sites().Default(env.Context()); err != nil || !ok {
			return exitf(exitUsage, "--observable needs a site: give --site NAME, or add one with starling settings sites add")
		}
		return nil
	}
	site, err := core.Sites().Site(env.Context(), name)
	if errors.Is(err, app.ErrNoSite) {
		return exitf(exitUsage, "--site: no site called %q (see starling settings sites list)", name)
	}
	if err != nil {
		return exitf(exitFailure, "%v", err)
	}
	r.Site = site.Name
	return nil
}
