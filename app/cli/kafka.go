package cli

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/starling-broker/starling/netcore/kafka"
)

func init() {
	register(Command{Name: "kafka", Summary: "Kafka clusters: list the topics your credentials can read", Run: runKafka})
}

const kafkaUsage = `usage: starling kafka topics [--kafka-preset NAME | --kafka-bootstrap HOST:PORT] [auth flags]

  topics   the topics the credentials can read, with partitions, messages kept
           and the newest message's time; also the quickest check of credentials
`

func runKafka(env Env, args []string) int {
	if len(args) == 0 || args[0] != "topics" {
		fmt.Fprint(env.Stderr, kafkaUsage)
		if len(args) > 0 && (args[0] == "--help" || args[0] == "-h") {
			return exitOK
		}
		return exitUsage
	}
	a := newArgSet("starling kafka topics", "starling kafka topics [--kafka-preset NAME | --kafka-bootstrap HOST:PORT] [auth flags]")
	kafkaConnFlags(a)
	a.add(option{long: "timeout", kind: flagValue, meta: "SECONDS", help: "give up after this long (default 30)"})
	if st, ok := parseOrHelp(env, a, args[1:]); !ok {
		return st
	}
	log := logger(env.Stderr, 0, false)
	cfg, err := kafkaConfig(a, log)
	if err != nil {
		fmt.Fprintf(env.Stderr, "starling kafka topics: %v\n", err)
		return exitUsage
	}
	secs, err := a.intVal("timeout", 30)
	if err != nil || secs <= 0 {
		fmt.Fprintln(env.Stderr, "starling kafka topics: --timeout must be a positive number of seconds")
		return exitUsage
	}
	if cfg.TLS && cfg.InsecureSkipVerify {
		log.Warn("TLS certificates of "+cfg.Name+" are NOT verified (--kafka-insecure-skip-verify)", "component", "kafka")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(secs)*time.Second)
	defer cancel()
	topics, err := kafka.ListTopics(ctx, cfg)
	if err != nil {
		fmt.Fprintf(env.Stderr, "starling kafka topics: %s\n", kafka.Explain(err))
		return exitUnreachable
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
	return exitOK
}
