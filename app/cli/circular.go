package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/starling-broker/starling/app"
)

const circularUsage = "starling circular draft TRIGGER [--team T] [--authors A] [--log 'TIME,FILTER,EXP,LIMIT']… [--url] [--data-dir DIR]"

func runCircular(env Env, args []string) error {
	return dispatch(env, "starling circular", "usage: "+circularUsage+"\n", []subcommand{
		{names: []string{"draft"}, run: circularDraft},
	}, args)
}

// circularDraft prints a trigger's Circular draft (the one the window saved
// for it, else a new one from its state), with the options in place of its
// fields, or GCN's pre-filled form address. It saves nothing.
func circularDraft(env Env, args []string) error {
	a := newArgSet("starling circular draft", circularUsage)
	dataDirOption(a)
	a.add(option{long: "team", kind: flagValue, meta: "T", help: "the team or observatory (default: the draft's, else Starling Observatory)"})
	a.add(option{long: "authors", kind: flagValue, meta: "A", help: "the authors and institutions, \"A. Author, B. Author (Institution)\""})
	a.add(option{long: "what", kind: flagValue, meta: "TEXT", help: "what the Circular reports (default: optical upper limits)"})
	a.add(option{long: "log", kind: flagRepeat, meta: "TIME,FILTER,EXP,LIMIT", help: "an observation log row (repeatable; replaces the draft's log)"})
	a.add(option{long: "url", kind: flagBool, help: "print GCN's new-Circular form address with the draft filled in"})
	if done, err := parseOrHelp(env, a, args); done {
		return err
	}
	if len(a.positional) != 1 {
		return exitf(exitUsage, "give one trigger key (see starling events triggers)\nusage: %s", circularUsage)
	}
	trigger := a.positional[0]
	core, err := openCore(env.Context(), a, true, true)
	if errors.Is(err, app.ErrNoData) {
		return exitf(exitFailure, "no archive in %s", dataDir(a))
	}
	if err != nil {
		return exitf(exitFailure, "%v", err)
	}
	defer closeCore(env, core)
	d, err := core.Archive().Draft(env.Context(), trigger)
	if errors.Is(err, app.ErrNotFound) {
		return exitf(exitFailure, "no trigger %q in the archive (see starling events triggers)", trigger)
	}
	if err != nil {
		return exitf(exitFailure, "%v", err)
	}
	for _, o := range []struct {
		name string
		to   *string
	}{{"team", &d.Team}, {"authors", &d.Authors}, {"what", &d.What}} {
		if a.isSet(o.name) {
			*o.to = a.str(o.name, "")
		}
	}
	if rows := a.list("log"); len(rows) > 0 {
		d.Log = nil
		for _, r := range rows {
			f := strings.Split(r, ",")
			if len(f) != 4 {
				return exitf(exitUsage, "--log %q: want TIME,FILTER,EXP,LIMIT (four fields separated by commas)", r)
			}
			d.Log = append(d.Log, app.DraftRow{Time: strings.TrimSpace(f[0]), Filter: strings.TrimSpace(f[1]),
				Exposure: strings.TrimSpace(f[2]), Value: strings.TrimSpace(f[3])})
		}
	}
	if a.isSet("url") {
		if d.TooLong() {
			fmt.Fprintf(env.Stderr, "note: the address is %d characters long; browsers may refuse it (print the draft and paste it instead)\n", len(d.FormURL()))
		}
		fmt.Fprintln(env.Stdout, d.FormURL())
		return nil
	}
	subject, body := d.Text()
	fmt.Fprintf(env.Stdout, "SUBJECT: %s\n\n%s", subject, body)
	return nil
}
