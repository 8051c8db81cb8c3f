package xmldoc

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/beevik/etree"
)

// serialize writes a document for comparison.
func serialize(t *testing.T, d *etree.Document) string {
	t.Helper()
	s, err := d.WriteToString()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// checkSameTree fails when the plain scanner accepts raw but builds a
// different tree from encoding/xml's, or accepts what encoding/xml refuses.
func checkSameTree(t *testing.T, raw []byte) (plain bool) {
	t.Helper()
	fast, ok := parsePlain(raw)
	if !ok {
		return false
	}
	full, rej := parseFull(bytes.TrimPrefix(raw, utf8BOM))
	if rej != nil {
		t.Fatalf("the plain scanner accepts what encoding/xml refuses (%s):\n%q", rej.Reason, raw)
	}
	if a, b := serialize(t, fast), serialize(t, full); a != b {
		t.Fatalf("trees differ for %q:\nplain: %s\nfull:  %s", raw, a, b)
	}
	return true
}

// samplePackets reads the real packets kept as voevent's test data.
func samplePackets(tb testing.TB) [][]byte {
	tb.Helper()
	files, err := filepath.Glob("../voevent/testdata/*/*.xml")
	if err != nil || len(files) == 0 {
		tb.Fatalf("no sample packets in ../voevent/testdata (%v)", err)
	}
	var out [][]byte
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, raw)
	}
	return out
}

// TestPlainScannerTakesRealPackets checks that the fast path builds the same
// tree as encoding/xml for every sample packet, and that it is taken for
// almost all of them.
func TestPlainScannerTakesRealPackets(t *testing.T) {
	packets := samplePackets(t)
	plain := 0
	for _, raw := range packets {
		if checkSameTree(t, raw) {
			plain++
		}
	}
	t.Logf("%d of %d packets took the fast path", plain, len(packets))
	if plain < len(packets)*3/4 {
		t.Fatalf("only %d of %d packets took the fast path", plain, len(packets))
	}
}

// TestPlainScannerFallsBack lists input the fast path must leave to
// encoding/xml, and input it must take.
func TestPlainScannerFallsBack(t *testing.T) {
	for _, c := range []struct {
		in    string
		plain bool
	}{
		{`<a x="1" y='2'>t &lt;&amp;&gt;&apos;&quot; u<b/><!-- c --></a>`, true},
		{`<?xml version="1.0" encoding="UTF-8"?>` + "\n<a/>\n", true},
		{`<?xml version='1.0' encoding='iso-8859-1' standalone='yes' ?><a/>`, true},
		{`<p:a xmlns:p="u" p:x="1"/>`, true},
		{"<a x=\"1\r\n2\">\r\n\r</a>\r\n<!-- \r -->", true},                      // line ends normalised as encoding/xml does
		{"<a x=\"\u00e9\">\u00e9</a>", true},                                     // UTF-8
		{`<?xml version="1.0" encoding="ISO-8859-1"?><a>` + "\u00e9</a>", false}, // Latin-1 reads these bytes otherwise
		{"<a>\xe9</a>", false},                                 // not UTF-8
		{"<a>\uFFFF</a>", false},                               // not an XML character
		{"<a>\x01</a>", false},                                 // control character
		{`<a>&#65;</a>`, false},                                // character reference
		{`<a><![CDATA[x]]></a>`, false},                        // CDATA section
		{`<a><?pi x?></a>`, false},                             // processing instruction
		{`<?xml version="1.1"?><a/>`, false},                   // other version
		{`<?xml version="1.0" encoding="UTF-16"?><a/>`, false}, // other encoding
		{` <?xml version="1.0"?><a/>`, false},                  // declaration not at the start
		{`<a x="1"y="2"/>`, false},                             // no space between attributes
		{`<a x="<"/>`, false},                                  // < in a value
		{`<a x/>`, false},                                      // attribute without a value
		{`<a>]]></a>`, false},                                  // ]]> in text
		{`<a><!-- x -- y --></a>`, false},                      // -- in a comment
		{`<a:b:c/>`, false},                                    // two colons
		{`<a></b>`, false},                                     // mismatched end tag
		{`<a>`, false},                                         // unclosed
		{`<a/><b/>`, false},                                    // two roots
		{`<a p:x="1"/>`, false},                                // undeclared prefix
		{`<a x="1" x="2"/>`, false},                            // duplicate attribute
		{`<a>&nbsp;</a>`, false},                               // undeclared entity
		{`<a>&amp</a>`, false},                                 // unterminated reference
		{`x<a/>`, false},                                       // text before the root
	} {
		t.Run(c.in, func(t *testing.T) {
			if got := checkSameTree(t, []byte(c.in)); got != c.plain {
				t.Fatalf("fast path taken = %v, want %v", got, c.plain)
			}
		})
	}
}

// FuzzPlainScanner checks the fast path against encoding/xml: whatever it
// accepts, encoding/xml accepts too, with the same tree.
func FuzzPlainScanner(f *testing.F) {
	for _, raw := range samplePackets(f) {
		f.Add(raw)
	}
	f.Add([]byte(`<?xml version="1.0"?><a xmlns:b='u' x="&lt;"><b:c b:d='1' xmlns='v'/>y<!--z--></a>`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		checkSameTree(t, raw)
	})
}
