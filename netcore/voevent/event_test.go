package voevent

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// packet is one sample packet of testdata/ with its MANIFEST.tsv row.
type packet struct {
	path                 string // relative to testdata/
	ivorn, role, version string
	size                 string
	xmllint              string // what xmllint says against VOEvent-v2.0.xsd
	raw                  []byte
}

// loadPackets reads MANIFEST.tsv and every packet it lists.
func loadPackets(tb testing.TB) []packet {
	tb.Helper()
	manifest, err := os.ReadFile("testdata/MANIFEST.tsv")
	if err != nil {
		tb.Fatal(err)
	}
	var out []packet
	for i, line := range strings.Split(strings.TrimSpace(string(manifest)), "\n") {
		if i == 0 {
			continue // header
		}
		f := strings.Split(line, "\t")
		if len(f) != 6 {
			tb.Fatalf("MANIFEST.tsv line %d has %d fields", i+1, len(f))
		}
		raw, err := os.ReadFile(filepath.Join("testdata", f[0]))
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, packet{f[0], f[1], f[2], f[3], f[4], f[5], raw})
	}
	files, _ := filepath.Glob("testdata/*/*.xml")
	if len(out) != len(files) || len(out) == 0 {
		tb.Fatalf("MANIFEST.tsv lists %d packets, testdata holds %d", len(out), len(files))
	}
	return out
}

// samplePacket reads one packet of testdata/.
func samplePacket(tb testing.TB, name string) []byte {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return raw
}

// mustParse parses raw or fails the test.
func mustParse(tb testing.TB, raw []byte) *Event {
	tb.Helper()
	ev, err := Parse(raw)
	if err != nil {
		tb.Fatalf("Parse: %v", err)
	}
	return ev
}

func TestParseSamples(t *testing.T) {
	for _, p := range loadPackets(t) {
		t.Run(p.path, func(t *testing.T) {
			ev := mustParse(t, p.raw)
			if ev.IVORN != p.ivorn || ev.Role != p.role || ev.Version != p.version {
				t.Errorf("got ivorn %q role %q version %q, MANIFEST says %q %q %q", ev.IVORN, ev.Role, ev.Version, p.ivorn, p.role, p.version)
			}
			if !bytes.Equal(ev.Raw, p.raw) || &ev.Raw[0] != &p.raw[0] {
				t.Error("Raw is not the very bytes given to Parse")
			}
			if got := len(ev.Raw); p.size != "" && p.size != itoa(got) {
				t.Errorf("size %d, MANIFEST says %s", got, p.size)
			}
			if ev.doc == nil || !isVOEventRoot(xroot(ev.doc)) {
				t.Error("no VOEvent root in the parsed document")
			}
		})
	}
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}

func TestParseNamespaces(t *testing.T) {
	cases := map[string]string{
		"voevent-parse/voevent.xml":             NamespaceV20,
		"VOEvent/voevent-ex1.xml":               NamespaceV21,
		"pygcn/kill_socket.xml":                 NamespaceV11,
		"voevent-parse/no_namespace_packet.xml": "",
	}
	for name, want := range cases {
		if got := mustParse(t, samplePacket(t, name)).Namespace; got != want {
			t.Errorf("%s: namespace %q, want %q", name, got, want)
		}
	}
}

const billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<voe:VOEvent xmlns:voe="http://www.ivoa.net/xml/VOEvent/v2.0" ivorn="ivo://a.b/c#&lol9;" role="test" version="2.0"><Who/></voe:VOEvent>
`

func TestParseRefusals(t *testing.T) {
	voe := `<voe:VOEvent xmlns:voe="http://www.ivoa.net/xml/VOEvent/v2.0" ivorn="ivo://a.b/c#d" role="test" version="2.0">`
	cases := []struct {
		name, doc string
		reason    string // a part of the reason
		line      int
	}{
		{"empty", "", "Not well-formed XML: the document is empty", 0},
		{"blank", " \n\t", "Not well-formed XML: the document is empty", 0},
		{"not XML", "hello, broker", "Not well-formed XML: Start tag expected, '<' not found", 1},
		{"JSON", `{"ivorn": "ivo://a.b/c#d"}`, "Not well-formed XML", 1},
		{"truncated", voe + "<Who>", "Not well-formed XML: Premature end of data in tag Who line 1", 1},
		{"cut in a tag", voe + "<Who", "Not well-formed XML: Couldn't find end of Start Tag Who", 1},
		{"mismatched", voe + "\n<Who></What></voe:VOEvent>", "Opening and ending tag mismatch: Who line 2 and What (line 2)", 2},
		{"two roots", voe + "</voe:VOEvent>\n<VOEvent/>", "Not well-formed XML: Extra content at the end of the document", 2},
		{"text after root", voe + "</voe:VOEvent>junk", "Not well-formed XML: Extra content at the end of the document", 1},
		{"undeclared prefix", `<voe:VOEvent ivorn="ivo://a.b/c#d" role="test"/>`, "Namespace prefix voe on VOEvent is not defined", 1},
		{"undeclared attr prefix", `<VOEvent xsi:x="1" role="test"/>`, "Namespace prefix xsi for x on VOEvent is not defined", 1},
		{"duplicate attribute", `<VOEvent role="test" role="test"/>`, "Attribute role redefined", 1},
		{"duplicate expanded attribute", `<VOEvent xmlns:a="u" xmlns:b="u" a:x="1" b:x="2" role="test"/>`, "Namespaced Attribute x in 'u' redefined", 1},
		{"unknown entity", voe + "<Who>&nbsp;</Who></voe:VOEvent>", "Not well-formed XML: Entity 'nbsp' not defined", 1},
		{"bad character", voe + "<Who>\x01</Who></voe:VOEvent>", "Not well-formed XML: PCDATA invalid Char value 1", 1},
		{"invalid UTF-8", voe + "<Who>\xff</Who></voe:VOEvent>", "Not well-formed XML: Input is not proper UTF-8", 1},
		{"late XML declaration", "\n<?xml version='1.0'?><VOEvent role='test'/>", "XML declaration allowed only at the start of the document", 2},
		{"unsupported encoding", `<?xml version="1.0" encoding="EBCDIC"?><VOEvent role="test"/>`, `Not well-formed XML: Unsupported encoding EBCDIC`, 1},
		{"UTF-16 cut short", "\xff\xfe<\x00", "Not well-formed XML", 1},
		{"UTF-16 labelled, UTF-8 inside", `<?xml version="1.0" encoding="UTF-16"?><VOEvent role="test"/>`, "Not well-formed XML", 1},
		{"UTF-16 white space only", "\xff\xfe \x00\n\x00", "Not well-formed XML: the document is empty", 0},
		{"deep", strings.Repeat("<a>", 300), "Excessive depth in document: 256", 1},
		{"DTD", "<?xml version='1.0'?>\n<!DOCTYPE VOEvent SYSTEM \"http://example.com/voevent.dtd\">\n<VOEvent role='test'/>", "DTD or entity declarations are not accepted", 2},
		{"entity without doctype", "<!ENTITY x 'y'><VOEvent role='test'/>", "DTD or entity declarations are not accepted", 1},
		{"DTD inside element", voe + "\n<!DOCTYPE x></voe:VOEvent>", "DTD or entity declarations are not accepted", 2},
		{"billion laughs", billionLaughs, "DTD or entity declarations are not accepted", 2},
		{"DTD after a PI", "<?p?><!DOCTYPE x><VOEvent role='test'/>", "DTD or entity declarations are not accepted", 1},
		{"Transport packet", `<trn:Transport xmlns:trn="http://www.telescope-networks.org/xml/Transport/v1.1" role="iamalive" version="1.0"><Origin>ivo://a.b/c</Origin></trn:Transport>`,
			"Not a VOEvent packet: root element is {http://www.telescope-networks.org/xml/Transport/v1.1}Transport", 0},
		{"other root", `<html/>`, "Not a VOEvent packet: root element is html", 0},
		{"VOEvent in a foreign namespace", `<VOEvent xmlns="urn:other" role="test"/>`, "Not a VOEvent packet: root element is {urn:other}VOEvent", 0},
		{"missing role", `<voe:VOEvent xmlns:voe="http://www.ivoa.net/xml/VOEvent/v2.0" ivorn="ivo://a.b/c#d" version="2.0"/>`, "Missing role attribute", 0},
		{"namespaced role only", `<VOEvent xmlns:x="urn:x" x:role="test"/>`, "Missing role attribute", 0},
		{"unknown role", `<VOEvent role="iamalive"/>`, `Unknown role "iamalive"`, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			ev, err := Parse([]byte(c.doc))
			var rej *Rejection
			if !errors.As(err, &rej) {
				t.Fatalf("Parse returned %v, %v; want a *Rejection", ev, err)
			}
			if ev != nil {
				t.Error("an Event came back with the rejection")
			}
			if !strings.Contains(rej.Reason, c.reason) {
				t.Errorf("reason %q, want it to contain %q", rej.Reason, c.reason)
			}
			if rej.Error() != rej.Reason {
				t.Error("Error() is not the reason")
			}
			if rej.Line != c.line {
				t.Errorf("line %d, want %d (%s)", rej.Line, c.line, rej.Reason)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d) // a guard against expansion, not a speed test
			}
		})
	}
}

