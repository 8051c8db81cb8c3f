package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/app/outbox"
)

const outboxUsage = `usage: starling outbox COMMAND [options]

commands:
  add --to HOST[:PORT]|PROFILE FILE...   check each file and queue the good ones
  list [--state STATE] [--limit N]       every entry with its state, attempts and last reason
  retry ID... | --all                    send again now (queued, failed, refused or cancelled)
  cancel ID...                           do not send a queued or failed entry
  delete ID...                           remove entries from the list
  flush [--timeout SECONDS]              send now and wait; exit 1 if anything is left undelivered
  profile add NAME HOST[:PORT]           save a destination under a name
  profile list | profile delete NAME

Every command takes --data-dir DIR. The outbox is sent by a running Starling
(the desktop app or ` + "`starling broker`" + ` on the same data directory), or by flush.
`

func runOutbox(env Env, args []string) error {
	change := func(verb string) func(Env, []string) error {
		return func(env Env, args []string) error { return outboxChange(env, verb, args) }
	}
	return dispatch(env, "starling outbox", outboxUsage, []subcommand{
		{names: []string{"add"}, run: outboxAdd},
		{names: []string{"list", "ls"}, run: outboxList},
		{names: []string{"retry"}, run: change("retry")},
		{names: []string{"cancel"}, run: change("cancel")},
		{names: []string{"delete"}, run: change("delete")},
		{names: []string{"flush"}, run: outboxFlush},
		{names: []string{"profile", "profiles"}, run: outboxProfile},
	}, args)
}

// dataDir is the data directory a command was given.
func dataDir(a *argSet) string {
	return a.str("data-dir", a.str("eventdb", app.DefaultDataDir()))
}

// openCore opens the data directory a command was given beside any
// Starling running there; with mustExist, a missing one is app.ErrNoData
// rather than created; readOnly is for commands that only read.
func openCore(ctx context.Context, a *argSet, mustExist, readOnly bool) (*app.Core, error) {
	return app.Open(ctx, app.Options{DataDir: dataDir(a), Shared: true, MustExist: mustExist, ReadOnly: readOnly})
}

// sendHint says who will send what was just queued or retried.
func sendHint(env Env, core *app.Core) {
	if core.InUse() != nil {
		fmt.Fprintf(env.Stderr, "Starling (%s) is using %s; it will send them within seconds.\n", app.LockHolder(core.DataDir()), core.DataDir())
	} else {
		fmt.Fprintln(env.Stderr, "Send them with `starling outbox flush`, or start Starling on this data directory.")
	}
}

func outboxArgs(name, usage string) *argSet {
	a := newArgSet("starling outbox "+name, usage)
	dataDirOption(a)
	return a
}

func outboxAdd(env Env, args []string) error {
	a := outboxArgs("add", "starling outbox add --to HOST[:PORT]|PROFILE [--data-dir DIR] FILE|- ...")
	a.add(option{long: "to", short: "t", kind: flagValue, meta: "DEST", help: "where to send: HOST[:PORT] (default port 8098), a saved profile's name (a receiver or a Kafka topic), or kafka:SOURCE/TOPIC"})
	if done, err := parseOrHelp(env, a, args); done {
		return err
	}
	to := strings.TrimSpace(a.str("to", ""))
	if to == "" {
		return exitf(exitUsage, "--to is required: a HOST[:PORT] or a profile (see `starling outbox profile list`)")
	}
	if len(a.positional) == 0 {
		return exitf(exitUsage, "no files to queue")
	}
	core, err := openCore(env.Context(), a, false, false)
	if err != nil {
		return exitf(exitFailure, "%v", err)
	}
	defer closeCore(env, core)
	ctx := env.Context()
	dest := to
	if p, err := core.Outbox().Destination(ctx, to); err == nil {
		dest = p.Address()
	}
	dest, err = outbox.Destination(dest)
	if err != nil {
		return exitf(exitUsage, "--to %s: not a saved profile nor a HOST[:PORT]: %v", to, err)
	}

	lines := make([]string, len(a.positional)) // one per file, in order
	var items []outbox.Item
	var index []int
	for i, f := range a.positional {
		raw, err := readEvent(env.Stdin, f)
		if err != nil {
			lines[i] = fmt.Sprintf("refused    %s: %v", fileName(f), err)
			continue
		}
		items = append(items, outbox.Item{Name: fileName(f), Raw: raw})
		index = append(index, i)
	}
	results, err := core.Outbox().QueueItems(ctx, dest, items)
	if err != nil {
		return exitf(exitFailure, "%v", err)
	}
	queued := 0
	for k, r := range results {
		if r.Err != nil {
			lines[index[k]] = fmt.Sprintf("refused    %s: %s", r.Name, r.Reason())
			continue
		}
		queued++
		lines[index[k]] = fmt.Sprintf("queued #%-4d %s  (%s)", r.ID, r.IVORN, r.Name)
	}
	for _, l := range lines {
		fmt.Fprintln(env.Stdout, l)
	}
	refused := len(a.positional) - queued
	fmt.Fprintf(env.Stdout, "%d queued for %s, %d refused\n", queued, dest, refused)
	if queued > 0 {
		sendHint(env, core)
	}
	if refused > 0 {
		return exitStatus(exitUndelivered)
	}
	return nil
}

