package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/starling-broker/starling/netcore/broker"
	"github.com/starling-broker/starling/netcore/endpoint"
	"github.com/starling-broker/starling/netcore/kafka"
	"github.com/starling-broker/starling/netcore/sender"
	"github.com/starling-broker/starling/netcore/voevent"
)

func sendvoArgs() *argSet {
	a := newArgSet("sendvo", "starling sendvo [-f FILE] [-h HOST] [-p PORT] | starling sendvo TARGET FILE|-   (also runs as comet-sendvo)")
	a.add(option{long: "file", short: "f", kind: flagValue, meta: "FILE", help: "file holding the event (default: standard input)"})
	a.add(option{long: "host", short: "h", kind: flagValue, meta: "HOST", help: "host to send to (default localhost)"})
	a.add(option{long: "port", short: "p", kind: flagValue, meta: "PORT", help: "port to send to (default 8098)"})
	a.add(option{long: "timeout", kind: flagValue, meta: "SECONDS", help: "give up after this long without an answer (default 30)"})
	a.add(option{long: "verbose", short: "v", kind: flagCount, help: "say more"})
	kafkaConnFlags(a)
	a.add(option{long: "kafka-topic", kind: flagValue, meta: "TOPIC", help: "with --kafka-bootstrap or --kafka-preset: publish the event to this Kafka topic instead of a VTP receiver"})
	return a
}

func runSendvo(env Env, args []string) error {
	a := sendvoArgs()
	if done, err := parseOrHelp(env, a, args); done {
		return err
	}
	target := a.str("host", "localhost")
	file := a.str("file", "-")
	port, err := a.intVal("port", broker.DefaultReceivePort)
	if err != nil || port <= 0 || port > 65535 {
		return exitf(exitUsage, "--port must be a port number")
	}
	var ep endpoint.Endpoint
	switch len(a.positional) {
	case 0:
		ep, err = endpoint.Client(target, port)
	case 2:
		if a.isSet("file") || a.isSet("host") || a.isSet("port") {
			return exitf(exitUsage, "give either TARGET FILE or -f/-h/-p, not both")
		}
		file = a.positional[1]
		ep, err = endpoint.Client(a.positional[0], broker.DefaultReceivePort)
	default:
		return exitf(exitUsage, "expected TARGET and FILE (or '-'), got %d arguments; see --help", len(a.positional))
	}
	if err != nil {
		return exitf(exitUsage, "%v", err)
	}
	secs, err := a.intVal("timeout", 30)
	if err != nil || secs <= 0 {
		return exitf(exitUsage, "--timeout must be a positive number of seconds")
	}

	raw, err := readEvent(env.Stdin, file)
	if err != nil {
		return exitf(exitBadFile, "%v", err)
	}
	ivorn, err := eventIVORN(raw)
	if err != nil {
		return exitf(exitBadFile, "%s: %v", fileName(file), err)
	}
	if kafkaWanted(a) || a.isSet("kafka-topic") {
		return sendvoKafka(env, a, raw, ivorn, time.Duration(secs)*time.Second)
	}
	if a.count("verbose") > 0 {
		fmt.Fprintf(env.Stderr, "sendvo: sending %s (%d bytes) to %s\n", ivorn, len(raw), ep)
	}
	reply, err := sender.Send(env.Context(), ep, raw, ivorn, time.Duration(secs)*time.Second)
	var se *sender.Error
	switch {
	case err == nil:
		fmt.Fprintf(env.Stdout, "ACK received: %s accepted VOEvent %s\n", ep, ivorn)
		if reply.Response != "" && a.count("verbose") > 0 {
			fmt.Fprintf(env.Stdout, "acknowledged by %s\n", reply.Response)
		}
		return nil
	case errors.As(err, &se) && se.Kind == sender.Refused:
		fmt.Fprintf(env.Stdout, "NAK received: %s refused to accept VOEvent %s (%s)\n", ep, ivorn, se.Reason)
		return exitStatus(exitNak)
	case errors.As(err, &se) && se.Kind == sender.Unreachable:
		return exitf(exitUnreachable, "%v", err)
	case errors.As(err, &se) && se.Kind == sender.TimedOut:
		return exitf(exitTimeout, "%v", err)
	}
	return exitf(exitBroken, "%v", err)
}

func fileName(f string) string {
	if f == "-" {
		return "standard input"
	}
	return f
}

func readEvent(stdin io.Reader, file string) ([]byte, error) {
	var raw []byte
	var err error
	if file == "-" {
		raw, err = io.ReadAll(io.LimitReader(stdin, 64<<20))
	} else {
		raw, err = os.ReadFile(file)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read the event: %v", err)
	}
	if len(raw) == 0 {
		return nil, fmt.Errorf("%s is empty: nothing to send", fileName(file))
	}
	return raw, nil
}

// eventIVORN reads the ivorn of a packet as comet-sendvo does: the packet must
// be XML (in any encoding libxml2 reads, UTF-16 included) with no DTD, whose
// root is a VOEvent, but is not otherwise checked here (the receiver is the
// judge). The bytes are sent as they are.
func eventIVORN(raw []byte) (string, error) {
	ivorn, err := voevent.ReadIVORN(raw)
	if err != nil {
		return "", errors.New(voevent.Describe(err))
	}
	return ivorn, nil
}

// sendvoKafka publishes one event to a Kafka topic: the Kafka-era
// comet-sendvo. Exit 0 once the cluster has acknowledged the record.
func sendvoKafka(env Env, a *argSet, raw []byte, ivorn string, timeout time.Duration) error {
	log := logger(env.Stderr, a.count("verbose"), false)
	cfg, err := kafkaConfig(a, log)
	if err != nil {
		return exitf(exitUsage, "%v", err)
	}
	topic := a.str("kafka-topic", "")
	if topic == "" {
		return exitf(exitUsage, "--kafka-topic is required to send to Kafka")
	}
	// _sender names who sent it: the Kafka user, else the event's stream.
	sender, _, _ := strings.Cut(ivorn, "#")
	if cfg.Credentials.User != "" {
		sender = cfg.Credentials.User
	}
	pub, err := kafka.NewPublisher(cfg, topic, sender, log)
	if err != nil {
		return exitf(exitUsage, "%v", err)
	}
	defer pub.Close(time.Second)
	ctx, cancel := context.WithTimeout(env.Context(), timeout)
	defer cancel()
	test := false
	if ev, err := voevent.Parse(raw); err == nil {
		test = ev.Role == "test"
	}
	if err := pub.Publish(ctx, raw, test); err != nil {
		var pe *kafka.PublishError
		if errors.As(err, &pe) && pe.Unreachable {
			return exitf(exitUnreachable, "%v", err)
		}
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return exitf(exitTimeout, "%v", err)
		}
		return exitf(exitUnreachable, "%v", err)
	}
	fmt.Fprintf(env.Stdout, "ACK received: Kafka topic %s on %s accepted VOEvent %s\n", topic, strings.Join(cfg.Bootstrap, ","), ivorn)
	return nil
}
