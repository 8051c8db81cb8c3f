package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"text/tabwriter"

	"github.com/starling-broker/starling/app"
)

const settingsKafkaUsage = `usage: starling settings kafka COMMAND [options]

commands:
  list [--json]         the desktop app's saved Kafka sources (never their secrets)
  add [NAME] --kafka-preset P|--kafka-bootstrap HOST:PORT --kafka-topic T [...]
                        save a source, with the connection options of starling broker;
                        a password or client secret only from a file (--kafka-*-file)
  remove NAME           forget a source and delete its secret file

The desktop app starts its saved sources when it starts. Not while another
Starling uses the data directory: change its sources in its window.
Every command takes --data-dir DIR.
`

func runSettingsKafka(env Env, args []string) error {
	return dispatch(env, "starling settings kafka", settingsKafkaUsage, []subcommand{
		{names: []string{"list", "ls"}, run: settingsKafkaList},
		{names: []string{"add"}, run: settingsKafkaAdd},
		{names: []string{"remove", "rm"}, run: settingsKafkaRemove},
	}, args)
}

// kafkaSourceJSON is one saved source as `settings kafka list --json` prints it.
type kafkaSourceJSON struct {
	Name      string   `json:"name"`
	Preset    string   `json:"preset,omitempty"`
	Bootstrap []string `json:"bootstrap"`
	TLS       bool     `json:"tls"`
	Insecure  bool     `json:"insecure_skip_verify,omitempty"`
	Auth      string   `json:"auth"`
	User      string   `json:"user,omitempty"`
	ClientID  string   `json:"client_id,omitempty"`
	TokenURL  string   `json:"token_url,omitempty"`
	Scope     string   `json:"scope,omitempty"`
	Topics    []string `json:"topics"`
	Group     string   `json:"group"`
	From      string   `json:"from"`
	Paused    bool     `json:"paused"`
	SecretSet bool     `json:"secret_saved"`
}