func outboxList(env Env, args []string) error {
	a := outboxArgs("list", "starling outbox list [--state STATE] [--limit N] [--data-dir DIR]")
	a.add(option{long: "state", kind: flagValue, meta: "STATE", help: "only entries in this state: queued, sending, sent, refused, failed, cancelled"})
	a.add(option{long: "limit", short: "n", kind: flagValue, meta: "N", help: "show at most the N newest entries (default 1000)"})
	if done, err := parseOrHelp(env, a, args); done {
		return err
	}
	state := app.OutboxState(a.str("state", ""))
	states := []app.OutboxState{app.OutboxQueued, app.OutboxSending, app.OutboxSent, app.OutboxRefused, app.OutboxFailed, app.OutboxCancelled}
	if state != "" && !slices.Contains(states, state) {
		names := make([]string, len(states))
		for i, s := range states {
			names[i] = string(s)
		}
		return exitf(exitUsage, "--state must be one of %s", strings.Join(names, ", "))
	}
	limit, err := a.intVal("limit", 1000)
	if err != nil || limit <= 0 {
		return exitf(exitUsage, "--limit must be a positive number")
	}
	core, err := openCore(env.Context(), a, true, true)
	if errors.Is(err, app.ErrNoData) {
		fmt.Fprintln(env.Stdout, "The outbox is empty.")
		return nil
	}
	if err != nil {
		return exitf(exitFailure, "%v", err)
	}
	defer closeCore(env, core)
	ctx := env.Context()
	entries, err := core.Outbox().List(ctx, state, limit)
	if err != nil {
		return exitf(exitFailure, "%v", err)
	}
	counts, err := core.Outbox().Counts(ctx)
	if err != nil {
		return exitf(exitFailure, "%v", err)
	}
	if len(entries) == 0 {
		fmt.Fprintln(env.Stdout, "The outbox is empty.")
		return nil
	}
	slices.Reverse(entries) // oldest first, as they are sent
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATE\tDESTINATION\tIVORN\tATTEMPTS\tNEXT ATTEMPT\tLAST REASON")
	for _, e := range entries {
		next := "-"
		if e.State == app.OutboxQueued {
			next = "now"
			if e.NextAttempt.After(time.Now()) {
				next = e.NextAttempt.UTC().Format("2006-01-02 15:04:05Z")
			}
		}
		reason := strings.ReplaceAll(e.LastError, "\n", " ")
		if reason == "" {
			reason = "-"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\t%s\n", e.ID, e.State, e.Destination, e.IVORN, e.Attempts, next, reason)
	}
	tw.Flush()
	fmt.Fprintln(env.Stdout, countsLine(counts))
	return nil
}

// countsLine summarises the outbox: "12 entries: 3 queued, 9 sent".
func countsLine(c outbox.Counts) string {
	var parts []string
	for _, p := range []struct {
		n    int
		name string
	}{{c.Queued, "queued"}, {c.Sending, "sending"}, {c.Sent, "sent"}, {c.Refused, "refused"}, {c.Failed, "failed"}, {c.Cancelled, "cancelled"}} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", p.n, p.name))
		}
	}
	return fmt.Sprintf("%s: %s", plural(c.Total(), "entry", "entries"), strings.Join(parts, ", "))
}

// plural writes "1 entry", "2 entries".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

func outboxChange(env Env, verb string, args []string) error {
	usage := "starling outbox " + verb + " ID... [--data-dir DIR]"
	if verb == "retry" {
		usage = "starling outbox retry ID...|--all [--data-dir DIR]"
	}
	a := outboxArgs(verb, usage)
	if verb == "retry" {
		a.add(option{long: "all", kind: flagBool, help: "retry every queued and failed entry"})
	}
	if done, err := parseOrHelp(env, a, args); done {
		return err
	}
	all := a.isSet("all")
	if all == (len(a.positional) > 0) {
		if verb == "retry" {
			return exitf(exitUsage, "give entry IDs or --all (see `starling outbox list`)")
		}
		return exitf(exitUsage, "give the IDs of the entries (see `starling outbox list`)")
	}
	var ids []int64
	for _, s := range a.positional {
		id, err := strconv.ParseInt(strings.TrimPrefix(s, "#"), 10, 64)
		if err != nil || id <= 0 {
			return exitf(exitUsage, "%q is not an entry ID", s)
		}
		ids = append(ids, id)
	}
	core, err := openCore(env.Context(), a, true, false)
	if errors.Is(err, app.ErrNoData) {
		return exitf(exitFailure, "the outbox in %s is empty", dataDir(a))
	}
	if err != nil {
		return exitf(exitFailure, "%v", err)
	}
	defer closeCore(env, core)
	ctx := env.Context()
	if all {
		n, err := core.Outbox().RetryAll(ctx)
		if err != nil {
			return exitf(exitFailure, "%v", err)
		}
		fmt.Fprintf(env.Stdout, "%s will be sent again now\n", plural(int(n), "entry", "entries"))
	}
	code := exitOK
	for _, id := range ids {
		var err error
		var done string
		switch verb {
		case "retry":
			err, done = core.Outbox().Retry(ctx, id), "will be sent again now"
		case "cancel":
			err, done = core.Outbox().Cancel(ctx, id), "cancelled"
		case "delete":
			err, done = core.Outbox().Delete(ctx, id), "deleted"
		}
		if err != nil {
			fmt.Fprintf(env.Stderr, "starling outbox %s: %v\n", verb, err)
			code = exitFailure
			continue
		}
		fmt.Fprintf(env.Stdout, "entry %d %s\n", id, done)
	}
	if verb == "retry" && code == exitOK {
		sendHint(env, core)
	}
	if code != exitOK {
		return exitStatus(code)
	}
	return nil
}
