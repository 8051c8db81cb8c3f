package cli

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/netcore/voevent"
	"github.com/starling-broker/starling/netcore/when"
)

const eventsUsage = `usage: starling events COMMAND [options]

commands:
  list [--search TEXT] [--role ROLE] [--source TEXT] [--since T] [--until T] [--limit N] [--before ID] [--count] [--json]
                        archived alerts (VOEvent and JSON), newest first
  groups [--since T] [--test] [--json]
                        one line per trigger: its alerts in sequence (Preliminary → Initial → …)
  triggers [--since T] [--test] [--json]
                        each trigger's state, latest activity first: its alerts in sequence,
                        retracted, and the latest classification, FAR, distance and area
  show KEY [--raw] [--group]
                        one alert (an IVORN or a JSON alert's sha256:… key): its summary,
                        its trigger's timeline, or exactly the bytes received

Times are UTC unless an offset is given: 2026-11-30T22:41:07Z, 2026-11-30 22:41,
2026-11-30 (a whole day: --until 2026-11-30 takes that day in), or a duration ago (90m, 2h, 3d).
Every command takes --data-dir DIR (or Comet's --eventdb DIR).
`

func runEvents(env Env, args []string) error {
	return dispatch(env, "starling events", eventsUsage, []subcommand{
		{names: []string{"list", "ls", "search"}, run: eventsList},
		{names: []string{"show"}, run: eventsShow},
		{names: []string{"groups"}, run: eventsGroups},
		{names: []string{"triggers"}, run: eventsTriggers},
	}, args)
}

func eventsArgs(name, usage string) *argSet {
	a := newArgSet("starling events "+name, usage)
	dataDirOption(a)
	a.add(option{long: "eventdb", kind: flagValue, meta: "DIR", help: "data directory (Comet's name for --data-dir)"})
	return a
}

func eventsList(env Env, args []string) error {
	a := eventsArgs("list", "starling events list [--search TEXT] [--role ROLE] [--since T] [--until T] [--limit N] [--before ID] [--count] [--data-dir DIR]")
	a.add(option{long: "search", short: "s", kind: flagValue, meta: "TEXT", help: "full-text search: every word a prefix of a word in the key, ids, authors, params, mission or trigger (under 3 characters: an IVORN substring)"})
	a.add(option{long: "role", kind: flagValue, meta: "ROLE", help: "only observation, prediction, utility or test events"})
	a.add(option{long: "since", kind: flagValue, meta: "T", help: "only events received at or after T"})
	a.add(option{long: "until", kind: flagValue, meta: "T", help: "only events received before T"})
	a.add(option{long: "limit", short: "n", kind: flagValue, meta: "N", help: "at most N events (default 50)"})
	a.add(option{long: "before", kind: flagValue, meta: "ID", help: "the page after: events older than archive ID"})
	a.add(option{long: "count", kind: flagBool, help: "print only how many events match"})
	a.add(option{long: "source", kind: flagValue, meta: "TEXT", help: "only events whose source (peer, subscription or Kafka topic) contains TEXT, in any case (heartbeats, which are no alerts, only when TEXT names them: --source gcn.heartbeat)"})
	a.add(option{long: "json", kind: flagBool, help: "one JSON object per line (see the README for the keys)"})
	if done, err := parseOrHelp(env, a, args); done {
		return err
	}
	if len(a.positional) > 0 {
		return exitf(exitUsage, "unexpected argument %q (use --search TEXT)", a.positional[0])
	}
	q := app.EventQuery{Text: a.str("search", ""), Role: a.str("role", ""), Source: a.str("source", "")}
	if q.Role != "" && !slices.Contains(voevent.Roles, q.Role) {
		return exitf(exitUsage, "--role must be one of %s", strings.Join(voevent.Roles, ", "))
	}
	now := time.Now()
	var err error
	for _, f := range []struct {
		name  string
		t     *time.Time
		parse func(string, time.Time) (time.Time, error)
	}{{"since", &q.From, when.Start}, {"until", &q.To, when.End}} {
		if s := a.str(f.name, ""); s != "" {
			if *f.t, err = f.parse(s, now); err != nil {
				return exitf(exitUsage, "--%s: %v", f.name, err)
			}
		}
	}
	limit, err := a.intVal("limit", 50)
	if err != nil || limit <= 0 {
		return exitf(exitUsage, "--limit must be a positive number")
	}
	q.Limit = limit
	before, err := a.intVal("before", 0)
	if err != nil || before < 0 {
		return exitf(exitUsage, "--before must be an archive ID")
	}
	q.BeforeID = int64(before)

	core, err := openCore(env.Context(), a, true, true)
	if errors.Is(err, app.ErrNoData) {
		switch {
		case a.isSet("count"):
			fmt.Fprintln(env.Stdout, 0)
		case !a.isSet("json"):
			fmt.Fprintln(env.Stdout, "No events.")
		}
		return nil
	}
	if err != nil {
		return exitf(exitFailure, "%v", err)
	}
	defer closeCore(env, core)
	ctx := env.Context()
	if a.isSet("count") {
		n, err := core.Archive().Count(ctx, q)
		if err != nil {
			return exitf(exitFailure, "%v", err)
		}
		fmt.Fprintln(env.Stdout, n)
		return nil
	}
	rows, err := core.Archive().Events(ctx, q)
	if err != nil {
		return exitf(exitFailure, "%v", err)
	}
	if a.isSet("json") {
		return printEventsJSON(env, rows)
	}
	if len(rows) == 0 {
		fmt.Fprintln(env.Stdout, "No events.")
		return nil
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tRECEIVED (UTC)\tROLE\tTRIGGER\tTYPE\tKEY\tFROM")
	for _, r := range rows {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Received.UTC().Format("2006-01-02 15:04:05"), orDash(r.Role),
			orDash(r.Trigger), orDash(r.AlertType), r.IVORN, orDash(r.Source))
	}
	tw.Flush()
	if len(rows) == limit {
		fmt.Fprintf(env.Stdout, "more: add --before %d\n", rows[len(rows)-1].ID)
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
