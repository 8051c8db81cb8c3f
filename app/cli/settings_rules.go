package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/netcore/channel"
)

const rulesUsage = `usage: starling settings rules COMMAND [options]

commands:
  list [--json]         the notification rules, in the order they are tried
  add NAME [options]    add a rule (or replace the rule of that name), with the
                        fields of the window's rule form (see add --help)
  remove NAME           remove a rule (the default rules too: they do not come back)

The desktop app reads the rules before each alert: changes apply at once.
Every command takes --data-dir DIR.
`

func runSettingsRules(env Env, args []string) error {
	return dispatch(env, "starling settings rules", rulesUsage, []subcommand{
		{names: []string{"list", "ls"}, run: rulesList},
		{names: []string{"add"}, run: rulesAdd},
		{names: []string{"remove", "rm"}, run: rulesRemove},
	}, args)
}

// settingsArgs is the argument set of `starling settings GROUP NAME`.
func settingsArgs(group, name, usage string) *argSet {
	a := newArgSet("starling settings "+group+" "+name, usage)
	dataDirOption(a)
	return a
}

// rulesCore opens the data directory's core to read or change its rules.
func rulesCore(ctx context.Context, a *argSet, readOnly bool) (*app.Core, error) {
	return app.Open(ctx, app.Options{DataDir: dataDir(a), Shared: true, MustExist: readOnly, ReadOnly: readOnly})
}

func rulesList(env Env, args []string) error {
	a := settingsArgs("rules", "list", "starling settings rules list [--json] [--data-dir DIR]")
	a.add(option{long: "json", kind: flagBool, help: "the rules as the rules file holds them (a JSON array)"})
	if done, err := parseOrHelp(env, a, args); done {
		return err
	}
	if len(a.positional) > 0 {
		return exitf(exitUsage, "unexpected argument %q", a.positional[0])
	}
	cfg := app.NotifyConfig{Rules: app.DefaultNotifyRules()} // what a new data directory starts with
	err := readCore(env, func() (*app.Core, error) { return rulesCore(env.Context(), a, true) }, func(core *app.Core) (err error) {
		cfg, err = core.Settings().Rules()
		return err
	})
	if err != nil {
		return err
	}
	if a.isSet("json") {
		rules := cfg.Rules
		if rules == nil {
			rules = []app.NotifyRule{}
		}
		b, err := json.MarshalIndent(rules, "", "  ")
		if err != nil {
			return exitf(exitFailure, "%v", err)
		}
		fmt.Fprintln(env.Stdout, string(b))
		return nil
	}
	if len(cfg.Rules) == 0 {
		fmt.Fprintln(env.Stdout, "No notification rules.")
	}
	for _, r := range cfg.Rules {
		fmt.Fprintln(env.Stdout, r.Describe())
	}
	if cfg.QuietFrom != "" && cfg.QuietFrom != cfg.QuietTo {
		fmt.Fprintf(env.Stdout, "Quiet hours: %s to %s\n", cfg.QuietFrom, cfg.QuietTo)
	}
	return nil
}

