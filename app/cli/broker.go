package cli

import (
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/app/api"
	"github.com/starling-broker/starling/netcore/broker"
	"github.com/starling-broker/starling/netcore/endpoint"
	"github.com/starling-broker/starling/netcore/kafka"
	"github.com/starling-broker/starling/netcore/seen"
	"github.com/starling-broker/starling/netcore/voevent"
	"github.com/starling-broker/starling/netcore/vtp"
)

func brokerArgs() *argSet {
	a := newArgSet("starling broker", "starling broker --local-ivo=IVO [--receive[=ENDPOINT]] [options]")
	a.add(option{long: "local-ivo", kind: flagValue, meta: "IVO", help: "IVOA identifier for this broker; required with --receive"})
	a.add(option{long: "eventdb", kind: flagValue, meta: "DIR", help: "data directory (Comet's name for --data-dir)"})
	dataDirOption(a)
	a.add(option{long: "receive", short: "r", kind: flagOptional, meta: "ENDPOINT", dflt: "tcp:" + strconv.Itoa(broker.DefaultReceivePort), help: "receive events from authors (default tcp:8098); repeatable"})
	a.add(option{long: "receive-whitelist", kind: flagList, meta: "NETWORK", help: "networks allowed to submit, CIDR or address/netmask (default everywhere)"})
	a.add(option{long: "broadcast", short: "b", kind: flagOptional, meta: "ENDPOINT", dflt: "tcp:" + strconv.Itoa(broker.DefaultBroadcastPort), help: "broadcast events to subscribers (default tcp:8099); repeatable"})
	a.add(option{long: "broadcast-test-interval", kind: flagValue, meta: "SECONDS", help: "interval between broadcast test events, 0 for none (default 3600)"})
	a.add(option{long: "broadcast-whitelist", kind: flagList, meta: "NETWORK", help: "networks allowed to subscribe (default everywhere)"})
	a.add(option{long: "broadcast-replay-grace", kind: flagValue, meta: "DURATION", help: "replay to a subscriber that comes back within DURATION the events it missed (default 1h)"})
	a.add(option{long: "no-broadcast-replay", kind: flagBool, help: "send a subscriber that comes back live events only, as Comet does"})
	a.add(option{long: "iamalive-interval", kind: flagValue, meta: "SECONDS", help: "interval between iamalive packets to subscribers (default 60)"})
	a.add(option{long: "subscribe", kind: flagRepeat, meta: "HOST[:PORT]", help: "subscribe to a remote broker (default port 8099); repeatable"})
	a.add(option{long: "filter", kind: flagRepeat, meta: "XPATH", help: "XPath filter sent to the brokers subscribed to; repeatable"})
	a.add(option{long: "cmd", kind: flagRepeat, meta: "PROGRAM", help: "run PROGRAM for each new event, with the event on its standard input; repeatable"})
	a.add(option{long: "cmd-max-running", kind: flagValue, meta: "N", help: "run at most N --cmd programs at once (default 4)"})
	a.add(option{long: "print-event", kind: flagBool, help: "print each new event on standard output"})
	a.add(option{long: "save-event", kind: flagBool, help: "save each new event to a file"})
	a.add(option{long: "save-event-directory", kind: flagValue, meta: "DIR", help: "directory for --save-event (default the current directory)"})
	a.add(option{long: "receive-timeout", kind: flagValue, meta: "SECONDS", help: "close an author's connection that sends nothing (default 20)"})
	a.add(option{long: "max-frame", kind: flagValue, meta: "BYTES", help: "largest frame accepted (default 1048576)"})
	a.add(option{long: "seen-max-age", kind: flagValue, meta: "DAYS", help: "forget seen events after this many days (default 30)"})
	a.add(option{long: "prune-interval", kind: flagValue, meta: "SECONDS", help: "how often expired seen-list entries are removed (default 21600)"})
	kafkaConnFlags(a)
	a.add(option{long: "kafka-topic", kind: flagRepeat, meta: "TOPIC", help: "Kafka topic to consume; a value starting with ^ is a regular expression; repeatable"})
	a.add(option{long: "kafka-group", kind: flagValue, meta: "ID", help: "Kafka consumer group (default: derived from --local-ivo and stored)"})
	a.add(option{long: "kafka-from", kind: flagValue, meta: "WHEN", help: "where a new consumer group starts: earliest, latest (default), a duration ago (24h) or an RFC 3339 time"})
	a.add(option{long: "kafka-publish", kind: flagValue, meta: "TOPIC", help: "publish every event accepted from the receiver or a VTP subscription to this Kafka topic"})
	a.add(option{long: "http", kind: flagValue, meta: "HOST:PORT", help: "serve the voeventdb REST API v1 over the archive (loopback unless --http-token-file)"})
	a.add(option{long: "http-token-file", kind: flagValue, meta: "FILE", help: "file holding the API token that requests must send as 'Authorization: Bearer TOKEN'"})
	a.add(option{long: "verbose", short: "v", kind: flagCount, help: "more detail in the log (debug)"})
	a.add(option{long: "quiet", short: "q", kind: flagBool, help: "log warnings and errors only"})
	return a
}

