package cli

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/app/logs"
)

// Version is the program's version, read from FyneApp.toml by main.
var Version = "dev"

// Env is what a command reads and writes: arguments aside, its standard streams.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
}

// Command is one subcommand.
type Command struct {
	Name    string
	Summary string
	Run     func(env Env, args []string) int
}

// Commands lists the subcommands, in the order help shows them.
var Commands []Command

func register(c Command) { Commands = append(Commands, c) }

// IsSubcommand reports whether args (after the program name) ask for the
// command line rather than the desktop app.
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
	for _, c := range Commands {
		if c.Name == args[0] {
			return true
		}
	}
	return false
}

func isSendvoName(argv0 string) bool {
	return strings.HasPrefix(filepath.Base(argv0), "comet-sendvo")
}

// Main runs the command line and returns the exit status.
func Main(argv0 string, args []string, env Env) int {
	if isSendvoName(argv0) {
		return runSendvo(env, args)
	}
	if len(args) == 0 {
		usage(env.Stderr)
		return 2
	}
	switch args[0] {
	case "--version", "-V", "version":
		fmt.Fprintln(env.Stdout, "starling", Version)
		return 0
	case "help", "--help", "-h":
		usage(env.Stdout)
		return 0
	}
	for _, c := range Commands {
		if c.Name == args[0] {
			return c.Run(env, args[1:])
		}
	}
	fmt.Fprintf(env.Stderr, "starling: unknown command %q\n", args[0])
	usage(env.Stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: starling [--data-dir DIR] [--start-broker] [FILE.xml ...]   (the desktop app)")
	fmt.Fprintln(w, "       starling COMMAND [options]")
	fmt.Fprintln(w, "\ncommands:")
	for _, c := range Commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.Name, c.Summary)
	}
	fmt.Fprintln(w, "\n`starling COMMAND --help` describes a command's options; `starling --version` prints the version.")
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

// parseOrHelp parses args and deals with --help and errors; ok is false when
// the command should return status.
func parseOrHelp(env Env, a *argSet, args []string) (status int, ok bool) {
	err := a.parse(args)
	if err == errHelp {
		a.printHelp(env.Stdout)
		return 0, false
	}
	if err != nil {
		fmt.Fprintf(env.Stderr, "%s: %v\n", a.name, err)
		fmt.Fprintf(env.Stderr, "usage: %s\n", a.usage)
		return 2, false
	}
	return 0, true
}

// StdEnv is the process's own standard streams.
func StdEnv() Env { return Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr} }
