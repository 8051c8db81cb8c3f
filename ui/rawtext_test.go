package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/widget"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// TestRawTextDecodes: the Raw tab shows a VOEvent in UTF-16, EBCDIC or
// Latin-1 as text, and UTF-8 and JSON as they are.
func TestRawTextDecodes(t *testing.T) {
	doc := "<?xml version='1.0' encoding='%s'?>\n<VOEvent role='test'><Who>Müller</Who></VOEvent>"
	for _, c := range []struct {
		label string
		enc   encoding.Encoding
	}{
		{"UTF-16", unicode.UTF16(unicode.LittleEndian, unicode.UseBOM)},
		{"UTF-16", unicode.UTF16(unicode.BigEndian, unicode.UseBOM)},
		{"UTF-16LE", unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)},
		{"UTF-16BE", unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)},
		{"ISO-8859-1", charmap.ISO8859_1},
		{"IBM037", charmap.CodePage037},
	} {
		want := strings.Replace(doc, "%s", c.label, 1)
		raw, err := c.enc.NewEncoder().Bytes([]byte(want))
		if err != nil {
			t.Fatal(err)
		}
		if got := rawText(raw); got != want {
			t.Errorf("%s: %q", c.label, got)
		}
	}
	for _, same := range []string{strings.Replace(doc, "%s", "UTF-8", 1), `{"superevent_id": "S1", "n": "é"}`, ""} {
		if got := rawText([]byte(same)); got != same {
			t.Errorf("%q shown as %q", same, got)
		}
	}
	raw, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte(strings.Replace(doc, "%s", "UTF-16", 1)))
	var tags []string
	for _, s := range highlight(raw) {
		tags = append(tags, s.(*widget.TextSegment).Text)
	}
	if !strings.Contains(strings.Join(tags, ""), "<Who>Müller</Who>") {
		t.Errorf("highlighted UTF-16: %q", tags)
	}
}
