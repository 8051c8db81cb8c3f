package voevent

import (
	"errors"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// loadSchema loads the embedded schemas for one test.
func loadSchema(tb testing.TB) *Schema {
	tb.Helper()
	s, err := LoadSchema()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Close)
	return s
}

// xmllintRE splits an xmllint message: "line 8: element VOEvent: Schemas validity error : MESSAGE".
var xmllintRE = regexp.MustCompile(`^line (\d+): element [^:]+: Schemas validity error : (.*)$`)

// TestValidateManifest checks every sample packet against what xmllint says
// (MANIFEST.tsv) for the VOEvent 2.0 schema.
func TestValidateManifest(t *testing.T) {
	s := loadSchema(t)
	for _, p := range loadPackets(t) {
		t.Run(p.path, func(t *testing.T) {
			ev := mustParse(t, p.raw)
			want := p.xmllint
			if ev.Namespace == NamespaceV21 {
				// 2.1 packets go to the 2.1 XSD. MANIFEST.tsv records xmllint
				// against 2.0 ("No matching global declaration"); against 2.1,
				// libxml2 2.9.14 (and lxml on the same libxml2) finds the IVOA
				// example voevent-ex1.xml valid.
				if p.path != "VOEvent/voevent-ex1.xml" {
					t.Fatalf("no expectation recorded for 2.1 packet %s", p.path)
				}
				want = "valid"
			}
			err := s.Validate(ev)
			if want == "valid" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			m := xmllintRE.FindStringSubmatch(want)
			if m == nil {
				t.Fatalf("cannot read MANIFEST result %q", want)
			}
			line, _ := strconv.Atoi(m[1])
			var rej *Rejection
			if !errors.As(err, &rej) {
				t.Fatalf("Validate = %v, want a *Rejection", err)
			}
			wantReason := fmt.Sprintf("%s, line %d", m[2], line)
			if rej.Reason != wantReason || rej.Line != line {
				t.Errorf("got %q (line %d)\nwant %q (line %d)", rej.Reason, rej.Line, wantReason, line)
			}
		})
	}
}

// TestValidateMessages compares reasons with what lxml 4.9 on libxml2 2.9.14 reports.
func TestValidateMessages(t *testing.T) {
	s := loadSchema(t)
	head := `<voe:VOEvent xmlns:voe="http://www.ivoa.net/xml/VOEvent/v2.0" ivorn="ivo://a.b/c#d" role="test" version="2.0">`
	cases := []struct{ name, doc, reason string }{
		{"unknown element", "<?xml version=\"1.0\"?>\n" + head + "\n  <Who>\n    <Date>2020-01-01T00:00:00</Date>\n  </Who>\n  <Foo/>\n</voe:VOEvent>",
			"Element 'Foo': This element is not expected., line 6"},
		{"qualified child", head + "\n  <voe:Who/>\n</voe:VOEvent>",
			"Element '{http://www.ivoa.net/xml/VOEvent/v2.0}Who': This element is not expected., line 2"},
		{"missing ivorn", `<voe:VOEvent xmlns:voe="http://www.ivoa.net/xml/VOEvent/v2.0" role="test" version="2.0"><Who/></voe:VOEvent>`,
			"Element '{http://www.ivoa.net/xml/VOEvent/v2.0}VOEvent': The attribute 'ivorn' is required but missing., line 1"},
		{"bad role", head[:len(head)-len(`role="test" version="2.0">`)] + `role="bogus" version="2.0"></voe:VOEvent>`,
			"Element '{http://www.ivoa.net/xml/VOEvent/v2.0}VOEvent', attribute 'role': [facet 'enumeration'] The value 'bogus' is not an element of the set {'observation', 'prediction', 'utility', 'test'}., line 1"},
		{"two errors", head + "\n<Who><Date>yesterday</Date></Who>\n<What><Param name=\"x\" value=\"1\" bogus=\"2\"/></What></voe:VOEvent>",
			"Element 'Date': 'yesterday' is not a valid value of the atomic type 'xs:dateTime'., line 2 (and 1 more schema error)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Built by hand: Parse would refuse the bad role before the schema sees it.
			err := s.Validate(&Event{Raw: []byte(c.doc), Namespace: NamespaceV20})
			var rej *Rejection
			if !errors.As(err, &rej) {
				t.Fatalf("Validate = %v, want a *Rejection", err)
			}
			if rej.Reason != c.reason {
				t.Errorf("got  %q\nwant %q", rej.Reason, c.reason)
			}
		})
	}
}

