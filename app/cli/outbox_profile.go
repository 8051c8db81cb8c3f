package cli

import (
	"errors"
	"fmt"
	"slices"
	"text/tabwriter"

	"github.com/starling-broker/starling/app"
)

func outboxProfile(env Env, args []string) error {
	a := outboxArgs("profile", "starling outbox profile add NAME HOST[:PORT] | list | delete NAME [--data-dir DIR]")
	if done, err := parseOrHelp(env, a, args); done {
		return err
	}
	pos := a.positional
	if len(pos) == 0 {
		return exitf(exitUsage, "expected add, list or delete")
	}
	want := map[string]int{"add": 3, "list": 1, "delete": 2}
	n, ok := want[pos[0]]
	if !ok || len(pos) != n {
		return exitf(exitUsage, "usage: %s", a.usage)
	}
	core, err := openCore(env.Context(), a, pos[0] != "add", pos[0] == "list")
	if errors.Is(err, app.ErrNoData) {
		if pos[0] == "list" {
			fmt.Fprintln(env.Stdout, "No saved destinations.")
			return nil
		}
		return exitf(exitFailure, "no profile %q", pos[1])
	}
	if err != nil {
		return exitf(exitFailure, "%v", err)
	}
	defer closeCore(env, core)
	ctx := env.Context()
	switch pos[0] {
	case "add":
		if _, err := app.ParseProfileAddress(pos[2]); err != nil {
			return exitf(exitUsage, "%v", err)
		}
		if err := core.Outbox().SaveDestination(ctx, pos[1], pos[2]); err != nil {
			return exitf(exitFailure, "%v", err)
		}
		p, err := core.Outbox().Destination(ctx, pos[1])
		if err != nil {
			return exitf(exitFailure, "%v", err)
		}
		fmt.Fprintf(env.Stdout, "saved %s: %s\n", p.Name, p.Address())
	case "list":
		ds, err := core.Outbox().Destinations(ctx)
		if err != nil {
			return exitf(exitFailure, "%v", err)
		}
		ps := slices.DeleteFunc(ds, func(d app.Destination) bool { return d.Local })
		if len(ps) == 0 {
			fmt.Fprintln(env.Stdout, "No saved destinations.")
			return nil
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tADDRESS")
		for _, p := range ps {
			fmt.Fprintf(tw, "%s\t%s\n", p.Name, p.Address)
		}
		tw.Flush()
	case "delete":
		err := core.Outbox().DeleteDestination(ctx, pos[1])
		if errors.Is(err, app.ErrNotFound) {
			return exitf(exitFailure, "no saved destination %q", pos[1])
		}
		if err != nil {
			return exitf(exitFailure, "%v", err)
		}
		fmt.Fprintf(env.Stdout, "deleted %s\n", pos[1])
	}
	return nil
}
