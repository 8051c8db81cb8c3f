// Package cli holds Starling's subcommands: broker (Comet's options), sendvo
// (comet-sendvo's options), bench, outbox, events and skymap.
package cli

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// argKind says how an option takes its value, after Python's argparse.
type argKind int

const (
	flagBool     argKind = iota // --x
	flagValue                   // --x V, --x=V
	flagOptional                // --x, --x V, --x=V (nargs="?"), repeatable
	flagList                    // --x A B C (nargs="*"), repeatable
	flagCount                   // -v -vv
	flagRepeat                  // --x V repeatable
)

// option is one command-line option.
type option struct {
	long, short string
	kind        argKind
	meta, help  string
	// dflt is the value of an optional-value option given bare.
	dflt string
}

// argSet parses options the way Comet's argparse-based commands do.
type argSet struct {
	name, usage string
	opts        []*option
	values      map[string][]string
	given       map[string]bool
	counts      map[string]int
	positional  []string
}

func newArgSet(name, usage string) *argSet {
	return &argSet{name: name, usage: usage, values: map[string][]string{}, given: map[string]bool{}, counts: map[string]int{}}
}

func (a *argSet) add(o option) { a.opts = append(a.opts, &o) }

func (a *argSet) find(name string) *option {
	for _, o := range a.opts {
		if "--"+o.long == name || (o.short != "" && "-"+o.short == name) {
			return o
		}
	}
	return nil
}

// errHelp is returned when --help was asked for.
var errHelp = fmt.Errorf("help requested")

func isOptionLike(s string) bool {
	if len(s) < 2 || s[0] != '-' {
		return false
	}
	_, err := strconv.ParseFloat(s, 64)
	return err != nil
}

func (a *argSet) parse(args []string) error {
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			a.positional = append(a.positional, args[i+1:]...)
			return nil
		}
		if arg == "--help" || (arg == "-h" && a.find("-h") == nil) {
			return errHelp
		}
		if !isOptionLike(arg) {
			a.positional = append(a.positional, arg)
			continue
		}
		name, val, hasVal := strings.Cut(arg, "=")
		o := a.find(name)
		// Short options bundled like -vv, or -p8098.
		if o == nil && !strings.HasPrefix(arg, "--") && len(arg) > 2 {
			if first := a.find(arg[:2]); first != nil {
				if first.kind == flagCount && strings.Trim(arg[1:], arg[1:2]) == "" {
					a.counts[first.long] += len(arg) - 1
					a.given[first.long] = true
					continue
				}
				if first.kind == flagValue || first.kind == flagRepeat {
					o, name, val, hasVal = first, arg[:2], arg[2:], true
				}
			}
		}
		if o == nil {
			return fmt.Errorf("unknown option %s", name)
		}
		a.given[o.long] = true
		switch o.kind {
		case flagBool, flagCount:
			if hasVal {
				return fmt.Errorf("option %s takes no value", name)
			}
			a.counts[o.long]++
		case flagValue, flagRepeat:
			if !hasVal {
				if i+1 >= len(args) {
					return fmt.Errorf("option %s needs a value (%s)", name, o.meta)
				}
				i++
				val = args[i]
			}
			if o.kind == flagValue {
				a.values[o.long] = []string{val}
			} else {
				a.values[o.long] = append(a.values[o.long], val)
			}
		case flagOptional:
			if !hasVal {
				val = o.dflt
				if i+1 < len(args) && !isOptionLike(args[i+1]) && looksLikeEndpoint(args[i+1]) {
					i++
					val = args[i]
				}
			}
			a.values[o.long] = append(a.values[o.long], val)
		case flagList:
			if hasVal {
				a.values[o.long] = append(a.values[o.long], val)
			}
			for i+1 < len(args) && !isOptionLike(args[i+1]) {
				i++
				a.values[o.long] = append(a.values[o.long], args[i])
			}
		}
	}
	return nil
}

// looksLikeEndpoint tells an optional endpoint value from a positional word.
func looksLikeEndpoint(s string) bool {
	if _, err := strconv.Atoi(s); err == nil {
		return true
	}
	return strings.HasPrefix(s, "tcp:") || strings.HasPrefix(s, "unix:") || strings.HasPrefix(s, "tcp6:")
}

func (a *argSet) str(long, dflt string) string {
	if v := a.values[long]; len(v) > 0 {
		return v[len(v)-1]
	}
	return dflt
}

func (a *argSet) list(long string) []string { return a.values[long] }
func (a *argSet) isSet(long string) bool    { return a.given[long] }
func (a *argSet) count(long string) int     { return a.counts[long] }

func (a *argSet) intVal(long string, dflt int) (int, error) {
	s := a.str(long, "")
	if s == "" {
		return dflt, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("--%s: %q is not a whole number", long, s)
	}
	return n, nil
}

func (a *argSet) printHelp(w io.Writer) {
	fmt.Fprintf(w, "usage: %s\n\n", a.usage)
	for _, o := range a.opts {
		names := "--" + o.long
		if o.short != "" {
			names = "-" + o.short + ", " + names
		}
		switch o.kind {
		case flagValue, flagRepeat:
			names += " " + o.meta
		case flagOptional:
			names += "[=" + o.meta + "]"
		case flagList:
			names += " " + o.meta + " ..."
		}
		fmt.Fprintf(w, "  %-34s %s\n", names, o.help)
	}
}
