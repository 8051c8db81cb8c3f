package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/netcore/channel"
)

const channelsUsage = `usage: starling settings channels COMMAND [options]

commands:
  list [--json]         the notification channels, with their deliveries (never their secrets)
  add NAME KIND-OPTION [options]
                        add a channel (or replace the channel of that name):
                          --webhook URL [--secret-file F]
                          --slack (--secret-file F | --slack-url-file F)
                          --ntfy URL [--token-file F]
                          --matrix HOMESERVER --room ID --token-file F
                          --smtp HOST[:PORT] --from A --to B[,C] [--user U --password-file F]
                                 [--tls starttls|tls|none] [--ca-file F]
                        and [--per-minute N]; secrets only from files (- for stdin)
  remove NAME           remove a channel, its secret and its deliveries
  test NAME             send a test message now; exit 0 only when the server accepted it

A rule sends to a channel with: starling settings rules add NAME --channel CHANNEL …
The window and starling broker with this data directory send the messages.
Every command takes --data-dir DIR.
`

func runSettingsChannels(env Env, args []string) error {
	return dispatch(env, "starling settings channels", channelsUsage, []subcommand{
		{names: []string{"list", "ls"}, run: channelsList},
		{names: []string{"add"}, run: channelsAdd},
		{names: []string{"remove", "rm"}, run: channelsRemove},
		{names: []string{"test"}, run: channelsTest},
	}, args)
}

// channelJSON is one channel as `settings channels list --json` prints it.
type channelJSON struct {
	channel.Config
	SecretSet bool   `json:"secret_saved"`
	Pending   int    `json:"pending"`
	Sent      int    `json:"sent"`
	Failed    int    `json:"failed"`
	LastError string `json:"last_error,omitempty"`
	LastSent  string `json:"last_sent,omitempty"`
}