func TestValidateUnparsable(t *testing.T) {
	s := loadSchema(t)
	// Go's parser accepts "]]>" in text; libxml2 does not.
	raw := []byte(`<voe:VOEvent xmlns:voe="http://www.ivoa.net/xml/VOEvent/v2.0" ivorn="ivo://a.b/c#d" role="test" version="2.0"><Who><Date>]]></Date></Who></voe:VOEvent>`)
	err := s.Validate(&Event{Raw: raw, Namespace: NamespaceV20})
	var rej *Rejection
	if !errors.As(err, &rej) || !strings.HasPrefix(rej.Reason, "Not well-formed XML") {
		t.Errorf("Validate = %v", err)
	}
	if err := s.Validate(&Event{Namespace: NamespaceV20}); !errors.As(err, &rej) {
		t.Errorf("empty Raw: %v", err)
	}
}

// TestValidateNoNetwork points a packet's schemaLocation hints at a local
// listener and checks that validating it never connects.
func TestValidateNoNetwork(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			c.Close()
		}
	}()
	url := "http://" + ln.Addr().String() + "/VOEvent-v2.0.xsd"
	raw := []byte(`<?xml version="1.0"?>
<voe:VOEvent xmlns:voe="http://www.ivoa.net/xml/VOEvent/v2.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.ivoa.net/xml/VOEvent/v2.0 ` + url + ` urn:other ` + url + `"
  ivorn="ivo://a.b/c#d" role="test" version="2.0">
  <Who><Date>2020-01-01T00:00:00</Date></Who>
  <What><Param name="x" value="1" xsi:noNamespaceSchemaLocation="` + url + `"/></What>
</voe:VOEvent>`)
	s := loadSchema(t)
	_ = s.Validate(mustParse(t, raw))
	_ = s.Validate(&Event{Raw: raw, Namespace: NamespaceV21})
	ln.Close()
	if n := conns.Load(); n != 0 {
		t.Errorf("validation opened %d connections", n)
	}
}

// TestValidateConcurrent validates every sample from many goroutines at once
// and expects exactly the answers of a serial run.
func TestValidateConcurrent(t *testing.T) {
	s := loadSchema(t)
	packets := loadPackets(t)
	events := make([]*Event, len(packets))
	want := make([]string, len(packets))
	for i, p := range packets {
		events[i] = mustParse(t, p.raw)
		want[i] = fmt.Sprint(s.Validate(events[i]))
	}
	var wg sync.WaitGroup
	var bad atomic.Int32
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for round := 0; round < 20; round++ {
				for i := range events {
					j := (i + g + round) % len(events)
					if got := fmt.Sprint(s.Validate(events[j])); got != want[j] {
						bad.Add(1)
					}
				}
			}
		}()
	}
	wg.Wait()
	if n := bad.Load(); n != 0 {
		t.Errorf("%d concurrent validations disagreed with the serial ones", n)
	}
}

func TestSchemaClose(t *testing.T) {
	s, err := LoadSchema()
	if err != nil {
		t.Fatal(err)
	}
	ev := mustParse(t, samplePacket(t, "voevent-parse/voevent.xml"))
	if err := s.Validate(ev); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s.Close()
	if err := s.Validate(ev); !errors.Is(err, ErrSchemaClosed) {
		t.Errorf("after Close: %v", err)
	}
	var nilSchema *Schema
	if err := nilSchema.Validate(ev); !errors.Is(err, ErrSchemaClosed) {
		t.Errorf("nil schema: %v", err)
	}
	// A second Schema still works: Close frees its own handles only.
	s2 := loadSchema(t)
	if err := s2.Validate(ev); err != nil {
		t.Error(err)
	}
}

