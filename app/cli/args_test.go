package cli

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// TestArgSetParse covers every form Comet's argparse options take.
func TestArgSetParse(t *testing.T) {
	broker, sendvo := brokerArgs, sendvoArgs
	tests := []struct {
		name       string
		set        func() *argSet
		args       []string
		values     map[string][]string // options' values; only the ones named are checked
		counts     map[string]int
		positional []string
		err        string // a substring of the error; "" for none
	}{
		{name: "-r bare", set: broker, args: []string{"-r"}, values: map[string][]string{"receive": {"tcp:8098"}}},
		{name: "--receive bare", set: broker, args: []string{"--receive"}, values: map[string][]string{"receive": {"tcp:8098"}}},
		{name: "--receive=8098", set: broker, args: []string{"--receive=8098"}, values: map[string][]string{"receive": {"8098"}}},
		{name: "--receive ENDPOINT", set: broker, args: []string{"--receive", "tcp:8098:interface=127.0.0.1"},
			values: map[string][]string{"receive": {"tcp:8098:interface=127.0.0.1"}}},
		{name: "-r PORT", set: broker, args: []string{"-r", "9000"}, values: map[string][]string{"receive": {"9000"}}},
		{name: "-r then a word", set: broker, args: []string{"-r", "extra"},
			values: map[string][]string{"receive": {"tcp:8098"}}, positional: []string{"extra"}},
		{name: "-b bare", set: broker, args: []string{"-b"}, values: map[string][]string{"broadcast": {"tcp:8099"}}},
		{name: "-r and -b together", set: broker, args: []string{"-r", "-b", "--local-ivo=ivo://a/b"},
			values: map[string][]string{"receive": {"tcp:8098"}, "broadcast": {"tcp:8099"}, "local-ivo": {"ivo://a/b"}}},
		{name: "repeated --receive", set: broker, args: []string{"-r", "--receive=9000", "-r", "unix:/tmp/s"},
			values: map[string][]string{"receive": {"tcp:8098", "9000", "unix:/tmp/s"}}},
		{name: "repeated --subscribe", set: broker, args: []string{"--subscribe", "a:8099", "--subscribe=b"},
			values: map[string][]string{"subscribe": {"a:8099", "b"}}},
		{name: "nargs=* list", set: broker, args: []string{"--receive-whitelist", "10.0.0.0/8", "127.0.0.1", "192.168.0.0/255.255.0.0", "-r"},
			values: map[string][]string{"receive-whitelist": {"10.0.0.0/8", "127.0.0.1", "192.168.0.0/255.255.0.0"}, "receive": {"tcp:8098"}}},
		{name: "nargs=* empty", set: broker, args: []string{"--receive-whitelist", "-b"},
			values: map[string][]string{"receive-whitelist": nil, "broadcast": {"tcp:8099"}}},
		{name: "nargs=* repeated and =", set: broker, args: []string{"--broadcast-whitelist=A", "B", "--broadcast-whitelist", "C"},
			values: map[string][]string{"broadcast-whitelist": {"A", "B", "C"}}},
		{name: "-vv", set: broker, args: []string{"-vv"}, counts: map[string]int{"verbose": 2}},
		{name: "-v -vv --verbose", set: broker, args: []string{"-v", "-vv", "--verbose"}, counts: map[string]int{"verbose": 4}},
		{name: "--x=V", set: broker, args: []string{"--local-ivo=ivo://a/b#c"}, values: map[string][]string{"local-ivo": {"ivo://a/b#c"}}},
		{name: "--x V", set: broker, args: []string{"--local-ivo", "ivo://a/b"}, values: map[string][]string{"local-ivo": {"ivo://a/b"}}},
		{name: "--x=V with = in V", set: broker, args: []string{"--filter=//Param[@name='x']"}, values: map[string][]string{"filter": {"//Param[@name='x']"}}},
		{name: "last value wins", set: broker, args: []string{"--local-ivo", "ivo://a/b", "--local-ivo=ivo://c/d"},
			values: map[string][]string{"local-ivo": {"ivo://c/d"}}},
		{name: "negative value", set: broker, args: []string{"--broadcast-test-interval", "-5"},
			values: map[string][]string{"broadcast-test-interval": {"-5"}}},
		{name: "negative value with =", set: broker, args: []string{"--max-frame=-1.5"}, values: map[string][]string{"max-frame": {"-1.5"}}},
		{name: "negative positional", set: broker, args: []string{"-3"}, positional: []string{"-3"}},
		{name: "-- ends options", set: broker, args: []string{"-r", "--", "-b", "--local-ivo"},
			values: map[string][]string{"receive": {"tcp:8098"}, "broadcast": nil}, positional: []string{"-b", "--local-ivo"}},
		{name: "unknown long option", set: broker, args: []string{"--nope"}, err: "unknown option --nope"},
		{name: "unknown long option with value", set: broker, args: []string{"--nope=3"}, err: "unknown option --nope"},
		{name: "unknown short option", set: broker, args: []string{"-x"}, err: "unknown option -x"},
		{name: "missing value", set: broker, args: []string{"--local-ivo"}, err: "option --local-ivo needs a value (IVO)"},
		{name: "missing repeat value", set: broker, args: []string{"-r", "--subscribe"}, err: "option --subscribe needs a value (HOST[:PORT])"},
		{name: "flag given a value", set: broker, args: []string{"--print-event=yes"}, err: "option --print-event takes no value"},
		{name: "--help", set: broker, args: []string{"-r", "--help"}, err: errHelp.Error()},
		{name: "broker -h is help", set: broker, args: []string{"-h"}, err: errHelp.Error()},

		{name: "sendvo -f -h -p", set: sendvo, args: []string{"-f", "ev.xml", "-h", "example.org", "-p", "8098"},
			values: map[string][]string{"file": {"ev.xml"}, "host": {"example.org"}, "port": {"8098"}}},
		{name: "sendvo long forms", set: sendvo, args: []string{"--file=ev.xml", "--host", "example.org", "--port=9000"},
			values: map[string][]string{"file": {"ev.xml"}, "host": {"example.org"}, "port": {"9000"}}},
		{name: "sendvo -p8098", set: sendvo, args: []string{"-p8098", "-hexample.org"},
			values: map[string][]string{"port": {"8098"}, "host": {"example.org"}}},
		{name: "sendvo TARGET FILE", set: sendvo, args: []string{"example.org:8098", "ev.xml"}, positional: []string{"example.org:8098", "ev.xml"}},
		{name: "sendvo TARGET -", set: sendvo, args: []string{"example.org", "-"}, positional: []string{"example.org", "-"}},
		{name: "sendvo -v -f -", set: sendvo, args: []string{"-v", "-f", "-"},
			values: map[string][]string{"file": {"-"}}, counts: map[string]int{"verbose": 1}},
		{name: "sendvo --help", set: sendvo, args: []string{"--help"}, err: errHelp.Error()},
		{name: "sendvo -h missing host", set: sendvo, args: []string{"-h"}, err: "option -h needs a value (HOST)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := tt.set()
			err := a.parse(tt.args)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("parse(%q) = %v, want an error with %q", tt.args, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("parse(%q): %v", tt.args, err)
			}
			for k, want := range tt.values {
				if got := a.list(k); !reflect.DeepEqual(got, want) {
					t.Errorf("--%s = %q, want %q", k, got, want)
				}
			}
			for k, want := range tt.counts {
				if got := a.count(k); got != want {
					t.Errorf("count(--%s) = %d, want %d", k, got, want)
				}
			}
			if !reflect.DeepEqual(a.positional, tt.positional) {
				t.Errorf("positional = %q, want %q", a.positional, tt.positional)
			}
		})
	}
}