func TestParseMissingIVORN(t *testing.T) {
	ev := mustParse(t, []byte(`<voe:VOEvent xmlns:voe="http://www.ivoa.net/xml/VOEvent/v2.0" role="test" version="2.0"><Who/></voe:VOEvent>`))
	if ev.IVORN != "" {
		t.Errorf("IVORN %q", ev.IVORN)
	}
	var rej *Rejection
	if err := CheckIVORN(ev.IVORN); !errors.As(err, &rej) || rej.Reason != "Missing ivorn attribute" {
		t.Errorf("CheckIVORN: %v", err)
	}
	_, err := (&Checker{}).Check(ev.Raw)
	if !errors.As(err, &rej) || rej.Reason != "Missing ivorn attribute" {
		t.Errorf("Check: %v", err)
	}
}

func TestParseAccepts(t *testing.T) {
	cases := map[string]string{
		"DOCTYPE text in a comment": "<!-- <!DOCTYPE x> --><VOEvent role='test'/>",
		"DOCTYPE text in CDATA":     "<VOEvent role='test'><![CDATA[<!DOCTYPE x [<!ENTITY a 'b'>]>]]></VOEvent>",
		"DOCTYPE text in a PI":      "<?note <!DOCTYPE x>?><VOEvent role='test'/>",
		"comment starting with >":   "<!-->\n<!DOCTYPE x>-->\n<VOEvent role='test'/>",
		"UTF-8 BOM":                 "\xef\xbb\xbf<?xml version='1.0' encoding='UTF-8'?><VOEvent role='test'/>",
		"Latin-1":                   "<?xml version='1.0' encoding='ISO-8859-1'?><VOEvent role='test'><Who>M\xfcller</Who></VOEvent>",
		"US-ASCII":                  "<?xml version='1.0' encoding='US-ASCII'?><VOEvent role='test'/>",
		"predefined entities":       "<VOEvent role='test' ivorn='ivo://a.b/c#&lt;&#65;'><Who>&amp;&quot;</Who></VOEvent>",
		"default namespace":         "<VOEvent xmlns='http://www.ivoa.net/xml/VOEvent/v2.0' role='test'><Who xmlns=''/></VOEvent>",
		"xml prefix":                "<VOEvent xml:lang='en' role='test'/>",
		"comments around the root":  "<!-- a --><VOEvent role='test'/><!-- b -->\n",
	}
	for name, doc := range cases {
		if _, err := Parse([]byte(doc)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	ev := mustParse(t, []byte("<?xml version='1.0' encoding='ISO-8859-1'?><VOEvent role='test'><Who><Date>M\xfcller</Date></Who></VOEvent>"))
	if got := ReadFields(ev).Date; got != "Müller" {
		t.Errorf("Latin-1 text read as %q", got)
	}
	ev = mustParse(t, []byte("<VOEvent role='test' ivorn='ivo://a.b/c#x\n\ty'/>"))
	if ev.IVORN != "ivo://a.b/c#x  y" {
		t.Errorf("attribute value not normalised: %q", ev.IVORN)
	}
}

func TestVOEventRoot(t *testing.T) {
	for doc, want := range map[string]bool{
		`<VOEvent/>`: true,
		`<v:VOEvent xmlns:v="http://www.ivoa.net/xml/VOEvent/v1.1"/>`: true,
		`<v:VOEvent xmlns:v="http://www.ivoa.net/xml/VOEvent/v2.0"/>`: true,
		`<VOEvent xmlns="http://www.ivoa.net/xml/VOEvent/v2.1"/>`:     true,
		`<v:VOEvent xmlns:v="http://www.ivoa.net/xml/VOEvent/v3.0"/>`: false,
		`<voevent/>`:   false,
		`<Transport/>`: false,
	} {
		d, xe, _ := readX([]byte(doc))
		if d == nil {
			t.Fatal(xe.msg)
		}
		if got := isVOEventRoot(xroot(d)); got != want {
			t.Errorf("libxml2 %s: %v, want %v", doc, got, want)
		}
	}
	if isVOEventRoot(nil) {
		t.Error("nil is a VOEvent root")
	}
}

func TestRejectionLocated(t *testing.T) {
	for _, c := range []struct {
		r    Rejection
		want string
	}{
		{Rejection{Reason: "Missing ivorn attribute"}, "Missing ivorn attribute"},
		{Rejection{Reason: "Missing ivorn attribute", Line: 3}, "Missing ivorn attribute (line 3)"},
		{Rejection{Reason: "Element 'Bogus': not expected, line 7", Line: 7}, "Element 'Bogus': not expected, line 7"},
	} {
		if got := c.r.Located(); got != c.want {
			t.Errorf("Located() = %q, want %q", got, c.want)
		}
		if got := Describe(fmt.Errorf("wrapped: %w", &c.r)); got != c.want {
			t.Errorf("Describe = %q, want %q", got, c.want)
		}
	}
	if got := Describe(errors.New("plain")); got != "plain" {
		t.Errorf("Describe(plain) = %q", got)
	}
}

// TestRelease checks that Release frees the document at once and that
// everything that reads it still works afterwards, by parsing Raw again.
func TestRelease(t *testing.T) {
	ev := mustParse(t, samplePacket(t, "voevent-parse/SWIFT_bat_position_v2.0_example.xml"))
	f, err := CompileFilter("//Param[@name='Packet_Type' and @value='61']")
	if err != nil {
		t.Fatal(err)
	}
	before := ReadFields(ev)
	ev.Release()
	ev.Release() // twice is fine
	if ev.doc != nil {
		t.Fatal("Release kept the document")
	}
	if got := ReadFields(ev); fmt.Sprint(got) != fmt.Sprint(before) || len(got.Params) == 0 {
		t.Errorf("summary after Release: %+v", got)
	}
	if !f.Match(ev) {
		t.Error("the filter no longer matches after Release")
	}
	if err := loadSchema(t).Validate(ev); err != nil {
		t.Errorf("Validate after Release: %v", err)
	}
	ev.Release()
	// An Event not made by Parse is parsed on first use; one with a DTD never.
	if s := ReadFields(&Event{Raw: ev.Raw}); s.Author == "" {
		t.Errorf("summary of a hand-made Event: %+v", s)
	}
	if f.Match(&Event{Raw: []byte(billionLaughs)}) {
		t.Error("a filter matched a packet with a DTD")
	}
}

// TestSummarizeLatin1 checks that an ISO-8859-1 packet's text is read as such.
func TestSummarizeLatin1(t *testing.T) {
	ev := mustParse(t, []byte("<?xml version='1.0' encoding='ISO-8859-1'?><VOEvent role='test' ivorn='ivo://a.b/c#d'><Who><Date>\xe9t\xe9</Date></Who></VOEvent>"))
	if got := ReadFields(ev).Date; got != "été" {
		t.Errorf("Summarize: date %q", got)
	}
}
