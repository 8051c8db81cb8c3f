package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/app/logs"
)

// Version is the program's version, read from FyneApp.toml by main.
var Version = "dev"

// Env is what a command reads and writes: arguments aside, its standard streams.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Ctx is the command's context: Main ends it at Ctrl-C or SIGTERM.
	// Nil is a context that never ends.
	Ctx context.Context
}

// Context is the command's context (Ctx, or one that never ends).
func (e Env) Context() context.Context {
	if e.Ctx == nil {
		return context.Background()
	}
	return e.Ctx
}

// Command is one subcommand.
type Command struct {
	Name string
	Help string
	Run  func(env Env, args []string) error
}

// Commands lists the subcommands, in the order help shows them.
func Commands() []Command {
	return []Command{
		{Name: "backup", Help: "copy the archive into DIR/backups now (beside a running Starling too)", Run: prefixed("starling backup", runBackup)},
		{Name: "bench", Help: "measure any VTP broker (submit, fanout, soak; null: a ceiling)", Run: runBench},
		{Name: "broker", Help: "run a VOEvent broker (Comet's options)", Run: prefixed("starling broker", runBroker)},
		{Name: "circular", Help: "draft a GCN Circular for a trigger: its text, or GCN's pre-filled form address", Run: prefixed("starling circular", runCircular)},
		{Name: "compose", Help: "write a VOEvent: a new alert, or a follow-up, retraction or supersession of one", Run: prefixed("starling compose", runCompose)},
		{Name: "doctor", Help: "check the archive for damage; recover what can still be read", Run: prefixed("starling doctor", runDoctor)},
		{Name: "events", Help: "list, search and show the archive of received events", Run: runEvents},
		{Name: "kafka", Help: "Kafka clusters: list the topics your credentials can read", Run: prefixed("starling kafka topics", runKafka)},
		{Name: "observability", Help: "how much of an alert's sky map or error circle a site can observe, and when", Run: prefixed("starling observability", runObservability)},
		{Name: "outbox", Help: "queue events for a broker and send them when it is reachable", Run: runOutbox},
		{Name: "restore", Help: "put a backup in place of the archive (keeps the current one aside)", Run: prefixed("starling restore", runRestore)},
		{Name: "sendvo", Help: "send one event to a broker (comet-sendvo)", Run: prefixed("sendvo", runSendvo)},
		{Name: "settings", Help: "show or change the desktop app's settings, notification rules and channels, Kafka sources and sites", Run: prefixed("starling settings", runSettings)},
		{Name: "skymap", Help: "summarise a HEALPix sky map (FITS file, alert JSON or archived alert key), draw it as a PNG", Run: prefixed("starling skymap", runSkymap)},
	}
}

// command finds the subcommand called name.
func command(name string) (Command, bool) {
	for _, c := range Commands() {
		if c.Name == name {
			return c, true
		}
	}
	return Command{}, false
}

// IsSubcommand reports whether args (after the program name) ask for the
// command line rather than the desktop app: a command's name, help or
// version, and also a first word that is neither an option nor a file for
// the window (see IsFileArg), so that a mistyped or unknown command is
// refused as one rather than opened as a file.
func IsSubcommand(argv0 string, args []string) bool {
	if isSendvoName(argv0) {
		return true
	}
	if len(args) == 0 {
		return false
	}
	switch args[0] {
	case "--version", "-V", "version", "help", "--help", "-h":
		return true
	}
	if _, ok := command(args[0]); ok {
		return true
	}
	return !strings.HasPrefix(args[0], "-") && !IsFileArg(args[0])
}

// fileSuffixes end the names of files the window opens even when they do not
// exist yet (the Send panel then says so), compared without regard to case.
var fileSuffixes = []string{".xml", ".json", ".fits", ".fits.gz"}

// IsFileArg reports whether arg, a word on the desktop app's command line,
// names a file for the window: a path that exists, or a name ending in
// .xml, .json, .fits or .fits.gz.
func IsFileArg(arg string) bool {
	lower := strings.ToLower(arg)
	for _, s := range fileSuffixes {
		if strings.HasSuffix(lower, s) {
			return true
		}
	}
	_, err := os.Stat(arg)
	return err == nil
}

// unknownCommand is the error for a word that is neither a command nor a file.
func unknownCommand(name string) error {
	return exitBare(exitUsage, fmt.Sprintf("starling: unknown command %q\n", name)+usage())
}

func isSendvoName(argv0 string) bool {
	return strings.HasPrefix(filepath.Base(argv0), "comet-sendvo")
}