// TestArgSetIntVal covers whole-number values, negatives included.
func TestArgSetIntVal(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want int
		err  bool
	}{
		{nil, 30, false},
		{[]string{"--timeout", "5"}, 5, false},
		{[]string{"--timeout=-5"}, -5, false},
		{[]string{"--timeout", "-5"}, -5, false},
		{[]string{"--timeout", "five"}, 0, true},
		{[]string{"--timeout=1.5"}, 0, true},
	} {
		a := sendvoArgs()
		if err := a.parse(tt.args); err != nil {
			t.Fatalf("parse(%q): %v", tt.args, err)
		}
		got, err := a.intVal("timeout", 30)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("%q: intVal = %d, %v; want %d, error %v", tt.args, got, err, tt.want, tt.err)
		}
	}
}

// TestCommandLineErrors checks the messages and statuses Main gives for
// parse errors, by the command's name and by argv[0] (comet-sendvo).
func TestCommandLineErrors(t *testing.T) {
	for _, tt := range []struct {
		argv0  string
		args   []string
		status int
		stderr string // the start of standard error
		stdout string // a substring of standard output
	}{
		{"starling", []string{"broker", "--nope"}, exitUsage, "starling broker: unknown option --nope\nusage: starling broker --local-ivo=IVO", ""},
		{"starling", []string{"broker", "--local-ivo"}, exitUsage, "starling broker: option --local-ivo needs a value (IVO)\n", ""},
		{"starling", []string{"broker", "-r", "extra"}, exitUsage, "starling broker: unexpected argument \"extra\"\n", ""},
		{"starling", []string{"broker", "--help"}, exitOK, "", "--receive-whitelist NETWORK ..."},
		{"starling", []string{"sendvo", "-p", "0"}, exitUsage, "sendvo: --port must be a port number\n", ""},
		{"starling", []string{"sendvo", "a", "b", "c"}, exitUsage, "sendvo: expected TARGET and FILE (or '-'), got 3 arguments; see --help\n", ""},
		{"starling", []string{"sendvo", "-h", "x", "a", "b"}, exitUsage, "sendvo: give either TARGET FILE or -f/-h/-p, not both\n", ""},
		{"/usr/bin/comet-sendvo", []string{"--bogus"}, exitUsage, "sendvo: unknown option --bogus\nusage: starling sendvo", ""},
		{"comet-sendvo", []string{"-f", "/nonexistent/ev.xml"}, exitBadFile, "sendvo: cannot read the event: ", ""},
		{"comet-sendvo", []string{"--help"}, exitOK, "", "-h, --host HOST"},
		{"starling", []string{"outbox"}, exitUsage, "usage: starling outbox COMMAND", ""},
		{"starling", []string{"outbox", "nope"}, exitUsage, "starling outbox: unknown command \"nope\"\nusage: starling outbox COMMAND", ""},
		{"starling", []string{"outbox", "list", "--limit", "-1"}, exitUsage, "starling outbox list: --limit must be a positive number\n", ""},
		{"starling", []string{"events", "ls", "--role", "x"}, exitUsage, "starling events list: --role must be one of ", ""},
		{"starling", []string{"nope"}, exitUsage, "starling: unknown command \"nope\"\nusage: starling", ""},
		{"starling", []string{"--version"}, exitOK, "", "starling "},
	} {
		var out, errb bytes.Buffer
		status := Main(tt.argv0, tt.args, Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb})
		if status != tt.status || !strings.HasPrefix(errb.String(), tt.stderr) || !strings.Contains(out.String(), tt.stdout) {
			t.Errorf("%s %q: status %d, stderr %q, stdout %q; want %d, stderr starting %q, stdout with %q",
				tt.argv0, tt.args, status, errb.String(), out.String(), tt.status, tt.stderr, tt.stdout)
		}
		if tt.stderr == "" && errb.Len() > 0 {
			t.Errorf("%s %q: unexpected stderr %q", tt.argv0, tt.args, errb.String())
		}
	}
}

