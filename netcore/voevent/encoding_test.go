package voevent

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"

	"github.com/starling-broker/starling/netcore/nodtd"
)

// encodings are the encodings a packet may arrive in, each with the name its
// XML declaration gives and whether libxml2 reads it.
var encodings = []struct {
	name, label string
	enc         encoding.Encoding
	read        bool
}{
	{"UTF-16LE with BOM", "UTF-16", unicode.UTF16(unicode.LittleEndian, unicode.UseBOM), true},
	{"UTF-16BE with BOM", "UTF-16", unicode.UTF16(unicode.BigEndian, unicode.UseBOM), true},
	{"UTF-16LE", "UTF-16LE", unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), true},
	{"UTF-16BE", "UTF-16BE", unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), true},
	{"ISO-8859-1", "ISO-8859-1", charmap.ISO8859_1, true},
	{"windows-1252", "windows-1252", charmap.Windows1252, true},
	{"EBCDIC", "IBM037", charmap.CodePage037, true},
	// libxml2 2.9 reads neither: refused as not well-formed, never for a DTD it missed.
	{"UTF-32BE with BOM", "UTF-32", utf32.UTF32(utf32.BigEndian, utf32.UseBOM), false},
	{"UTF-32LE", "UCS-4", utf32.UTF32(utf32.LittleEndian, utf32.IgnoreBOM), false},
}

func encodeAs(t *testing.T, enc encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := enc.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestParseEncodings: a real packet in UTF-16 (either byte order, with or
// without a byte-order mark) or in an 8-bit encoding is read as in UTF-8,
// schema included; what libxml2 cannot read is refused in words.
func TestParseEncodings(t *testing.T) {
	schema, err := LoadSchema()
	if err != nil {
		t.Fatal(err)
	}
	defer schema.Close()
	utf8 := string(samplePacket(t, "FRB_VOEvent/FRB140514_detection.xml"))
	body := utf8[strings.Index(utf8, "?>")+2:]
	want, err := (&Checker{Schema: schema}).Check([]byte(utf8))
	if err != nil {
		t.Fatal(err)
	}
	wantSum := ReadFields(want)
	for _, c := range encodings {
		t.Run(c.name, func(t *testing.T) {
			raw := encodeAs(t, c.enc, fmt.Sprintf("<?xml version='1.0' encoding='%s'?>", c.label)+body)
			ev, err := (&Checker{Schema: schema}).Check(raw)
			if !c.read {
				if err == nil || !strings.Contains(err.Error(), "Not well-formed XML") {
					t.Fatalf("Check: %v; want a refusal as not well-formed", err)
				}
				return
			}
			if err != nil && unsupportedEncoding(err.Error()) {
				// Windows' libxml2 is built without iconv: it reads UTF-8,
				// UTF-16 and Latin-1 only, and refuses the rest in words.
				t.Skipf("this libxml2 cannot read %s and refuses it: %v", c.label, err)
			}
			if err != nil {
				t.Fatalf("Check: %v", err)
			}
			if ev.IVORN != want.IVORN || ev.Role != want.Role {
				t.Errorf("ivorn %q role %q; want %q %q", ev.IVORN, ev.Role, want.IVORN, want.Role)
			}
			if &ev.Raw[0] != &raw[0] {
				t.Error("Raw is not the bytes given")
			}
			sum := ReadFields(ev)
			if sum.Description != wantSum.Description || sum.RA != wantSum.RA || len(sum.Params) != len(wantSum.Params) {
				t.Errorf("summary %q %v %d params; want %q %v %d", sum.Description, sum.RA, len(sum.Params), wantSum.Description, wantSum.RA, len(wantSum.Params))
			}
		})
	}
}

// unsupportedEncoding reports whether libxml2 refused a document for an
// encoding it cannot read (a libxml2 built without iconv, as for Windows,
// reads UTF-8, UTF-16 and Latin-1 only).
func unsupportedEncoding(msg string) bool {
	return strings.Contains(msg, "Unsupported encoding") || strings.Contains(msg, "encoding not supported")
}

// TestParseDTDInAnyEncoding: a DTD is refused with the DTD reason in every
// encoding, by the scan before the parse and, for what the scan cannot read
// (EBCDIC), by libxml2 stopping at the DOCTYPE; readX alone (no scan) refuses
// it too in every encoding libxml2 reads.
func TestParseDTDInAnyEncoding(t *testing.T) {
	for _, c := range encodings {
		for _, doc := range []string{
			"<?xml version='1.0' encoding='%s'?>\n<!DOCTYPE VOEvent [<!ENTITY x 'y'>]>\n<VOEvent role='test'>&x;</VOEvent>",
			"<?xml version='1.0' encoding='%s'?>\n<!DOCTYPE VOEvent SYSTEM 'http://127.0.0.1:1/v.dtd'>\n<VOEvent role='test'/>",
		} {
			raw := encodeAs(t, c.enc, fmt.Sprintf(doc, c.label))
			_, err := Parse(raw)
			var rej *Rejection
			if err != nil && unsupportedEncoding(err.Error()) {
				continue // refused whole by a libxml2 without iconv: no DTD gets through
			}
			if !errors.As(err, &rej) || rej.Reason != ReasonDTD {
				t.Errorf("%s: Parse: %v; want %q", c.name, err, ReasonDTD)
			}
			if !c.read {
				continue
			}
			d, xe, dtd := readX(raw)
			if d == nil && unsupportedEncoding(xe.msg) {
				continue // refused whole by a libxml2 without iconv
			}
			if d != nil || !dtd {
				t.Errorf("%s: libxml2 alone: doc %v, dtd %v (%s); want the DTD refused", c.name, d != nil, dtd, xe.msg)
			}
		}
	}
	// UTF-7 (read through iconv) writes "<" as "+ADw-": the scan cannot see
	// this DOCTYPE, libxml2 stops at it.
	utf7 := []byte("<?xml version='1.0' encoding='UTF-7'?>\n+ADw-!DOCTYPE VOEvent +AFs-+ADw-!ENTITY x 'y'+AD4-+AF0-+AD4-\n<VOEvent role='test'>&x;</VOEvent>")
	if _, found := nodtd.Find(utf7); found {
		t.Error("the scan reads UTF-7 now: this case no longer shows libxml2's stop")
	}
	if _, err := Parse(utf7); err == nil || err.Error() != ReasonDTD && !unsupportedEncoding(err.Error()) {
		t.Errorf("DTD in UTF-7: %v", err)
	}
	if _, err := Parse([]byte("<?xml version='1.0' encoding='UTF-7'?>\n<VOEvent role='test' ivorn='ivo://a.b/c#d'/>")); err != nil && !unsupportedEncoding(err.Error()) {
		t.Errorf("a UTF-7 packet without a DTD: %v", err)
	}
	// The billion laughs in UTF-16 never reaches entity expansion.
	raw := encodeAs(t, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM), billionLaughs)
	if _, err := Parse(raw); err == nil || err.Error() != ReasonDTD {
		t.Errorf("billion laughs in UTF-16: %v", err)
	}
}
