package voevent

import (
	"strings"
	"sync"
	"testing"
)

// filterPackets are the packets of the filter table, in the order of its
// expectation strings.
var filterPackets = []struct{ key, path string }{
	{"S", "voevent-parse/SWIFT_bat_position_v2.0_example.xml"}, // 2.0, GCN, role observation, Packet_Type 61
	{"G", "voevent-parse/Gaia16aac.xml"},                       // 2.0, Gaia alert
	{"K", "pygcn/kill_socket.xml"},                             // 1.1, Packet_Type 4, no Who
	{"N", "voevent-parse/no_namespace_packet.xml"},             // no namespace at all, role test
	{"F", "fink-voevent/ivo__gwnet_LVCMS191201o1Preliminary.xml"},
	{"E", "VOEvent/voevent-ex1.xml"}, // 2.1, has a comment
}

// TestFilterTable checks each expression against each packet. The expected
// results ("T" match, "f" no match, for S G K N F E) are what lxml 4.9 gives
// through Comet's rule (a true boolean, a non-zero non-NaN number, a
// non-empty string or node-set; an evaluation error is no match).
func TestFilterTable(t *testing.T) {
	events := make([]*Event, len(filterPackets))
	for i, p := range filterPackets {
		events[i] = mustParse(t, samplePacket(t, p.path))
	}
	cases := []struct{ expr, want string }{
		{"//Param[@name='Packet_Type' and @value='61']", "Tfffff"},
		{"//Who/AuthorIVORN[contains(text(),'nasa')]", "Tfffff"},
		{"/*[local-name()='VOEvent'][@role='observation']", "TTTffT"},
		{`/*[local-name()="VOEvent" and @role!="test"]`, "TTTffT"}, // Comet's documentation
		{"count(//Param) > 5", "TTfTTf"},
		{"//Param[@name='Sun_Distance']/@value > 100", "ffffff"},
		{"//Param[@name='Sun_Distance']/@value", "Tfffff"},
		{"number(//Param[@name='Sun_Distance']/@value)", "Tfffff"},
		{"string(//Who/Date)", "TTfTTT"},
		{"boolean(0)", "ffffff"},
		{"1 div 0", "TTTTTT"},
		{"0 div 0", "ffffff"}, // NaN
		{"'literal'", "TTTTTT"},
		{"''", "ffffff"},
		{"count(//Param)", "TTTTTT"},
		{"count(//Nothing)", "ffffff"},
		{"//Param[@name='Packet_Type']/@value - 61", "ffTfTf"},
		{"sum(//Param[@name='Packet_Type']/@value)", "TfTfTf"},
		{"//voe:VOEvent", "ffffff"},         // no namespaces bound: lxml cannot evaluate it
		{"//@xsi:schemaLocation", "ffffff"}, // likewise
		{"/VOEvent", "fffTff"},              // matches only the namespace-less root
		{"//VOEvent", "fffTff"},
		{"//@schemaLocation", "ffffff"}, // a namespaced attribute needs its namespace
		{"//*[local-name()='Param']", "TTTTTT"},
		{`//Param[@name="SC_Lat" and @value>600]`, "ffffff"}, // Comet's documentation
		{`//Who[AuthorIVORN="ivo://nasa.gsfc.tan/gcn"]`, "Tfffff"},
		{"string(//Why/@importance)", "Tfffff"},
		{`//What/Param[@name="Packet_Type"]/@value = 61`, "Tfffff"},
		{"//Param[@name='Packet_Type']/@value = 61 or //Param[@name='Packet_Type']/@value = 4", "TfTfff"},
		{"name(/*) = 'voe:VOEvent'", "TTTfTT"},
		{"namespace-uri(/*) = 'http://www.ivoa.net/xml/VOEvent/v2.0'", "TTffTf"},
		{"contains(//Description, 'Swift')", "ffffff"}, // the first Description is Who's
		{"//comment()", "fffffT"},
		{"//text()[contains(., 'GRB')]", "Tfffff"},
		{"//@ivorn[starts-with(., 'ivo://nasa')]", "TfTfff"},
		{"//Inference[@probability > 0.5]", "TffffT"},
		{"/*/@version = '2.0'", "TTfTTf"},
	}
	for _, c := range cases {
		f, err := CompileFilter(c.expr)
		if err != nil {
			t.Errorf("CompileFilter(%q): %v", c.expr, err)
			continue
		}
		var got strings.Builder
		for _, ev := range events {
			if f.Match(ev) {
				got.WriteByte('T')
			} else {
				got.WriteByte('f')
			}
		}
		if got.String() != c.want {
			t.Errorf("%s: got %s, want %s (packets S G K N F E)", c.expr, got.String(), c.want)
		}
	}
}

