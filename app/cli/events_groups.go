package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/netcore/alert"
	"github.com/starling-broker/starling/netcore/when"
)

// groupJSON is one line of `events groups --json`.
type groupJSON struct {
	Trigger   string   `json:"trigger"`
	Alerts    []string `json:"alerts"`
	Retracted bool     `json:"retracted"`
	Test      bool     `json:"test"`
}

// rowSummary is an archive row's summary, a test alert also by its role.
func rowSummary(r app.EventRow) alert.Summary {
	s := r.Summary()
	s.Test = isTest(r)
	return s
}

func eventsGroups(env Env, args []string) error {
	a := eventsArgs("groups", "starling events groups [--since T] [--test] [--json] [--data-dir DIR]")
	a.add(option{long: "since", kind: flagValue, meta: "T", help: "only triggers with an alert received at or after T"})
	a.add(option{long: "test", kind: flagBool, help: "show mock and test triggers too"})
	a.add(option{long: "json", kind: flagBool, help: "one JSON object per trigger: trigger, alerts, retracted, test"})
	if done, err := parseOrHelp(env, a, args); done {
		return err
	}
	if len(a.positional) > 0 {
		return exitf(exitUsage, "unexpected argument %q", a.positional[0])
	}
	var since time.Time
	if s := a.str("since", ""); s != "" {
		var err error
		if since, err = when.Start(s, time.Now()); err != nil {
			return exitf(exitUsage, "--since: %v", err)
		}
	}
	var groups []alert.Group
	core, err := openCore(env.Context(), a, true, true)
	switch {
	case errors.Is(err, app.ErrNoData):
	case err != nil:
		return exitf(exitFailure, "%v", err)
	default:
		defer closeCore(env, core)
		rows, err := core.Archive().TriggerAlerts(env.Context(), since)
		if err != nil {
			return exitf(exitFailure, "%v", err)
		}
		sums := make([]alert.Summary, len(rows))
		for i, r := range rows {
			sums[i] = rowSummary(r)
		}
		for _, g := range alert.Timelines(sums) {
			if !g.Test || a.isSet("test") {
				groups = append(groups, g)
			}
		}
	}
	if a.isSet("json") {
		enc := json.NewEncoder(env.Stdout)
		for _, g := range groups {
			if err := enc.Encode(groupJSON{Trigger: g.Trigger, Alerts: g.Alerts, Retracted: g.Retracted, Test: g.Test}); err != nil {
				return exitStatus(exitFailure)
			}
		}
		return nil
	}
	if len(groups) == 0 {
		fmt.Fprintln(env.Stdout, "No triggers.")
		return nil
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TRIGGER\tALERTS\tRETRACTED\tTEST")
	for _, g := range groups {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", g.Trigger, strings.Join(g.Alerts, " → "), yesDash(g.Retracted), yesDash(g.Test))
	}
	tw.Flush()
	return nil
}

// yesDash writes a flag for a table: "yes" or "-".
func yesDash(b bool) string {
	if b {
		return "yes"
	}
	return "-"
}
