package cli

import (
	"fmt"
	"strings"

	"github.com/starling-broker/starling/app"
)

func runSettings(env Env, args []string) error {
	if len(args) > 0 && args[0] == "rules" {
		return runSettingsRules(env, args[1:])
	}
	if len(args) > 0 && args[0] == "kafka" {
		return runSettingsKafka(env, args[1:])
	}
	if len(args) > 0 && args[0] == "channels" {
		return runSettingsChannels(env, args[1:])
	}
	if len(args) > 0 && args[0] == "sites" {
		return runSettingsSites(env, args[1:])
	}
	a := newArgSet("starling settings", "starling settings [--data-dir DIR] get KEY | set KEY VALUE [KEY VALUE ...] | rules list|add|remove … | kafka list|add|remove … | channels list|add|remove|test … | sites list|add|remove …")
	dataDirOption(a)
	if done, err := parseOrHelp(env, a, args); done {
		return err
	}
	if len(a.positional) == 0 {
		var help strings.Builder
		a.printHelp(&help)
		return exitBare(exitUsage, help.String())
	}
	core, err := app.Open(env.Context(), app.Options{DataDir: a.str("data-dir", app.DefaultDataDir()), Shared: true, ReadOnly: a.positional[0] == "get"})
	if err != nil {
		return exitf(exitFailure, "%v", err)
	}
	defer closeCore(env, core)
	// As when it took the lock itself: not while another Starling uses the directory.
	if err := core.InUse(); err != nil {
		return exitf(exitFailure, "%v", err)
	}
	ctx := env.Context()
	verb, rest := a.positional[0], a.positional[1:]
	switch {
	case verb == "get" && len(rest) == 1:
		v, ok, err := core.Settings().Get(ctx, rest[0])
		if err != nil {
			return exitf(exitFailure, "%v", err)
		}
		if !ok {
			return exitf(exitFailure, "%s is not set", rest[0])
		}
		fmt.Fprintln(env.Stdout, v)
		return nil
	case verb == "set" && len(rest) >= 2 && len(rest)%2 == 0:
		for i := 0; i < len(rest); i += 2 {
			if err := core.Settings().Set(ctx, rest[i], rest[i+1]); err != nil {
				return exitf(exitFailure, "%v", err)
			}
		}
		return nil
	}
	return exitBare(exitUsage, "usage: "+a.usage)
}
