// Command starling is a VOEvent broker and sender. With no subcommand it is the
// desktop app; with one (broker, sendvo, …) it is the command line; run as
// comet-sendvo it is the sender.
package main

import (
	_ "embed"
	"os"

	"github.com/starling-broker/starling/app/cli"
	_ "github.com/starling-broker/starling/app/clocale" // before the GUI toolkit reads the locale
	"github.com/starling-broker/starling/ui"
)

// fyneApp is FyneApp.toml, the one place the version is written.
//
//go:embed FyneApp.toml
var fyneApp string

func main() {
	cli.Version = cli.VersionFromFyneApp(fyneApp)
	env := cli.StdEnv()
	if cli.IsSubcommand(os.Args[0], os.Args[1:]) {
		os.Exit(cli.Main(os.Args[0], os.Args[1:], env))
	}
	o, status, done := cli.ParseDesktop(os.Args[1:], env)
	if done {
		os.Exit(status)
	}
	leaveOwnConsole()
	os.Exit(ui.Main(ui.MainOptions{DataDir: o.DataDir, StartBroker: o.StartBroker, Verbose: o.Verbose, Files: o.Files}))
}
