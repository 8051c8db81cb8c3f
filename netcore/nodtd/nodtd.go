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
func Find(raw []byte) (line int, found bool) {
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
