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
// --help or a usage error (written on env's streams). A word that is not a
// file for the window (IsFileArg) is an unknown command, as after options
// ("starling -v observability").
func ParseDesktop(args []string, env Env) (o DesktopOptions, status int, done bool) {
	a := desktopArgs()
	err := a.parse(args)
	if err == nil || err == errHelp {
		for _, p := range a.positional { // those before --help too
			if !IsFileArg(p) {
				return o, report(env.Stderr, unknownCommand(p)), true
			}
		}
	}
	if err == errHelp {
		a.printHelp(env.Stdout)
		return o, exitOK, true
	}
	if err != nil {
		return o, report(env.Stderr, withPrefix(a.name, exitf(exitUsage, "%v\nusage: %s", err, a.usage))), true
	}
	return DesktopOptions{
		DataDir:     a.str("data-dir", app.DefaultDataDir()),
		StartBroker: a.isSet("start-broker"),
		Verbose:     a.count("verbose") > 0,
		Files:       a.positional,
	}, 0, false
}
