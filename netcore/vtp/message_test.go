package vtp

import (
	"os"
	"strings"
	"testing"
	"time"
)

func fixedClock(t *testing.T) {
	t.Helper()
	old := now
	now = func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }
	t.Cleanup(func() { now = old })
}

func TestMessagesMatchComet(t *testing.T) {
	fixedClock(t)
	cases := []struct {
		golden string
		got    []byte
	}{
		{"nak.xml", Nak("ivo://x/y", "ivo://a/b#c&<d>", `Event rejected: a < b & "c"`)},
		{"auth.xml", AuthenticateResponse("ivo://x/y", "ivo://a/b", []string{`//Param[@name="x" and @v='<1']`, "a&b\n\t>"})},
		{"auth0.xml", AuthenticateResponse("ivo://x/y", "ivo://a/b", nil)},
		{"alive.xml", IAmAlive("ivo://a/b")},
	}
	for _, c := range cases {
		want, err := os.ReadFile("testdata/" + c.golden)
		if err != nil {
			t.Fatal(err)
		}
		if string(c.got) != string(want) {
			t.Errorf("%s differs from Comet's bytes:\n got: %s\nwant: %s", c.golden, c.got, want)
		}
	}
}

func TestParseRoundTrip(t *testing.T) {
	m, err := Parse(Nak("ivo://l/b", "ivo://a/b#1", "Event rejected: no"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Role != RoleNak || m.Origin != "ivo://a/b#1" || m.Response != "ivo://l/b" || m.Result != "Event rejected: no" || m.Namespace != Namespace {
		t.Fatalf("parsed %+v", m)
	}
	m, err = Parse(AuthenticateResponse("ivo://l/s", "ivo://l/b", []string{"//a", "//b[@c='d']"}))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Filters) != 2 || m.Filters[1] != "//b[@c='d']" {
		t.Fatalf("filters %q", m.Filters)
	}
}

func TestParseVariants(t *testing.T) {
	cases := map[string]string{
		// pygcn answers in this namespace.
		"pygcn":        `<?xml version="1.0"?><trn:Transport xmlns:trn="http://telescope-networks.org/schema/Transport/v1.1" role="iamalive" version="1.0"><Origin>ivo://x</Origin><TimeStamp>2020-01-01T00:00:00</TimeStamp></trn:Transport>`,
		"www-schema":   `<trn:Transport xmlns:trn="http://www.telescope-networks.org/schema/Transport/v1.1" role="ack" version="1.0"><Origin>ivo://x</Origin><TimeStamp>t</TimeStamp></trn:Transport>`,
		"no namespace": `<Transport role="iamalive" version="1.0"><Origin>ivo://x</Origin><TimeStamp>t</TimeStamp></Transport>`,
		"old filter":   `<trn:Transport xmlns:trn="http://www.telescope-networks.org/xml/Transport/v1.1" role="authenticate" version="1.0"><Origin>ivo://x</Origin><TimeStamp>t</TimeStamp><Meta><filter type="xpath">//Who</filter></Meta></trn:Transport>`,
	}
	for name, in := range cases {
		m, err := Parse([]byte(in))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if m.Origin != "ivo://x" {
			t.Errorf("%s: origin %q", name, m.Origin)
		}
		if name == "old filter" && (len(m.Filters) != 1 || m.Filters[0] != "//Who") {
			t.Errorf("old filter form not read: %q", m.Filters)
		}
	}
}

func TestParseRefusals(t *testing.T) {
	cases := map[string]string{
		"not xml":  "hello",
		"voevent":  `<voe:VOEvent xmlns:voe="http://www.ivoa.net/xml/VOEvent/v2.0" role="test" ivorn="ivo://a/b#c"/>`,
		"dtd":      `<!DOCTYPE x [<!ENTITY a "aaaa">]><Transport role="ack">&a;</Transport>`,
		"other ns": `<t:Transport xmlns:t="urn:other" role="ack"/>`,
	}
	for name, in := range cases {
		if _, err := Parse([]byte(in)); err == nil {
			t.Errorf("%s: accepted", name)
		} else if strings.TrimSpace(err.Error()) == "" {
			t.Errorf("%s: empty error", name)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add(Ack("ivo://l/b", "ivo://a/b#1"))
	f.Add(AuthenticateResponse("ivo://l/s", "ivo://l/b", []string{"//x"}))
	f.Add([]byte(`<Transport role="iamalive"><Meta><filter type="xpath">a</filter></Meta></Transport>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = Parse(data)
	})
}

// BenchmarkParseAck measures reading an ack, as a sender does for every event.
func BenchmarkParseAck(b *testing.B) {
	raw := Ack("ivo://starling.test/b", "ivo://starling.test/x#bench-123")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(raw); err != nil {
			b.Fatal(err)
		}
	}
}