func runBroker(env Env, args []string) error {
	a := brokerArgs()
	if done, err := parseOrHelp(env, a, args); done {
		return err
	}
	if len(a.positional) > 0 {
		return exitf(exitUsage, "unexpected argument %q", a.positional[0])
	}
	log := logger(env.Stderr, a.count("verbose"), a.isSet("quiet"))
	ivo := a.str("local-ivo", "")
	if ivo != "" {
		if _, err := voevent.ParseIVORN(ivo); err != nil {
			return exitf(exitUsage, "invalid IVOA identifier %q; required format: ivo://authorityID/resourceKey#local_ID", ivo)
		}
	}
	cfg := app.BrokerConfig{LocalIVO: ivo}
	for _, s := range a.list("receive") {
		ep, err := endpoint.Server(s, broker.DefaultReceivePort)
		if err != nil {
			return exitf(exitUsage, "--receive: %v", err)
		}
		cfg.Receive = append(cfg.Receive, ep)
	}
	for _, s := range a.list("broadcast") {
		ep, err := endpoint.Server(s, broker.DefaultBroadcastPort)
		if err != nil {
			return exitf(exitUsage, "--broadcast: %v", err)
		}
		cfg.Broadcast = append(cfg.Broadcast, ep)
	}
	if len(cfg.Receive)+len(cfg.Broadcast) > 0 && ivo == "" {
		return exitf(exitUsage, "IVOA identifier required (--local-ivo)")
	}
	var err error
	if cfg.ReceiveWhitelist, err = broker.ParseWhitelist(a.list("receive-whitelist")); err != nil {
		return exitf(exitUsage, "--receive-whitelist: %v", err)
	}
	if cfg.BroadcastWhitelist, err = broker.ParseWhitelist(a.list("broadcast-whitelist")); err != nil {
		return exitf(exitUsage, "--broadcast-whitelist: %v", err)
	}
	testSecs, err := a.intVal("broadcast-test-interval", int(broker.DefaultTestInterval/time.Second))
	if err != nil || testSecs < 0 {
		return exitf(exitUsage, "--broadcast-test-interval must be a number of seconds (0 for none)")
	}
	cfg.TestInterval = time.Duration(testSecs) * time.Second
	alive, err := a.intVal("iamalive-interval", int(broker.DefaultIAmAliveInterval/time.Second))
	if err != nil || alive <= 0 {
		return exitf(exitUsage, "--iamalive-interval must be a positive number of seconds")
	}
	cfg.IAmAliveInterval = time.Duration(alive) * time.Second
	cfg.NoReplay = a.isSet("no-broadcast-replay")
	if g := a.str("broadcast-replay-grace", ""); g != "" {
		d, err := time.ParseDuration(g)
		if err != nil || d <= 0 {
			return exitf(exitUsage, "--broadcast-replay-grace must be a positive duration such as 30m or 2h")
		}
		cfg.ReplayGrace = d
	}
	filters := a.list("filter")
	for _, f := range filters {
		if _, err := voevent.CompileFilter(f); err != nil {
			return exitf(exitUsage, "Invalid XPath expression: %s", f)
		}
	}
	for _, s := range a.list("subscribe") {
		ep, err := endpoint.Client(s, broker.DefaultBroadcastPort)
		if err != nil {
			return exitf(exitUsage, "--subscribe: %v", err)
		}
		cfg.Subscribe = append(cfg.Subscribe, broker.UpstreamConfig{Target: ep, Filters: filters, AcceptInvalid: true})
	}
	if ivo == "" {
		ivo = "ivo://localhost/starling"
		cfg.LocalIVO = ivo
	}
	maxRun, err := a.intVal("cmd-max-running", broker.DefaultMaxRunning)
	if err != nil || maxRun <= 0 {
		return exitf(exitUsage, "--cmd-max-running must be a positive number")
	}
	secs, err := a.intVal("receive-timeout", int(broker.DefaultReceiveTimeout/time.Second))
	if err != nil || secs <= 0 {
		return exitf(exitUsage, "--receive-timeout must be a positive number of seconds")
	}
	cfg.ReceiveTimeout = time.Duration(secs) * time.Second
	if cfg.MaxFrame, err = a.intVal("max-frame", vtp.DefaultMaxFrame); err != nil || cfg.MaxFrame <= 0 {
		return exitf(exitUsage, "--max-frame must be a positive number of bytes")
	}
	days, err := a.intVal("seen-max-age", int(seen.DefaultMaxAge/(24*time.Hour)))
	if err != nil || days <= 0 {
		return exitf(exitUsage, "--seen-max-age must be a positive number of days")
	}
	prune, err := a.intVal("prune-interval", int(app.DefaultPruneInterval/time.Second))
	if err != nil || prune <= 0 {
		return exitf(exitUsage, "--prune-interval must be a positive number of seconds")
	}
	for _, c := range a.list("cmd") {
		fields := strings.Fields(c)
		if len(fields) == 0 {
			return exitf(exitUsage, "--cmd needs a program")
		}
		cfg.Handlers = append(cfg.Handlers, broker.NewSpawnHandler(fields[0], fields[1:], maxRun, log))
	}
	if a.isSet("print-event") {
		cfg.Handlers = append(cfg.Handlers, broker.NewPrintHandler(env.Stdout, log))
	}
	if a.isSet("save-event") || a.isSet("save-event-directory") {
		dir := a.str("save-event-directory", "")
		if dir == "" {
			dir, _ = os.Getwd()
		}
		cfg.Handlers = append(cfg.Handlers, broker.NewSaveHandler(dir, log))
	}
	var kcfg kafka.Config
	topics := a.list("kafka-topic")
	if kafkaWanted(a) || len(topics) > 0 || a.isSet("kafka-publish") {
		if kcfg, err = kafkaConfig(a, log); err != nil {
			return exitf(exitUsage, "%v", err)
		}
		if _, _, err := kafka.SplitTopics(topics); err != nil {
			return exitf(exitUsage, "--kafka-topic: %v", err)
		}
	}
	from, err := kafka.ParseFrom(a.str("kafka-from", "latest"), time.Now())
	if err != nil {
		return exitf(exitUsage, "--kafka-from: %v", err)
	}
	if t := a.str("kafka-publish", ""); t != "" {
		cfg.Publish = &app.KafkaPublish{Config: kcfg, Topic: t}
	}
	httpAddr, token, err := httpOptions(a)
	if err != nil {
		return err
	}
	services := len(cfg.Receive)+len(cfg.Broadcast)+len(cfg.Subscribe)+len(topics) > 0
	if !services && httpAddr == "" {
		log.Warn("No services requested; stopping.")
		return exitStatus(exitUsage)
	}
	dir := a.str("data-dir", a.str("eventdb", app.DefaultDataDir()))
	// The core lives until Close, not until the signal: a signal starts
	// the graceful shutdown below (StopBroker, then Close), so that the
	// submissions in flight are still stored and acked.
	core, err := app.Open(context.WithoutCancel(env.Context()), app.Options{
		DataDir: dir, Log: log,
		SeenMaxAge:    time.Duration(days) * 24 * time.Hour,
		PruneInterval: time.Duration(prune) * time.Second,
	})
	if err != nil {
		return exitf(exitFailure, "%v", err)
	}
	defer closeCore(env, core)
	stopProfile, err := cpuProfileFromEnv()
	if err != nil {
		log.Warn("cannot write a CPU profile", "err", err)
	}
	defer stopProfile()
	log.Info("Starling "+Version+" broker "+ivo+" using data directory "+dir, "component", "broker")
	if len(topics) > 0 {
		group := a.str("kafka-group", "")
		if group == "" {
			if group, err = core.Sources().KafkaGroup(env.Context(), ivo); err != nil {
				return exitf(exitFailure, "%v", err)
			}
		}
		cfg.Kafka = append(cfg.Kafka, kafka.ConsumerConfig{Config: kcfg, Topics: topics, Group: group, From: from})
		log.Info(fmt.Sprintf("Consuming Kafka topics %s from %s as group %s (new groups start at %s)", strings.Join(topics, ", "), strings.Join(kcfg.Bootstrap, ","), group, from), "component", "kafka")
	}
	var apiErr <-chan error
	if httpAddr != "" {
		ln, err := net.Listen("tcp", httpAddr)
		if err != nil {
			return exitf(exitFailure, "--http: %v", err)
		}
		apiCtx, stopAPI := context.WithCancel(context.WithoutCancel(env.Context()))
		errs := make(chan error, 1)
		go func() { errs <- api.New(core, api.Options{Token: token, Log: log}).Serve(apiCtx, ln) }()
		defer func() { stopAPI(); <-errs }()
		apiErr = errs
		log.Info("Serving the voeventdb API on http://"+ln.Addr().String()+"/apiv1/", "component", "api", "address", ln.Addr().String(), "token", token != "")
	}
	var lbErrs <-chan error // nil when only the API serves
	if services {
		lb, err := core.Brokers().Start(cfg)
		if err != nil {
			return exitf(exitFailure, "%v", err)
		}
		lbErrs = lb.Errors()
	}
	if p := cfg.Publish; p != nil {
		log.Info(fmt.Sprintf("Publishing every event accepted from the receiver or a VTP subscription to Kafka topic %s at %s; each is queued with its archive row before the ack", p.Topic, strings.Join(p.Bootstrap, ",")), "component", "kafka")
	}
	// On Windows too: os.Interrupt is Ctrl-C or Ctrl-Break, and SIGTERM is
	// the console window closed, the user logging off or the system
	// shutting down (os/signal maps those console events).
	sigCtx, stop := context.WithCancel(env.Context())
	defer stop()
	select {
	case <-sigCtx.Done():
		log.Info("Received "+signalName(sigCtx)+"; shutting down", "component", "broker")
	case err := <-lbErrs:
		log.Error("listener failed; shutting down", "component", "broker", "err", err)
		return exitStatus(exitFailure)
	case err := <-apiErr:
		log.Error("the API server failed; shutting down", "component", "api", "err", err)
		return exitStatus(exitFailure)
	}
	ctx, cancel := env.shutdown()
	defer cancel()
	if !services {
		return nil
	}
	if err := core.Brokers().Stop(ctx); err != nil {
		log.Warn("connections still open at shutdown were closed", "component", "broker")
	}
	return nil
}

