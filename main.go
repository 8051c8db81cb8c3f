// Command starling is a VOEvent broker and sender: with a subcommand it is the
// command line (broker, sendvo, …); run as comet-sendvo it is the sender.
package main

import (
	"os"

	"github.com/starling-broker/starling/app/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[0], os.Args[1:], cli.StdEnv()))
}
