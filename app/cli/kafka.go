package cli

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/starling-broker/starling/netcore/kafka"
)

const kafkaUsage = `usage: starling kafka topics [--kafka-preset NAME | --kafka-bootstrap HOST:PORT] [auth flags]

  topics   the topics the credentials can read, with partitions, messages kept
           and the newest message's time; also the quickest check of credentials
`

func runKafka(env Env, args []string) error {
	if len(args) == 0 || args[0] != "topics" {
		if len(args) > 0 && (args[0] == "--help" || args[0] == "-h") {
			fmt.Fprint(env.Stderr, kafkaUsage)
			return nil
		}
		return exitBare(exitUsage, kafkaUsage)
	}
	a := newArgSet("starling kafka topics", "starling kafka topics [--kafka-preset NAME | --kafka-bootstrap HOST:PORT] [auth flags]")
	kafkaConnFlags(a)
	a.add(option{long: "timeout", kind: flagValue, meta: "SECONDS", help: "give up after this long (default 30)"})
	if done, err := parseOrHelp(env, a, args[1:]); done {
		return err
	}
	log := logger(env.Stderr, 0, false)
	cfg, err := kafkaConfig(a, log)
	if err != nil {
		return exitf(exitUsage, "%v", err)
	}
	secs, err := a.intVal("timeout", 30)
	if err != nil || secs <= 0 {
		return exitf(exitUsage, "--timeout must be a positive number of seconds")
	}
	if cfg.TLS && cfg.InsecureSkipVerify {
		log.Warn("TLS certificates of "+cfg.Name+" are NOT verified (--kafka-insecure-skip-verify)", "component", "kafka")
	}
	ctx, cancel := context.WithTimeout(env.Context(), time.Duration(secs)*time.Second)
	defer cancel()
	topics, err := kafka.ListTopics(ctx, cfg)
	if err != nil {
		return exitf(exitUnreachable, "%s", kafka.Explain(err))
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TOPIC\tPARTITIONS\tMESSAGES\tNEWEST (UTC)")
	for _, t := range topics {
		newest := "-"
		if !t.Newest.IsZero() {
			newest = t.Newest.UTC().Format(time.DateTime)
		}
		if t.Error != "" {
			newest = t.Error
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\n", t.Name, t.Partitions, t.Messages, newest)
	}
	tw.Flush()
	fmt.Fprintf(env.Stderr, "%d topics readable on %s\n", len(topics), cfg.Name)
	return nil
}
