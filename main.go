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
	if cli.IsSubcommand(os.Args[0], os.Args[1:]) {
		os.Exit(cli.Main(os.Args[0], os.Args[1:], cli.StdEnv()))
	}
	leaveOwnConsole()
	os.Exit(ui.Main(os.Args[1:]))
}