// Main runs the command line and returns the exit status; it is the one
// place that turns a command's error into a message and a status.
func Main(argv0 string, args []string, env Env) int {
	if env.Ctx == nil {
		// The one context of the command line. On Windows too: os.Interrupt
		// is Ctrl-C or Ctrl-Break, and SIGTERM is the console window closed,
		// the user logging off or the system shutting down (os/signal maps
		// those console events). A second signal ends the process at once.
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		context.AfterFunc(ctx, stop)
		env.Ctx = ctx
	}
	return report(env.Stderr, run(argv0, args, env))
}

// run runs the command line.
func run(argv0 string, args []string, env Env) error {
	if isSendvoName(argv0) {
		return withPrefix("sendvo", runSendvo(env, args))
	}
	if len(args) == 0 {
		return exitBare(exitUsage, usage())
	}
	switch args[0] {
	case "--version", "-V", "version":
		fmt.Fprintln(env.Stdout, "starling", Version)
		return nil
	case "help", "--help", "-h":
		fmt.Fprint(env.Stdout, usage())
		return nil
	}
	if c, ok := command(args[0]); ok {
		return c.Run(env, args[1:])
	}
	return unknownCommand(args[0])
}

// usage is the command line's help.
func usage() string {
	var b strings.Builder
	fmt.Fprintln(&b, "usage: starling [--data-dir DIR] [--start-broker] [FILE.xml ...]   (the desktop app)")
	fmt.Fprintln(&b, "       starling COMMAND [options]")
	fmt.Fprintln(&b, "\ncommands:")
	for _, c := range Commands() {
		fmt.Fprintf(&b, "  %-8s %s\n", c.Name, c.Help)
	}
	fmt.Fprintln(&b, "\n`starling COMMAND --help` describes a command's options; `starling --version` prints the version.")
	return b.String()
}

// logger returns the log for a command at verbosity v (0 = info, 1+ = debug;
// quiet = warnings only).
func logger(w io.Writer, verbose int, quiet bool) *slog.Logger {
	level := slog.LevelInfo
	if verbose > 0 {
		level = slog.LevelDebug
	}
	if quiet {
		level = slog.LevelWarn
	}
	return logs.New(w, level)
}

// dataDirOption adds --data-dir to a command.
func dataDirOption(a *argSet) {
	a.add(option{long: "data-dir", kind: flagValue, meta: "DIR", help: "data directory (default $STARLING_DATA_DIR or " + app.DefaultDataDir() + ")"})
}

// parseOrHelp parses args and deals with --help and errors; done is true when
// the command should return err (nil after --help). The error's message
// leaves out the prefix a.name, which the command's dispatcher adds.
func parseOrHelp(env Env, a *argSet, args []string) (done bool, err error) {
	err = a.parse(args)
	if err == errHelp {
		a.printHelp(env.Stdout)
		return true, nil
	}
	if err != nil {
		return true, exitf(exitUsage, "%v\nusage: %s", err, a.usage)
	}
	return false, nil
}

// StdEnv is the process's own standard streams.
func StdEnv() Env { return Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr} }

// subcommand is one command of a group such as `starling outbox`.
type subcommand struct {
	names []string // the first is its name in messages; the others are aliases
	run   func(env Env, args []string) error
}

// dispatch runs the subcommand args[0] of group ("starling outbox"), whose
// help is usage; the subcommand's messages start "group name: ".
func dispatch(env Env, group, usage string, subs []subcommand, args []string) error {
	if len(args) == 0 {
		return exitBare(exitUsage, usage)
	}
	switch args[0] {
	case "--help", "-h", "help":
		fmt.Fprint(env.Stdout, usage)
		return nil
	}
	for _, s := range subs {
		if slices.Contains(s.names, args[0]) {
			return withPrefix(group+" "+s.names[0], s.run(env, args[1:]))
		}
	}
	return exitBare(exitUsage, fmt.Sprintf("%s: unknown command %q\n%s", group, args[0], usage))
}

// shutdownTimeout is how long a command that was asked to stop waits for
// its work in progress.
const shutdownTimeout = 5 * time.Second

// shutdown is the context in which a command finishes its work once asked
// to stop: the command's values without its end, for shutdownTimeout.
func (e Env) shutdown() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(e.Context()), shutdownTimeout)
}

// closeCore closes a command's core, letting its work finish (shutdown).
func closeCore(env Env, core *app.Core) {
	ctx, cancel := env.shutdown()
	defer cancel()
	core.Close(ctx)
}

// readCore opens a data directory with open and runs read on its core; a
// directory that holds no data yet (app.ErrNoData) is left as it is, so
// that a listing shows what a new one starts with.
func readCore(env Env, open func() (*app.Core, error), read func(*app.Core) error) error {
	core, err := open()
	switch {
	case errors.Is(err, app.ErrNoData):
		return nil
	case err != nil:
		return exitf(exitFailure, "%v", err)
	}
	defer closeCore(env, core)
	if err := read(core); err != nil {
		return exitf(exitFailure, "%v", err)
	}
	return nil
}