// TestWithPrefix checks that a command's prefix is added once, and not to bare messages.
func TestWithPrefix(t *testing.T) {
	var e *exitError
	err := withPrefix("b", withPrefix("a", exitf(exitTimeout, "slow %d", 3)))
	if !errors.As(err, &e) || e.Code != exitTimeout || e.Msg != "a: slow 3" {
		t.Errorf("got %#v", err)
	}
	if err := withPrefix("a", exitStatus(exitNak)); !errors.As(err, &e) || e.Code != exitNak || e.Msg != "" {
		t.Errorf("silent: got %#v", err)
	}
	if err := withPrefix("a", errors.New("boom")); report(&bytes.Buffer{}, err) != exitFailure || err.Error() != "a: boom" {
		t.Errorf("plain error: got %v", err)
	}
}

// TestCommandsList checks that every listed command is a subcommand, once,
// and that help lists it.
func TestCommandsList(t *testing.T) {
	seen := map[string]bool{}
	help := usage()
	for _, c := range Commands() {
		if seen[c.Name] || c.Run == nil || c.Help == "" {
			t.Errorf("command %q: duplicate or incomplete", c.Name)
		}
		seen[c.Name] = true
		if !IsSubcommand("starling", []string{c.Name}) {
			t.Errorf("IsSubcommand(%q) = false", c.Name)
		}
		if !strings.Contains(help, "  "+c.Name+" ") {
			t.Errorf("help lacks %q", c.Name)
		}
	}
	if IsSubcommand("starling", []string{"--data-dir", "x"}) || IsSubcommand("starling", nil) || !IsSubcommand("comet-sendvo", nil) {
		t.Error("IsSubcommand mistakes the desktop app for a command, or comet-sendvo for the desktop app")
	}
}