func rulesAdd(env Env, args []string) error {
	a := settingsArgs("rules", "add", "starling settings rules add NAME [options] [--data-dir DIR]")
	for _, o := range []option{
		{long: "source", kind: flagValue, meta: "TEXT", help: "the alert's source or Kafka topic contains TEXT (any case)"},
		{long: "type", kind: flagValue, meta: "TEXT", help: "its alert type or mission contains TEXT; alternatives separated by commas (\"GBM, IceCube\")"},
		{long: "far-years", kind: flagValue, meta: "N", help: "a FAR below 1 per N years"},
		{long: "class", kind: flagValue, meta: "CLASSES", help: "an LVK alert most probably of one of these classes (BNS,NSBH,BBH,Terrestrial)"},
		{long: "min-has-ns", kind: flagValue, meta: "P", help: "an LVK HasNS probability of at least P (0–1)"},
		{long: "significant", kind: flagBool, help: "LVK alerts marked significant"},
		{long: "max-area90", kind: flagValue, meta: "DEG2", help: "a 90% area (sky map) or error circle of at most DEG2 square degrees"},
		{long: "max-distance", kind: flagValue, meta: "MPC", help: "a sky map's mean distance of at most MPC"},
		{long: "position", kind: flagBool, help: "alerts with a position (an error circle or a sky map)"},
		{long: "cone", kind: flagValue, meta: "RA,DEC,RADIUS[,PROB]", help: "a position within RADIUS degrees of RA, Dec (with PROB: a sky map's probability there at least PROB)"},
		{long: "observable", kind: flagValue, meta: "PCT", help: "at least PCT % of the sky map or error circle observable from --site within --within hours"},
		{long: "site", kind: flagValue, meta: "NAME", help: "the site for --observable (default: the default site; see settings sites)"},
		{long: "within", kind: flagValue, meta: "HOURS", help: "the span for --observable from the alert's arrival (default 24)"},
		{long: "retraction", kind: flagBool, help: "a rule for retractions: a critical notification when a trigger notified before is retracted"},
		{long: "test", kind: flagBool, help: "test and mock alerts too"},
		{long: "sound", kind: flagBool, help: "play a sound"},
		{long: "disabled", kind: flagBool, help: "keep the rule without using it"},
		{long: "channel", kind: flagRepeat, meta: "NAME[,…]", help: "also send to these notification channels (see settings channels); repeatable or comma-separated"},
	} {
		a.add(o)
	}
	if done, err := parseOrHelp(env, a, args); done {
		return err
	}
	if len(a.positional) != 1 || strings.TrimSpace(a.positional[0]) == "" {
		return exitf(exitUsage, "give the rule's NAME (one argument; quote a name with spaces)")
	}
	r := app.NotifyRule{Name: strings.TrimSpace(a.positional[0]), Source: a.str("source", ""), Type: a.str("type", ""), Class: a.str("class", ""),
		Significant: a.isSet("significant"), Position: a.isSet("position"), Retraction: a.isSet("retraction"),
		IncludeTest: a.isSet("test"), Sound: a.isSet("sound"), Disabled: a.isSet("disabled")}
	for _, f := range []struct {
		name string
		into *float64
	}{{"far-years", &r.FARYears}, {"min-has-ns", &r.MinHasNS}, {"max-area90", &r.MaxArea90}, {"max-distance", &r.MaxDistance},
		{"observable", &r.Observable}, {"within", &r.WithinHours}} {
		if s := a.str(f.name, ""); s != "" {
			v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil {
				return exitf(exitUsage, "--%s: %q is not a number", f.name, s)
			}
			*f.into = v
		}
	}
	if s := a.str("cone", ""); s != "" {
		parts := strings.Split(s, ",")
		if len(parts) < 3 || len(parts) > 4 {
			return exitf(exitUsage, "--cone: want RA,DEC,RADIUS or RA,DEC,RADIUS,PROB (degrees), not %q", s)
		}
		var v [4]float64
		for i, p := range parts {
			var err error
			if v[i], err = strconv.ParseFloat(strings.TrimSpace(p), 64); err != nil {
				return exitf(exitUsage, "--cone: %q is not a number", p)
			}
		}
		r.Cone = &app.Cone{RA: v[0], Dec: v[1], Radius: v[2], MinProb: v[3]}
	}
	for _, v := range a.list("channel") {
		for _, name := range strings.Split(v, ",") {
			if name = strings.TrimSpace(name); name != "" && !slices.Contains(r.Channels, name) {
				r.Channels = append(r.Channels, name)
			}
		}
	}
	core, err := rulesCore(env.Context(), a, false)
	if err != nil {
		return exitf(exitFailure, "%v", err)
	}
	defer closeCore(env, core)
	if err := observableSite(env, core, a, &r); err != nil {
		return err
	}
	if len(r.Channels) > 0 {
		have, err := core.Channels().List()
		if err != nil {
			return exitf(exitFailure, "%v", err)
		}
		for _, name := range r.Channels {
			if !slices.ContainsFunc(have, func(c channel.Config) bool { return c.Name == name }) {
				return exitf(exitUsage, "--channel: no channel is named %q (add it first: starling settings channels add)", name)
			}
		}
	}
	cfg, err := core.Settings().Rules()
	if err != nil {
		return exitf(exitFailure, "%v", err)
	}
	verb := "Added"
	replaced := false
	for i := range cfg.Rules {
		if cfg.Rules[i].Name == r.Name {
			cfg.Rules[i], replaced, verb = r, true, "Replaced"
		}
	}
	if !replaced {
		cfg.Rules = append(cfg.Rules, r)
	}
	if err := core.Settings().SaveRules(cfg); err != nil {
		return exitf(exitUsage, "%v", err)
	}
	fmt.Fprintf(env.Stdout, "%s %s\n", verb, r.Describe())
	return nil
}

func rulesRemove(env Env, args []string) error {
	a := settingsArgs("rules", "remove", "starling settings rules remove NAME [--data-dir DIR]")
	if done, err := parseOrHelp(env, a, args); done {
		return err
	}
	if len(a.positional) != 1 {
		return exitf(exitUsage, "give the NAME of the rule to remove")
	}
	name := strings.TrimSpace(a.positional[0])
	core, err := rulesCore(env.Context(), a, false)
	if err != nil {
		return exitf(exitFailure, "%v", err)
	}
	defer closeCore(env, core)
	cfg, err := core.Settings().Rules()
	if err != nil {
		return exitf(exitFailure, "%v", err)
	}
	kept := cfg.Rules[:0:0]
	for _, r := range cfg.Rules {
		if r.Name != name {
			kept = append(kept, r)
		}
	}
	if len(kept) == len(cfg.Rules) {
		var names []string
		for _, r := range cfg.Rules {
			names = append(names, strconv.Quote(r.Name))
		}
		return exitf(exitFailure, "no rule is named %q (the rules: %s)", name, strings.Join(names, ", "))
	}
	cfg.Rules = kept
	if err := core.Settings().SaveRules(cfg); err != nil {
		return exitf(exitFailure, "%v", err)
	}
	fmt.Fprintf(env.Stdout, "Removed %q\n", name)
	return nil
}
