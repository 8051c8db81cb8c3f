// Package nodtd finds DTDs in XML that arrives from the network, so that
// packets carrying one are refused before any parser sees them. It is pure
// Go, for the packages that must build without cgo.
package nodtd

import "bytes"

// Reason is the reason given for a document with a DTD.
const Reason = "DTD or entity declarations are not accepted"

// Find reports whether raw holds a markup declaration ("<!" not starting a
// comment or a CDATA section) outside comments, CDATA sections and
// processing instructions, and the line it starts on. Such declarations
// (DOCTYPE, ENTITY, ...) only occur in a DTD, which a VTP packet never needs;
// in well-formed XML "<" cannot appear anywhere else (attribute values and
// text must escape it), so this finds every DTD without false alarms on the
// text "<!DOCTYPE" inside a comment or a CDATA section.
//
// The scan reads raw in the encoding an XML parser would: UTF-16 and UTF-32,
// in either byte order, with a byte-order mark or told by the first
// character (XML 1.0, appendix F), are decoded first; UTF-8 and the 8-bit
// encodings that keep ASCII's code points (ISO-8859-*, windows-125*) are
// scanned as they are, since every character the scan looks for is ASCII.
// Other encodings (EBCDIC) are left to the parser, which must refuse a
// DOCTYPE itself (package voevent stops libxml2 at one).
func Find(raw []byte) (line int, found bool) {
	return find(asciiView(raw))
}

// asciiView returns raw with each character of a UTF-16 or UTF-32 document
// (detected as an XML parser does) reduced to one byte: itself when it is
// ASCII, 0x80 when it is not, so that lines and markup keep their places;
// any other document is returned as it is.
func asciiView(raw []byte) []byte {
	width, big := unitOf(raw)
	if width == 0 {
		return raw
	}
	out := make([]byte, 0, len(raw)/width)
	for i := 0; i+width <= len(raw); i += width {
		var c uint32
		for k := range width {
			b := uint32(raw[i+k])
			if big {
				c = c<<8 | b
			} else {
				c |= b << (8 * k)
			}
		}
		if c >= 0x80 {
			c = 0x80
		}
		out = append(out, byte(c))
	}
	return out
}

// unitOf says how wide raw's code units are (2 for UTF-16, 4 for UTF-32, 0
// for a byte-oriented encoding) and whether they are big-endian, from a
// byte-order mark or from the first character, which in XML is "<" (or a
// byte-order mark, or white space before "<" for a parser that allows it).
func unitOf(raw []byte) (width int, big bool) {
	if len(raw) < 4 {
		return 0, false // too short for a document with a declaration
	}
	b := [4]byte(raw[:4])
	switch {
	case b == [4]byte{0, 0, 0xFE, 0xFF}, b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] != 0:
		return 4, true
	case b == [4]byte{0xFF, 0xFE, 0, 0}, b[0] != 0 && b[1] == 0 && b[2] == 0 && b[3] == 0:
		return 4, false
	case b[0] == 0xFE && b[1] == 0xFF, b[0] == 0 && b[1] != 0:
		return 2, true
	case b[0] == 0xFF && b[1] == 0xFE, b[0] != 0 && b[1] == 0:
		return 2, false
	}
	return 0, false
}

func find(raw []byte) (line int, found bool) {
	i := 0
	for {
		j := bytes.IndexByte(raw[i:], '<')
		if j < 0 {
			return 0, false
		}
		i += j
		rest := raw[i:]
		var start, end string
		switch {
		case bytes.HasPrefix(rest, []byte("<!--")):
			start, end = "<!--", "-->"
		case bytes.HasPrefix(rest, []byte("<![CDATA[")):
			start, end = "<![CDATA[", "]]>"
		case bytes.HasPrefix(rest, []byte("<?")):
			start, end = "<?", "?>"
		case bytes.HasPrefix(rest, []byte("<!")):
			return 1 + bytes.Count(raw[:i], []byte("\n")), true
		default:
			i++
			continue
		}
		k := bytes.Index(rest[len(start):], []byte(end))
		if k < 0 {
			return 0, false // unterminated: the parser will say so
		}
		i += len(start) + k + len(end)
	}
}