func settingsKafkaList(env Env, args []string) error {
	a := settingsArgs("kafka", "list", "starling settings kafka list [--json] [--data-dir DIR]")
	a.add(option{long: "json", kind: flagBool, help: "one JSON object per source"})
	if done, err := parseOrHelp(env, a, args); done {
		return err
	}
	if len(a.positional) > 0 {
		return exitf(exitUsage, "unexpected argument %q", a.positional[0])
	}
	var sources []app.KafkaSource
	err := readCore(env, func() (*app.Core, error) { return rulesCore(env.Context(), a, true) }, func(core *app.Core) (err error) {
		sources, err = core.Sources().Kafka(env.Context())
		return err
	})
	if err != nil {
		return err
	}
	if a.isSet("json") {
		enc := json.NewEncoder(env.Stdout)
		for _, k := range sources {
			if err := enc.Encode(kafkaSourceJSON{Name: k.Name, Preset: k.Preset, Bootstrap: k.Bootstrap, TLS: k.TLS, Insecure: k.Insecure,
				Auth: string(k.Auth), User: k.User, ClientID: k.ClientID, TokenURL: k.TokenURL, Scope: k.Scope, Topics: k.Topics,
				Group: k.Group, From: k.From, Paused: k.Paused, SecretSet: k.SecretSet}); err != nil {
				return exitStatus(exitFailure)
			}
		}
		return nil
	}
	if len(sources) == 0 {
		fmt.Fprintln(env.Stdout, "No Kafka sources.")
		return nil
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tBOOTSTRAP\tAUTH\tTOPICS\tGROUP\tSTATE")
	for _, k := range sources {
		state := "active"
		if k.Paused {
			state = "paused"
		}
		if k.SecretSet {
			state += ", credentials saved"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", k.Name, strings.Join(k.Bootstrap, ","), k.Auth, strings.Join(k.Topics, ","), k.Group, state)
	}
	return tw.Flush()
}

// settingsKafkaCore opens the data directory to change its sources, and
// refuses while another Starling uses it.
func settingsKafkaCore(ctx context.Context, a *argSet) (*app.Core, error) {
	core, err := rulesCore(ctx, a, false)
	if err != nil {
		return nil, err
	}
	if err := core.InUse(); err != nil {
		core.Close(ctx)
		return nil, fmt.Errorf("%v: change its Kafka sources in its window", err)
	}
	return core, nil
}

func settingsKafkaAdd(env Env, args []string) error {
	a := settingsArgs("kafka", "add", "starling settings kafka add [NAME] (--kafka-preset P | --kafka-bootstrap HOST:PORT) --kafka-topic T [...] [--data-dir DIR]")
	kafkaConnFlags(a)
	a.add(option{long: "kafka-topic", kind: flagRepeat, meta: "TOPIC", help: "topic to read; a value starting with ^ is a regular expression; repeatable"})
	a.add(option{long: "kafka-group", kind: flagValue, meta: "ID", help: "consumer group (default: derived from the local IVO and the name)"})
	a.add(option{long: "kafka-from", kind: flagValue, meta: "WHEN", help: "where a new group starts: earliest, latest (default), a duration ago (24h) or an RFC 3339 time"})
	if done, err := parseOrHelp(env, a, args); done {
		return err
	}
	if len(a.positional) > 1 {
		return exitf(exitUsage, "one NAME at most (quote a name with spaces)")
	}
	if !kafkaWanted(a) {
		return exitf(exitUsage, "give --kafka-preset or --kafka-bootstrap")
	}
	cfg, err := kafkaConfig(a, slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		return exitf(exitUsage, "%v", err)
	}
	spec := app.KafkaSource{Preset: a.str("kafka-preset", ""), Bootstrap: cfg.Bootstrap, TLS: cfg.TLS, Insecure: cfg.InsecureSkipVerify,
		Auth: cfg.Auth, User: cfg.Credentials.User, ClientID: cfg.Credentials.ClientID, TokenURL: cfg.TokenURL, Scope: cfg.Scope,
		Topics: a.list("kafka-topic"), Group: a.str("kafka-group", ""), From: a.str("kafka-from", "latest")}
	if len(a.positional) == 1 {
		spec.Name = a.positional[0]
	}
	spec.Secret = cfg.Credentials.Password
	if cfg.Credentials.ClientSecret != "" {
		spec.Secret = cfg.Credentials.ClientSecret
	}
	core, err := settingsKafkaCore(env.Context(), a)
	if err != nil {
		return exitf(exitFailure, "%v", err)
	}
	defer closeCore(env, core)
	if _, err := core.Sources().SaveKafka(env.Context(), spec); err != nil {
		return exitf(exitUsage, "%v", err)
	}
	fmt.Fprintln(env.Stdout, "Saved; the desktop app starts it when it starts.")
	return nil
}

func settingsKafkaRemove(env Env, args []string) error {
	a := settingsArgs("kafka", "remove", "starling settings kafka remove NAME [--data-dir DIR]")
	if done, err := parseOrHelp(env, a, args); done {
		return err
	}
	if len(a.positional) != 1 {
		return exitf(exitUsage, "give the NAME of the source to remove")
	}
	core, err := settingsKafkaCore(env.Context(), a)
	if err != nil {
		return exitf(exitFailure, "%v", err)
	}
	defer closeCore(env, core)
	ctx := env.Context()
	sources, err := core.Sources().Kafka(ctx)
	if err != nil {
		return exitf(exitFailure, "%v", err)
	}
	var names []string
	for _, k := range sources {
		if k.Name == a.positional[0] {
			if err := core.Sources().RemoveKafka(ctx, k.ID); err != nil {
				return exitf(exitFailure, "%v", err)
			}
			fmt.Fprintf(env.Stdout, "Removed %q and its secret file\n", k.Name)
			return nil
		}
		names = append(names, fmt.Sprintf("%q", k.Name))
	}
	return exitf(exitFailure, "no Kafka source is named %q (the sources: %s)", a.positional[0], strings.Join(names, ", "))
}
