package voevent

import (
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/unicode"
)

// FuzzParse feeds arbitrary bytes to Parse, Summarize and a filter: none may
// panic, and every refusal must be a *Rejection with a reason.
func FuzzParse(f *testing.F) {
	for _, p := range loadPackets(f) {
		f.Add(p.raw)
	}
	f.Add([]byte(billionLaughs))
	utf16 := func(s string, big bool) []byte {
		order := unicode.LittleEndian
		if big {
			order = unicode.BigEndian
		}
		b, _ := unicode.UTF16(order, unicode.UseBOM).NewEncoder().Bytes([]byte(s))
		return b
	}
	sample := strings.Replace(string(TestEvent("ivo://fuzz.test/broker", time.Unix(0, 0))), "UTF-8", "UTF-16", 1)
	f.Add(utf16(sample, false))
	f.Add(utf16(sample, true))
	f.Add(utf16(billionLaughs, false))
	f.Add(utf16(billionLaughs, true))
	f.Add(TestEvent("ivo://fuzz.test/broker", time.Unix(0, 0)))
	f.Add([]byte("<?xml version='1.0' encoding='ISO-8859-1'?><VOEvent role='test'><Who>\xe9</Who></VOEvent>"))
	f.Add([]byte("<a xmlns:b='u'><b:c b:d='1' xmlns='v'/><![CDATA[x]]>y<!--z--><?p q?></a>"))
	filter, err := CompileFilter("//Param[@value > 1] | //*[local-name()='Who']/@* | //text() | //comment()")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		ev, err := Parse(raw)
		if err != nil {
			var rej *Rejection
			if !errors.As(err, &rej) || rej.Reason == "" || ev != nil {
				t.Fatalf("Parse returned %v, %#v", ev, err)
			}
			return
		}
		if ev.doc == nil || &ev.Raw[0] != &raw[0] {
			t.Fatal("event without its document or its bytes")
		}
		_ = CheckIVORN(ev.IVORN)
		_ = ReadFields(ev)
		_ = filter.Match(ev)
	})
}

// FuzzParseIVORN checks that ParseIVORN never panics, that what it accepts
// splits into parts that make up the identifier, and that CheckIVORN agrees.
func FuzzParseIVORN(f *testing.F) {
	for _, s := range []string{
		"ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_532871-729", "ivo://authreskey#local", "ivo://a.b/c/../d#e",
		"ivo://auth/rsrc#local\n", "ivo://universität.de/r#l", "", "ivo://", "http://x.y/z#1", "ivo://00aa!000000000",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseIVORN(s)
		cerr := CheckIVORN(s)
		if err != nil {
			if cerr == nil {
				t.Fatalf("CheckIVORN accepts %q that ParseIVORN refuses", s)
			}
			return
		}
		// The parts are the identifier less one optional "#" (Comet's
		// regular expression lets a local ID follow the authority without
		// one) and less the final newline Python's "$" allows.
		if joined := "ivo://" + id.Authority + id.Resource + id.LocalID; joined != strings.Replace(strings.TrimSuffix(s, "\n"), "#", "", 1) {
			t.Fatalf("%q parsed as %+v", s, id)
		}
		if (cerr == nil) != (id.LocalID != "") {
			t.Fatalf("CheckIVORN(%q) = %v with local ID %q", s, cerr, id.LocalID)
		}
	})
}
