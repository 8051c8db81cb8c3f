package kafka

import (
	"strings"
	"testing"
	"time"
)

func TestParseFrom(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		in   string
		want From
		bad  bool
	}{
		{in: "earliest", want: From{Earliest: true}},
		{in: "latest", want: From{}},
		{in: "", want: From{}},
		{in: "24h", want: From{At: now.Add(-24 * time.Hour)}},
		{in: "90m", want: From{At: now.Add(-90 * time.Minute)}},
		{in: "3d", want: From{At: now.Add(-72 * time.Hour)}},
		{in: "2026-11-30T22:00:00Z", want: From{At: time.Date(2026, 11, 30, 22, 0, 0, 0, time.UTC)}},
		{in: "yesterday", bad: true},
		{in: "-5h", bad: true},
		{in: "2026-11-30", bad: true},
		{in: "999999d", bad: true}, // found by FuzzParseFrom: 24 × the duration overflowed
		{in: "9999d", want: From{At: now.Add(-9999 * 24 * time.Hour)}},
	} {
		got, err := ParseFrom(c.in, now)
		if (err != nil) != c.bad {
			t.Errorf("ParseFrom(%q) error %v, want error %v", c.in, err, c.bad)
			continue
		}
		if !c.bad && (got.Earliest != c.want.Earliest || !got.At.Equal(c.want.At)) {
			t.Errorf("ParseFrom(%q) = %+v, want %+v", c.in, got, c.want)
		}
	}
}

func FuzzParseFrom(f *testing.F) {
	for _, s := range []string{"earliest", "latest", "24h", "3d", "2026-11-30T22:00:00Z", "1.5h", "9999999999d"} {
		f.Add(s)
	}
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseFrom(s, now)
		if err != nil {
			return
		}
		if !got.Earliest && !got.At.IsZero() && got.At.After(now) && !strings.Contains(s, "T") {
			t.Fatalf("ParseFrom(%q) = %v: a duration ago must not be in the future", s, got.At)
		}
		if _, err := ParseFrom(got.String(), now); err != nil {
			t.Fatalf("ParseFrom(%q).String() = %q does not parse again: %v", s, got.String(), err)
		}
	})
}

func TestDefaultTLS(t *testing.T) {
	for _, c := range []struct {
		in   []string
		want bool
	}{
		{[]string{"127.0.0.1:9092"}, false},
		{[]string{"localhost:9092", "[::1]:9093"}, false},
		{[]string{"kafka.gcn.nasa.gov:9092"}, true},
		{[]string{"127.0.0.1:9092", "10.0.0.1:9092"}, true},
	} {
		if got := DefaultTLS(c.in); got != c.want {
			t.Errorf("DefaultTLS(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestValidateSaysWhatIsMissing(t *testing.T) {
	for _, c := range []struct {
		cfg  Config
		want string
	}{
		{Config{}, "no Kafka bootstrap"},
		{Config{Bootstrap: []string{"host"}}, "not HOST:PORT"},
		{Config{Bootstrap: []string{"h:1"}, Auth: AuthScramSHA512, Credentials: Credentials{User: "u"}}, "needs a user and a password"},
		{Config{Bootstrap: []string{"h:1"}, Auth: AuthOIDC, Credentials: Credentials{ClientID: "c", ClientSecret: "s"}}, "token URL"},
		{Config{Bootstrap: []string{"h:1"}, Auth: AuthOIDC}, "client id and secret"},
	} {
		err := c.cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Validate(%+v) = %v, want %q", c.cfg, err, c.want)
		}
	}
	ok := Config{Bootstrap: []string{"h:1"}, Auth: AuthPlain, Credentials: Credentials{User: "u", Password: "p"}}
	if err := ok.Validate(); err != nil {
		t.Errorf("Validate(%+v) = %v", ok, err)
	}
}

func TestCredentialsNeverPrintSecrets(t *testing.T) {
	c := Credentials{User: "alice", Password: "hunter2-secret", ClientID: "cid", ClientSecret: "s3cr3t-value"}
	for _, s := range []string{c.String(), Config{Credentials: c}.Credentials.String()} {
		if strings.Contains(s, "hunter2") || strings.Contains(s, "s3cr3t") {
			t.Fatalf("credentials print a secret: %s", s)
		}
	}
}

func TestPresets(t *testing.T) {
	for _, name := range []string{"gcn", "gcn-test", "hopskotch"} {
		p, ok := FindPreset(name)
		if !ok || len(p.Bootstrap) == 0 {
			t.Fatalf("preset %s missing", name)
		}
	}
	if p, _ := FindPreset("gcn"); p.Auth != AuthOIDC || p.Bootstrap[0] != "kafka.gcn.nasa.gov:9092" || p.TokenURL != "https://auth.gcn.nasa.gov/oauth2/token" {
		t.Errorf("gcn preset %+v", p)
	}
	if p, _ := FindPreset("hopskotch"); p.Auth != AuthScramSHA512 || p.Bootstrap[0] != "kafka.scimma.org:9092" {
		t.Errorf("hopskotch preset %+v", p)
	}
}

func TestSplitTopics(t *testing.T) {
	names, pats, err := SplitTopics([]string{"igwn.gwalert", "^gcn\\.classic\\.voevent\\..*", " "})
	if err != nil || len(names) != 1 || len(pats) != 1 {
		t.Fatalf("SplitTopics = %v %v %v", names, pats, err)
	}
	if _, _, err := SplitTopics([]string{"^gcn.(("}); err == nil || !strings.Contains(err.Error(), "not a valid regular expression") {
		t.Fatalf("a bad pattern gave %v", err)
	}
}
