package cli

import (
	"errors"
	"fmt"
	"slices"
	"text/tabwriter"

	"github.com/starling-broker/starling/app"
)

func outboxProfile(env Env, args []string) error {
	a := outboxArgs("profile", "starling outbox profile add NAME (HOST[:PORT] | --kafka-source SOURCE --topic TOPIC) | list | delete NAME [--data-dir DIR]")
	a.add(option{long: "kafka-source", kind: flagValue, meta: "SOURCE", help: "with add: send to a Kafka topic on this saved Kafka source's cluster, with its credentials (see `starling settings kafka list`)"})
	a.add(option{long: "topic", kind: flagValue, meta: "TOPIC", help: "with --kafka-source: the Kafka topic to send to"})
	if done, err := parseOrHelp(env, a, args); done {
		return err
	}
	pos := a.positional
	if len(pos) == 0 {
		return exitf(exitUsage, "expected add, list or delete")
	}
	source, topic := a.str("kafka-source", ""), a.str("topic", "")
	isKafka := a.isSet("kafka-source") || a.isSet("topic")
	if isKafka && pos[0] != "add" {
		return exitf(exitUsage, "--kafka-source and --topic go with add")
	}
	if isKafka && (source == "" || topic == "") {
		return exitf(exitUsage, "a Kafka destination needs both --kafka-source SOURCE and --topic TOPIC")
	}
	want := map[string]int{"add": 3, "list": 1, "delete": 2}
	if isKafka {
		want["add"] = 2
	}
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
		if isKafka {
			if err := core.Outbox().SaveKafkaDestination(ctx, pos[1], source, topic); err != nil {
				return exitf(exitFailure, "%v", err)
			}
			fmt.Fprintf(env.Stdout, "saved %s: kafka: %s on %s\n", pos[1], topic, source)
			break
		}
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
			fmt.Fprintf(tw, "%s\t%s\n", p.Name, p.Where())
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
