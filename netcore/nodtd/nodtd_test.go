package nodtd

import "testing"

func TestFind(t *testing.T) {
	for _, c := range []struct {
		doc   string
		line  int
		found bool
	}{
		{`<a/>`, 0, false},
		{"<?xml version='1.0'?>\n<!DOCTYPE a SYSTEM 'x'>\n<a/>", 2, true},
		{"<!ENTITY x 'y'><a/>", 1, true},
		{"<a>\n<!DOCTYPE x></a>", 2, true},
		{"<?p?><!DOCTYPE x><a/>", 1, true},
		{"<!-- <!DOCTYPE x> --><a/>", 0, false},
		{"<a><![CDATA[<!DOCTYPE x>]]></a>", 0, false},
		{"<?p <!DOCTYPE x> ?><a/>", 0, false},
		{"<!-- unterminated <!DOCTYPE x>", 0, false},
	} {
		line, found := Find([]byte(c.doc))
		if line != c.line || found != c.found {
			t.Errorf("%q: %d, %v; want %d, %v", c.doc, line, found, c.line, c.found)
		}
	}
}