// signalName names the signal that ended ctx, a signal.NotifyContext:
// "interrupt", "terminated".
func signalName(ctx context.Context) string {
	return strings.TrimSuffix(context.Cause(ctx).Error(), " signal received")
}

// httpOptions reads --http and --http-token-file: the address to serve the
// API on ("" for none) and the token requests must send ("" for none). A
// non-loopback address needs a token; the token is never logged.
func httpOptions(a *argSet) (addr, token string, err error) {
	addr = a.str("http", "")
	file := a.str("http-token-file", "")
	if addr == "" {
		if file != "" {
			return "", "", exitf(exitUsage, "--http-token-file needs --http")
		}
		return "", "", nil
	}
	host, port, perr := net.SplitHostPort(addr)
	if perr != nil || port == "" {
		return "", "", exitf(exitUsage, "--http must be HOST:PORT, such as 127.0.0.1:8080")
	}
	if file != "" {
		b, rerr := os.ReadFile(file)
		if rerr != nil {
			return "", "", exitf(exitUsage, "--http-token-file: %v", rerr)
		}
		if token = strings.TrimSpace(string(b)); token == "" || strings.ContainsAny(token, " \t\r\n") {
			return "", "", exitf(exitUsage, "--http-token-file: %s must hold one token on one line", file)
		}
	}
	if !isLoopback(host) && token == "" {
		return "", "", exitf(exitUsage, "--http %s is not a loopback address: give --http-token-file so that only those with the token can read the archive", addr)
	}
	return addr, token, nil
}

// isLoopback reports whether host names only the loopback interface.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