func channelsList(env Env, args []string) error {
	a := settingsArgs("channels", "list", "starling settings channels list [--json] [--data-dir DIR]")
	a.add(option{long: "json", kind: flagBool, help: "one JSON object per channel"})
	if done, err := parseOrHelp(env, a, args); done {
		return err
	}
	if len(a.positional) > 0 {
		return exitf(exitUsage, "unexpected argument %q", a.positional[0])
	}
	var states []app.ChannelState
	err := readCore(env, func() (*app.Core, error) { return rulesCore(env.Context(), a, true) }, func(core *app.Core) (err error) {
		states, err = core.Channels().States()
		return err
	})
	if err != nil {
		return err
	}
	if a.isSet("json") {
		enc := json.NewEncoder(env.Stdout)
		for _, s := range states {
			j := channelJSON{Config: s.Config, SecretSet: s.SecretSet, Pending: s.Pending, Sent: s.Sent, Failed: s.Failed, LastError: s.LastError}
			if !s.LastSent.IsZero() {
				j.LastSent = s.LastSent.UTC().Format(time.RFC3339)
			}
			if err := enc.Encode(j); err != nil {
				return exitStatus(exitFailure)
			}
		}
		return nil
	}
	if len(states) == 0 {
		fmt.Fprintln(env.Stdout, "No notification channels.")
		return nil
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tKIND\tTO\tSECRET\tPENDING\tSENT\tFAILED\tLAST ERROR")
	for _, s := range states {
		secret := "-"
		if s.SecretSet {
			secret = "set"
		}
		last := s.LastError
		if last == "" {
			last = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%s\n", s.Name, s.Kind, channelTarget(s.Config), secret, s.Pending, s.Sent, s.Failed, last)
	}
	return tw.Flush()
}

// channelTarget says where a channel sends, without its secret.
func channelTarget(c channel.Config) string {
	switch c.Kind {
	case channel.Matrix:
		return c.Room + " on " + c.URL
	case channel.Email:
		return strings.Join(c.To, ",") + " via " + net.JoinHostPort(c.SMTPHost, strconv.Itoa(c.SMTPPort))
	case channel.Slack:
		return "(its webhook address)"
	}
	return c.URL
}

func channelsAdd(env Env, args []string) error {
	a := settingsArgs("channels", "add", "starling settings channels add NAME (--webhook URL | --slack | --ntfy URL | --matrix HOMESERVER | --smtp HOST[:PORT]) [options] [--data-dir DIR]")
	for _, o := range []option{
		{long: "webhook", kind: flagValue, meta: "URL", help: "a generic webhook: a JSON POST signed with HMAC-SHA256 (key from --secret-file)"},
		{long: "slack", kind: flagBool, help: "a Slack incoming webhook (its address, which embeds its token, from --secret-file or --slack-url-file)"},
		{long: "ntfy", kind: flagValue, meta: "URL", help: "an ntfy topic (https://ntfy.sh/TOPIC); an access token from --token-file"},
		{long: "matrix", kind: flagValue, meta: "HOMESERVER", help: "a Matrix homeserver (https://matrix.org), with --room and --token-file"},
		{long: "room", kind: flagValue, meta: "ID", help: "the Matrix room ID (!abc:example.org)"},
		{long: "smtp", kind: flagValue, meta: "HOST[:PORT]", help: "email through this SMTP server, with --from and --to"},
		{long: "from", kind: flagValue, meta: "ADDRESS", help: "the mail's sender"},
		{long: "to", kind: flagRepeat, meta: "ADDRESS[,…]", help: "the mail's recipients; repeatable or comma-separated"},
		{long: "user", kind: flagValue, meta: "NAME", help: "the SMTP login (its password from --password-file)"},
		{long: "tls", kind: flagValue, meta: "MODE", help: "SMTP TLS: starttls (default), tls or none (a server on this machine only)"},
		{long: "ca-file", kind: flagValue, meta: "FILE", help: "PEM certificate authorities trusted besides the system's"},
		{long: "per-minute", kind: flagValue, meta: "N", help: "send at most N messages a minute (default: the kind's)"},
		{long: "secret-file", kind: flagValue, meta: "FILE", help: "file holding the channel's secret (- for stdin)"},
		{long: "slack-url-file", kind: flagValue, meta: "FILE", help: "file holding the Slack webhook's address (- for stdin)"},
		{long: "token-file", kind: flagValue, meta: "FILE", help: "file holding the ntfy or Matrix access token (- for stdin)"},
		{long: "password-file", kind: flagValue, meta: "FILE", help: "file holding the SMTP password (- for stdin)"},
	} {
		a.add(o)
	}
	if done, err := parseOrHelp(env, a, args); done {
		return err
	}
	if len(a.positional) != 1 || strings.TrimSpace(a.positional[0]) == "" {
		return exitf(exitUsage, "give the channel's NAME (one argument)")
	}
	cfg := channel.Config{Name: strings.TrimSpace(a.positional[0]), Room: a.str("room", ""), From: a.str("from", ""),
		Username: a.str("user", ""), TLS: a.str("tls", ""), CAFile: a.str("ca-file", "")}
	kinds := 0
	// keyFileFlag is the flag that names the file holding the channel's secret.
	keyFileFlag := "secret-file"
	if u := a.str("webhook", ""); u != "" {
		cfg.Kind, cfg.URL = channel.Webhook, u
		kinds++
	}
	if a.isSet("slack") {
		cfg.Kind = channel.Slack
		if a.isSet("slack-url-file") {
			keyFileFlag = "slack-url-file"
		}
		kinds++
	}
	if u := a.str("ntfy", ""); u != "" {
		cfg.Kind, cfg.URL, keyFileFlag = channel.Ntfy, u, "token-file"
		kinds++
	}
	if u := a.str("matrix", ""); u != "" {
		cfg.Kind, cfg.URL, keyFileFlag = channel.Matrix, u, "token-file"
		kinds++
	}
	if hp := a.str("smtp", ""); hp != "" {
		cfg.Kind, keyFileFlag = channel.Email, "password-file"
		host, port, err := net.SplitHostPort(hp)
		if err != nil {
			host, port = hp, ""
		}
		cfg.SMTPHost = strings.Trim(host, "[]")
		if port != "" {
			if cfg.SMTPPort, err = strconv.Atoi(port); err != nil {
				return exitf(exitUsage, "--smtp: the port %q is not a number", port)
			}
		}
		kinds++
	}
	if kinds != 1 {
		return exitf(exitUsage, "give one of --webhook, --slack, --ntfy, --matrix or --smtp")
	}
	for _, to := range a.list("to") {
		for _, t := range strings.Split(to, ",") {
			if t = strings.TrimSpace(t); t != "" {
				cfg.To = append(cfg.To, t)
			}
		}
	}
	if s := a.str("per-minute", ""); s != "" {
		v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return exitf(exitUsage, "--per-minute: %q is not a number", s)
		}
		cfg.PerMinute = v
	}
	for _, f := range []string{"secret-file", "slack-url-file", "token-file", "password-file"} {
		if a.isSet(f) && f != keyFileFlag {
			return exitf(exitUsage, "--%s does not go with a %s channel", f, cfg.Kind)
		}
	}
	secret := ""
	if f := a.str(keyFileFlag, ""); f != "" {
		var err error
		if secret, err = readSecretArg(env, f); err != nil {
			return exitf(exitUsage, "--%s: %v", keyFileFlag, err)
		}
	}
	core, err := rulesCore(env.Context(), a, false)
	if err != nil {
		return exitf(exitFailure, "%v", err)
	}
	defer closeCore(env, core)
	verb := "Added"
	if list, err := core.Channels().List(); err == nil {
		for _, c := range list {
			if c.Name == cfg.Name {
				verb = "Replaced"
			}
		}
	}
	if err := core.Channels().Save(cfg, secret); err != nil {
		return exitf(exitUsage, "%v", err)
	}
	fmt.Fprintf(env.Stdout, "%s channel %q (%s to %s)\n", verb, cfg.Name, cfg.Kind, channelTarget(cfg))
	return nil
}

// readSecretArg reads a secret from the file name, or from stdin for "-"
// (its first line).
func readSecretArg(env Env, name string) (string, error) {
	if name != "-" {
		return readSecret(name, slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	}
	b, err := io.ReadAll(io.LimitReader(env.Stdin, 64<<10))
	if err != nil {
		return "", err
	}
	s, _, _ := strings.Cut(string(b), "\n")
	if s = strings.TrimRight(s, "\r"); s == "" {
		return "", fmt.Errorf("the standard input is empty")
	}
	return s, nil
}

func channelsRemove(env Env, args []string) error {
	a := settingsArgs("channels", "remove", "starling settings channels remove NAME [--data-dir DIR]")
	if done, err := parseOrHelp(env, a, args); done {
		return err
	}
	if len(a.positional) != 1 {
		return exitf(exitUsage, "give the NAME of the channel to remove")
	}
	core, err := rulesCore(env.Context(), a, false)
	if err != nil {
		return exitf(exitFailure, "%v", err)
	}
	defer closeCore(env, core)
	if err := core.Channels().Remove(a.positional[0]); err != nil {
		return exitf(exitFailure, "%v", err)
	}
	fmt.Fprintf(env.Stdout, "Removed channel %q\n", a.positional[0])
	return nil
}

func channelsTest(env Env, args []string) error {
	a := settingsArgs("channels", "test", "starling settings channels test NAME [--data-dir DIR]")
	if done, err := parseOrHelp(env, a, args); done {
		return err
	}
	if len(a.positional) != 1 {
		return exitf(exitUsage, "give the NAME of the channel to test")
	}
	core, err := rulesCore(env.Context(), a, false)
	if err != nil {
		return exitf(exitFailure, "%v", err)
	}
	defer closeCore(env, core)
	if err := core.Channels().Test(env.Context(), a.positional[0]); err != nil {
		return exitf(exitFailure, "channel %q: %v", a.positional[0], err)
	}
	fmt.Fprintf(env.Stdout, "Channel %q: the server accepted the test message.\n", a.positional[0])
	return nil
}