func TestCompileFilterErrors(t *testing.T) {
	// Each of these is an XPathSyntaxError in lxml too.
	for _, expr := range []string{"", "   ", "//Param[", "//@", "1 +", "//Param[@name=='x']", "]", "//voe:"} {
		if f, err := CompileFilter(expr); err == nil {
			t.Errorf("CompileFilter(%q) = %+v, want an error", expr, f)
		} else if !strings.Contains(err.Error(), "invalid XPath filter") {
			t.Errorf("CompileFilter(%q): %v", expr, err)
		}
	}
}

func TestFilterEdgeCases(t *testing.T) {
	ev := mustParse(t, samplePacket(t, "voevent-parse/SWIFT_bat_position_v2.0_example.xml"))
	var nilFilter *Filter
	if nilFilter.Match(ev) {
		t.Error("nil filter matched")
	}
	f, _ := CompileFilter("//Who")
	if f.Match(nil) || f.Match(&Event{}) {
		t.Error("matched an event without a document")
	}
	// A Filter built by hand still works (compiled on each call).
	if !(&Filter{Expr: "//Who"}).Match(ev) || (&Filter{Expr: "//Nope"}).Match(ev) || (&Filter{Expr: "//["}).Match(ev) {
		t.Error("hand-made Filter")
	}
	// Default-namespaced elements are namespaced: //Who must not find them.
	dn := mustParse(t, []byte(`<VOEvent xmlns="http://www.ivoa.net/xml/VOEvent/v2.0" role="test"><Who/><What xmlns=""><Param name="a"/></What></VOEvent>`))
	for expr, want := range map[string]bool{
		"//Who":                      false,
		"//*[local-name()='Who']":    true,
		"/*[local-name()='VOEvent']": true,
		"//Param[@name='a']":         true, // xmlns="" takes What out of the namespace
		"namespace-uri(//*[local-name()='Who']) = 'http://www.ivoa.net/xml/VOEvent/v2.0'": true,
	} {
		f, err := CompileFilter(expr)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.Match(dn); got != want {
			t.Errorf("%s on a default-namespace packet: %v, want %v", expr, got, want)
		}
	}
}

// TestFilterConcurrent shares one Filter between goroutines.
func TestFilterConcurrent(t *testing.T) {
	s := mustParse(t, samplePacket(t, "voevent-parse/SWIFT_bat_position_v2.0_example.xml"))
	g := mustParse(t, samplePacket(t, "voevent-parse/Gaia16aac.xml"))
	f, err := CompileFilter("//Param[@name='Packet_Type' and @value='61'] | //Param[@name='nothing']")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 200; j++ {
				if !f.Match(s) || f.Match(g) {
					t.Error("wrong answer under concurrency")
					return
				}
			}
		}()
	}
	wg.Wait()
}

// BenchmarkFilterMatch measures a typical subscriber filter on a GCN packet.
func BenchmarkFilterMatch(b *testing.B) {
	ev := mustParse(b, samplePacket(b, "voevent-parse/SWIFT_bat_position_v2.0_example.xml"))
	for _, expr := range []string{
		"//Param[@name='Packet_Type' and @value='61']",
		`/*[local-name()="VOEvent" and @role!="test"]`,
		"//Param[@name='Packet_Type']/@value = 61 or //Param[@name='Packet_Type']/@value = 4",
	} {
		f, err := CompileFilter(expr)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(expr, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if !f.Match(ev) {
						b.Error("no match")
						return
					}
				}
			})
		})
	}
}
