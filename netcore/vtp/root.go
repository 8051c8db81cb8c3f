package vtp

import (
	"bytes"
	"strings"
)

// Root is what PeekRoot finds in a packet's root start tag.
type Root struct {
	// Local is the element's local name: "Transport", "VOEvent", …
	Local string
	// Namespace is the URI bound to the element's prefix (or the default
	// namespace) by an xmlns attribute of the root itself; "" otherwise.
	Namespace string
	// Role and IVORN are the root's role and ivorn attributes.
	Role, IVORN string
	// Start is where the root element begins in the packet.
	Start int
}

var bom = []byte("\xef\xbb\xbf")

// skipProlog returns where the root element starts: after a byte-order
// mark, white space, an XML declaration, comments and processing
// instructions; -1 when something else (or nothing) comes first.
func skipProlog(b []byte) int {
	i := 0
	if bytes.HasPrefix(b, bom) {
		i = len(bom)
	}
	for {
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		rest := b[i:]
		var open, end string
		switch {
		case bytes.HasPrefix(rest, []byte("<?")):
			open, end = "<?", "?>"
		case bytes.HasPrefix(rest, []byte("<!--")):
			open, end = "<!--", "-->"
		case len(rest) > 1 && rest[0] == '<' && rest[1] != '!' && rest[1] != '/':
			return i
		default:
			return -1
		}
		k := bytes.Index(rest[len(open):], []byte(end))
		if k < 0 {
			return -1
		}
		i += len(open) + k + len(end)
	}
}

// PeekRoot reads the root element's name, namespace, role and ivorn from
// the start of an XML document without parsing the rest, for the hot paths
// that only need to tell an ack from an event. It reports false for anything
// it does not understand; a full parse then decides.
func PeekRoot(b []byte) (Root, bool) {
	start := skipProlog(b)
	if start < 0 {
		return Root{}, false
	}
	name, rest := scanName(b[start+1:])
	if len(name) == 0 {
		return Root{}, false
	}
	prefix, local := []byte(nil), name
	if i := bytes.LastIndexByte(name, ':'); i >= 0 {
		prefix, local = name[:i], name[i+1:]
	}
	if len(local) == 0 {
		return Root{}, false
	}
	r := Root{Local: intern(local), Start: start}
	for {
		after := skipSpace(rest)
		if len(after) == 0 {
			return Root{}, false
		}
		if after[0] == '>' || after[0] == '/' {
			return r, true
		}
		if len(after) == len(rest) {
			return Root{}, false // attributes must be separated by white space
		}
		attr, val, more, ok := scanAttr(after)
		if !ok {
			return Root{}, false
		}
		switch string(attr) { // no allocation: the compiler compares in place
		case "role":
			r.Role = intern(val)
		case "ivorn":
			r.IVORN = unescapeAttr(val)
		case "xmlns":
			if prefix == nil {
				r.Namespace = unescapeAttr(val)
			}
		default:
			if p, ok := bytes.CutPrefix(attr, []byte("xmlns:")); ok && prefix != nil && bytes.Equal(p, prefix) {
				r.Namespace = unescapeAttr(val)
			}
		}
		rest = more
	}
}

// scanAttr reads name="value" (or 'value') at the start of b.
func scanAttr(b []byte) (name, value, rest []byte, ok bool) {
	name, after := scanName(b)
	if len(name) == 0 {
		return nil, nil, nil, false
	}
	after = skipSpace(after)
	if len(after) < 2 || after[0] != '=' {
		return nil, nil, nil, false
	}
	after = skipSpace(after[1:])
	if len(after) < 2 || (after[0] != '"' && after[0] != '\'') {
		return nil, nil, nil, false
	}
	end := bytes.IndexByte(after[1:], after[0])
	if end < 0 {
		return nil, nil, nil, false
	}
	value = after[1 : 1+end]
	if bytes.IndexByte(value, '<') >= 0 {
		return nil, nil, nil, false
	}
	return name, value, after[2+end:], true
}

// RootElement returns raw without its prolog (byte-order mark, XML
// declaration, comments, processing instructions) and without the comments,
// processing instructions and white space after the root element: what
// Comet's --print-event writes.
func RootElement(raw []byte) []byte {
	start := skipProlog(raw)
	if start < 0 {
		return bytes.TrimRight(raw, " \t\r\n")
	}
	b := raw[start:]
	for {
		b = bytes.TrimRight(b, " \t\r\n")
		var open []byte
		switch {
		case bytes.HasSuffix(b, []byte("-->")):
			open = []byte("<!--")
		case bytes.HasSuffix(b, []byte("?>")):
			open = []byte("<?")
		default:
			return b
		}
		i := bytes.LastIndex(b, open)
		if i <= 0 {
			return b
		}
		b = b[:i]
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// skipSpace drops leading XML white space.
func skipSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	return b
}

// scanName reads an XML name (loosely: up to white space, '=', '>' or '/').
func scanName(b []byte) ([]byte, []byte) {
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case ' ', '\t', '\r', '\n', '=', '>', '/', '<', '"', '\'':
			return b[:i], b[i:]
		}
	}
	return nil, nil
}

// intern returns the names and roles that arrive with every packet without allocating.
func intern(b []byte) string {
	switch string(b) {
	case "Transport":
		return "Transport"
	case "VOEvent":
		return "VOEvent"
	case RoleAck:
		return RoleAck
	case RoleIAmAlive:
		return RoleIAmAlive
	case RoleNak:
		return RoleNak
	case RoleAuthenticate:
		return RoleAuthenticate
	}
	return string(b)
}

// attrUnescaper undoes the five predefined entities; character references are left alone.
var attrUnescaper = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&quot;", `"`, "&apos;", "'", "&amp;", "&")

func unescapeAttr(v []byte) string {
	if bytes.IndexByte(v, '&') < 0 {
		return string(v)
	}
	return attrUnescaper.Replace(string(v))
}
