package cli

import (
	"context"
	"fmt"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/app/store"
)

func init() {
	register(Command{Name: "settings", Summary: "show or change the desktop app's settings", Run: runSettings})
}

func runSettings(env Env, args []string) int {
	a := newArgSet("starling settings", "starling settings [--data-dir DIR] get KEY | set KEY VALUE [KEY VALUE ...]")
	dataDirOption(a)
	if st, ok := parseOrHelp(env, a, args); !ok {
		return st
	}
	if len(a.positional) == 0 {
		a.printHelp(env.Stderr)
		return 2
	}
	st, err := store.Open(a.str("data-dir", app.DefaultDataDir()), store.Options{Exclusive: true})
	if err != nil {
		fmt.Fprintf(env.Stderr, "starling settings: %v\n", err)
		return 1
	}
	defer st.Close()
	ctx := context.Background()
	verb, rest := a.positional[0], a.positional[1:]
	switch {
	case verb == "get" && len(rest) == 1:
		v, ok, err := st.GetSetting(ctx, rest[0])
		if err != nil {
			fmt.Fprintf(env.Stderr, "starling settings: %v\n", err)
			return 1
		}
		if !ok {
			fmt.Fprintf(env.Stderr, "starling settings: %s is not set\n", rest[0])
			return 1
		}
		fmt.Fprintln(env.Stdout, v)
		return 0
	case verb == "set" && len(rest) >= 2 && len(rest)%2 == 0:
		for i := 0; i < len(rest); i += 2 {
			if err := st.SetSetting(ctx, rest[i], rest[i+1]); err != nil {
				fmt.Fprintf(env.Stderr, "starling settings: %v\n", err)
				return 1
			}
		}
		return 0
	}
	fmt.Fprintln(env.Stderr, "usage:", a.usage)
	return 2
}
