package cli

import (
	"github.com/starling-broker/starling/app"
)

// DesktopOptions are the desktop app's command-line options.
type DesktopOptions struct {
	DataDir     string
	StartBroker bool
	Verbose     bool
	Files       []string
}

// desktopArgs are the desktop app's options, parsed like the commands'.
func desktopArgs() *argSet {
	a := newArgSet("starling", "starling [--data-dir DIR] [--start-broker] [-v] [FILE.xml ...]   (`starling help` lists the commands)")
	dataDirOption(a)
	a.add(option{long: "start-broker", kind: flagBool, help: "turn the local broker on at launch"})
	a.add(option{long: "verbose", short: "v", kind: flagCount, help: "log debug detail to standard error"})
	return a
}

// ParseDesktop reads the desktop app's arguments as the commands read
// theirs; done is true when the program should exit with status, after
// --help or a usage error (written on env's streams).
func ParseDesktop(args []string, env Env) (o DesktopOptions, status int, done bool) {
	a := desktopArgs()
	if done, err := parseOrHelp(env, a, args); done {
		return o, report(env.Stderr, withPrefix(a.name, err)), true
	}
	return DesktopOptions{
		DataDir:     a.str("data-dir", app.DefaultDataDir()),
		StartBroker: a.isSet("start-broker"),
		Verbose:     a.count("verbose") > 0,
		Files:       a.positional,
	}, 0, false
}