func TestCheckerOrder(t *testing.T) {
	c := &Checker{Schema: loadSchema(t)}
	cases := []struct {
		name, doc, reason string
		event             bool // an Event comes back with the error
	}{
		{"parse first", `<!DOCTYPE x><VOEvent role="test"/>`, "DTD or entity declarations are not accepted", false},
		{"root before ivorn", `<Transport role="ack"/>`, "Not a VOEvent packet", false},
		{"ivorn before schema", `<VOEvent role="test" ivorn="ivo://a.b/c"/>`, `No per-event local ID (IVORN "ivo://a.b/c"`, true},
		{"malformed ivorn before schema", `<VOEvent role="test" ivorn="nope"/>`, `Invalid IVOID: nope (`, true},
		{"then the schema", `<VOEvent role="test" ivorn="ivo://a.b/c#d"/>`, "Element 'VOEvent': No matching global declaration available for the validation root., line 1", true},
		{"v1.1 refused by schema", string(samplePacket(t, "voevent-parse/SWIFT_xrt_position_v1.1_example.xml")), "Element '{http://www.ivoa.net/xml/VOEvent/v1.1}VOEvent': No matching global declaration", true},
		{"ivorn checked before schema on v1.1", string(samplePacket(t, "pygcn/kill_socket.xml")), `No per-event local ID (IVORN "ivo://nasa.gsfc.gcn/gcn"`, true},
	}
	for _, cs := range cases {
		ev, err := c.Check([]byte(cs.doc))
		var rej *Rejection
		if !errors.As(err, &rej) || !strings.HasPrefix(rej.Reason, cs.reason) {
			t.Errorf("%s: %v, want a rejection starting %q", cs.name, err, cs.reason)
		}
		if (ev != nil) != cs.event {
			t.Errorf("%s: event %v", cs.name, ev)
		}
	}
	ev, err := c.Check(samplePacket(t, "voevent-parse/SWIFT_bat_position_v2.0_example.xml"))
	if err != nil || ev.IVORN != "ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_532871-729" {
		t.Errorf("Check: %v, %v", ev, err)
	}
	// Without a schema the checker parses and checks the IVORN only.
	if _, err := (&Checker{}).Check([]byte(`<VOEvent role="test" ivorn="ivo://a.b/c#d"/>`)); err != nil {
		t.Errorf("no schema: %v", err)
	}
}

// BenchmarkCheck measures a receiver's work on a typical GCN packet: parse,
// IVORN and schema validation.
func BenchmarkCheck(b *testing.B) {
	raw := samplePacket(b, "voevent-parse/SWIFT_bat_position_v2.0_example.xml")
	c := &Checker{Schema: loadSchema(b)}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.Check(raw); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkParse measures Parse alone on the same packet.
func BenchmarkParse(b *testing.B) {
	raw := samplePacket(b, "voevent-parse/SWIFT_bat_position_v2.0_example.xml")
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(raw); err != nil {
			b.Fatal(err)
		}
	}
}

// TestValidateReusesContexts alternates valid and invalid packets on one
// goroutine, so that every validation after the first reuses a context that
// the one before left behind: a context must not carry errors over.
func TestValidateReusesContexts(t *testing.T) {
	s := loadSchema(t)
	good := mustParse(t, samplePacket(t, "voevent-parse/SWIFT_bat_position_v2.0_example.xml"))
	bad := mustParse(t, []byte(`<voe:VOEvent xmlns:voe="http://www.ivoa.net/xml/VOEvent/v2.0" ivorn="ivo://a.b/c#d" role="test" version="2.0"><Who/><Foo/></voe:VOEvent>`))
	for i := range 5 {
		if err := s.Validate(good); err != nil {
			t.Fatalf("round %d: valid packet refused: %v", i, err)
		}
		err := s.Validate(bad)
		if err == nil || !strings.Contains(err.Error(), "Element 'Foo'") || strings.Contains(err.Error(), "more schema error") {
			t.Fatalf("round %d: invalid packet: %v", i, err)
		}
	}
}
