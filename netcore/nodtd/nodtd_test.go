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

// encode writes s (ASCII) in UTF-16 or UTF-32 of either byte order, with a
// byte-order mark when bom is set.
func encode(s string, width int, big, bom bool) []byte {
	if bom {
		s = "\ufeff" + s
	}
	var out []byte
	for _, r := range s {
		unit := make([]byte, width)
		for k := range width {
			shift := 8 * k
			if big {
				shift = 8 * (width - 1 - k)
			}
			unit[k] = byte(uint32(r) >> shift)
		}
		out = append(out, unit...)
	}
	return out
}

func TestFindWideEncodings(t *testing.T) {
	dtd := "<?xml version='1.0' encoding='%s'?>\n<!DOCTYPE a [<!ENTITY x 'y'>]>\n<a>&x;</a>"
	clean := "<?xml version='1.0'?>\n<!-- <!DOCTYPE x> -->\n<a>é</a>"
	for _, c := range []struct {
		name  string
		width int
		big   bool
	}{{"UTF-16LE", 2, false}, {"UTF-16BE", 2, true}, {"UTF-32LE", 4, false}, {"UTF-32BE", 4, true}} {
		for _, bom := range []bool{true, false} {
			line, found := Find(encode(dtd, c.width, c.big, bom))
			if !found || line != 2 {
				t.Errorf("%s (BOM %v): DTD: %d, %v; want 2, true", c.name, bom, line, found)
			}
			if line, found := Find(encode(clean, c.width, c.big, bom)); found {
				t.Errorf("%s (BOM %v): no DTD, found one on line %d", c.name, bom, line)
			}
		}
	}
	// An 8-bit encoding keeps ASCII's bytes: found as it is.
	latin1 := []byte("<?xml version='1.0' encoding='ISO-8859-1'?>\n<a>\xe9</a>\n<!DOCTYPE a>")
	if line, found := Find(latin1); !found || line != 3 {
		t.Errorf("ISO-8859-1: %d, %v; want 3, true", line, found)
	}
}

// FuzzFind: a document and its UTF-16 and UTF-32 copies (either byte order,
// with a byte-order mark) have the same verdict and line, so that no
// encoding hides a DTD from the scan.
func FuzzFind(f *testing.F) {
	for _, s := range []string{
		"<?xml version='1.0'?>\n<!DOCTYPE a [<!ENTITY x 'y'>]>\n<a>&x;</a>",
		"<!-- <!DOCTYPE x> --><a/>", "<a><![CDATA[<!DOCTYPE x>]]></a>", "<?p <!DOCTYPE x> ?><a/>",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, r := range s {
			if r == 0 || r >= 0x80 {
				return // the copies are made of ASCII text
			}
		}
		line, found := Find([]byte(s))
		for _, width := range []int{2, 4} {
			for _, big := range []bool{false, true} {
				l, fd := Find(encode(s, width, big, true))
				if l != line || fd != found {
					t.Fatalf("%q in %d-byte units (big-endian %v): %d, %v; as bytes %d, %v", s, width, big, l, fd, line, found)
				}
			}
		}
	})
}
