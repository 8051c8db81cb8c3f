package xmldoc

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"unicode/utf8"
)

// errUnusual stops the plain scanner: the input needs encoding/xml.
var errUnusual = errors.New("not plain XML")

// plainScanner tokenizes the plain subset of XML that real packets are
// written in, several times faster than encoding/xml: UTF-8 (or ASCII), an
// optional XML declaration, elements and attributes with ASCII names, text with
// the five predefined entities, and comments. For such input it yields exactly
// the tokens of encoding/xml's strict RawToken, line ends normalised as it does;
// for anything else (control characters, other encodings, character
// references, CDATA sections, processing instructions, syntax errors) it returns
// errUnusual, and the caller starts again with encoding/xml, which gives the
// precise message and line of any error.
type plainScanner struct {
	in       []byte
	str      string // in as a string: names, values and text are cut from it without copying
	i        int
	pending  *xml.EndElement // the end of a self-closing element, returned next
	lastText string          // the last CharData as a string
}

// plainByte tells which ASCII bytes the plain subset allows.
var plainByte = func() (t [128]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = true
	}
	t['\t'], t['\n'], t['\r'] = true, true, true
	return t
}()

// newPlainScanner returns a scanner positioned after the XML declaration, or
// false when the input is not in the plain subset at all.
func newPlainScanner(in []byte) (*plainScanner, bool) {
	ascii := true
	for _, c := range in {
		if c >= utf8.RuneSelf {
			ascii = false
		} else if !plainByte[c] {
			return nil, false
		}
	}
	// Beyond ASCII: valid UTF-8 without U+FFFE and U+FFFF, the only
	// characters UTF-8 can encode that XML does not allow.
	if !ascii && (!utf8.Valid(in) || bytes.Contains(in, []byte("\uFFFE")) || bytes.Contains(in, []byte("\uFFFF"))) {
		return nil, false
	}
	s := &plainScanner{in: in, str: string(in)}
	if bytes.HasPrefix(in, []byte("<?")) {
		enc, ok := s.declaration()
		// Other encodings read ASCII as UTF-8 does, but not the other bytes.
		if !ok || (!ascii && enc != "" && !strings.EqualFold(enc, "utf-8")) {
			return nil, false
		}
	}
	return s, true
}

// line is not tracked: every error is reported by the encoding/xml pass.
func (s *plainScanner) line() int { return 0 }

// text returns t, the last CharData returned, as a string.
func (s *plainScanner) text(xml.CharData) string { return s.lastText }

// RawToken returns the next token, io.EOF at the end, or errUnusual.
func (s *plainScanner) RawToken() (xml.Token, error) {
	if e := s.pending; e != nil {
		s.pending = nil
		return *e, nil
	}
	if s.i >= len(s.in) {
		return nil, io.EOF
	}
	rest := s.in[s.i:]
	switch {
	case rest[0] != '<':
		return s.charData()
	case bytes.HasPrefix(rest, []byte("</")):
		return s.endTag()
	case bytes.HasPrefix(rest, []byte("<!--")):
		return s.comment()
	case len(rest) > 1 && isNameStart(rest[1]):
		return s.startTag()
	}
	return nil, errUnusual
}

func (s *plainScanner) charData() (xml.Token, error) {
	rest := s.in[s.i:]
	j := bytes.IndexByte(rest, '<')
	if j < 0 {
		j = len(rest)
	}
	if bytes.Contains(rest[:j], []byte("]]>")) {
		return nil, errUnusual
	}
	t, str, ok := s.unescape(s.i, s.i+j)
	if !ok {
		return nil, errUnusual
	}
	s.i += j
	s.lastText = str
	return xml.CharData(t), nil
}

// unescape returns in[from:to] with references replaced, as bytes and as a
// string (cut from s.str when nothing needed replacing).
func (s *plainScanner) unescape(from, to int) ([]byte, string, bool) {
	raw := s.in[from:to]
	if bytes.IndexByte(raw, '&') < 0 && bytes.IndexByte(raw, '\r') < 0 {
		return raw, s.str[from:to], true
	}
	t, ok := unescapePlain(raw)
	if !ok {
		return nil, "", false
	}
	return t, string(t), true
}

func (s *plainScanner) comment() (xml.Token, error) {
	body := s.in[s.i+len("<!--"):]
	k := bytes.Index(body, []byte("-->"))
	if k < 0 {
		return nil, errUnusual
	}
	body = body[:k]
	if bytes.Contains(body, []byte("--")) || bytes.HasSuffix(body, []byte("-")) {
		return nil, errUnusual
	}
	s.i += len("<!--") + k + len("-->")
	return xml.Comment(body), nil
}

func (s *plainScanner) endTag() (xml.Token, error) {
	s.i += len("</")
	name, ok := s.name()
	if !ok {
		return nil, errUnusual
	}
	s.skipSpace()
	if s.i >= len(s.in) || s.in[s.i] != '>' {
		return nil, errUnusual
	}
	s.i++
	return xml.EndElement{Name: name}, nil
}

func (s *plainScanner) startTag() (xml.Token, error) {
	s.i++
	name, ok := s.name()
	if !ok {
		return nil, errUnusual
	}
	var attrs []xml.Attr
	in := s.in
	for {
		before := s.i
		s.skipSpace()
		if s.i >= len(in) {
			return nil, errUnusual
		}
		switch in[s.i] {
		case '>':
			s.i++
			return xml.StartElement{Name: name, Attr: attrs}, nil
		case '/':
			if s.i+1 < len(in) && in[s.i+1] == '>' {
				s.i += 2
				s.pending = &xml.EndElement{Name: name}
				return xml.StartElement{Name: name, Attr: attrs}, nil
			}
			return nil, errUnusual
		}
		if s.i == before {
			return nil, errUnusual // attributes must be separated by white space
		}
		a, ok := s.attr()
		if !ok {
			return nil, errUnusual
		}
		attrs = append(attrs, a)
	}
}

// attr reads name="value" (or 'value').
func (s *plainScanner) attr() (xml.Attr, bool) {
	name, ok := s.name()
	if !ok {
		return xml.Attr{}, false
	}
	in := s.in
	s.skipSpace()
	if s.i >= len(in) || in[s.i] != '=' {
		return xml.Attr{}, false
	}
	s.i++
	s.skipSpace()
	if s.i >= len(in) || (in[s.i] != '"' && in[s.i] != '\'') {
		return xml.Attr{}, false
	}
	quote := in[s.i]
	s.i++
	k := bytes.IndexByte(in[s.i:], quote)
	if k < 0 {
		return xml.Attr{}, false
	}
	if bytes.IndexByte(in[s.i:s.i+k], '<') >= 0 {
		return xml.Attr{}, false
	}
	_, v, ok := s.unescape(s.i, s.i+k)
	if !ok {
		return xml.Attr{}, false
	}
	s.i += k + 1
	return xml.Attr{Name: name, Value: v}, true
}

// name reads local or prefix:local, both of the form [A-Za-z_][A-Za-z0-9_.-]*.
func (s *plainScanner) name() (xml.Name, bool) {
	in := s.in
	j := scanPlainName(in, s.i)
	if j == s.i {
		return xml.Name{}, false
	}
	n := xml.Name{Local: s.str[s.i:j]}
	if j < len(in) && in[j] == ':' {
		k := scanPlainName(in, j+1)
		if k == j+1 {
			return xml.Name{}, false
		}
		n = xml.Name{Space: n.Local, Local: s.str[j+1 : k]}
		j = k
	}
	if j < len(in) && in[j] == ':' {
		return xml.Name{}, false
	}
	s.i = j
	return n, true
}

func (s *plainScanner) skipSpace() {
	for s.i < len(s.in) {
		switch s.in[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// scanPlainName returns the end of the name starting at i (i when there is none).
func scanPlainName(in []byte, i int) int {
	if i >= len(in) || !isNameStart(in[i]) {
		return i
	}
	i++
	for i < len(in) && isNameChar(in[i]) {
		i++
	}
	return i
}

func isNameStart(c byte) bool {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'
}

func isNameChar(c byte) bool {
	return isNameStart(c) || (c >= '0' && c <= '9') || c == '.' || c == '-'
}

// unescapePlain replaces the five predefined entities and turns each CR LF
// and lone CR into LF, as encoding/xml does in text and attribute values; any
// other reference (character references included) is left to encoding/xml.
func unescapePlain(t []byte) ([]byte, bool) {
	out := make([]byte, 0, len(t))
	for {
		k := bytes.IndexAny(t, "&\r")
		if k < 0 {
			return append(out, t...), true
		}
		out = append(out, t[:k]...)
		t = t[k:]
		if t[0] == '\r' {
			out = append(out, '\n')
			t = t[1:]
			if len(t) > 0 && t[0] == '\n' {
				t = t[1:]
			}
			continue
		}
		semi := bytes.IndexByte(t, ';')
		if semi < 0 {
			return nil, false
		}
		var c byte
		switch string(t[1:semi]) {
		case "lt":
			c = '<'
		case "gt":
			c = '>'
		case "amp":
			c = '&'
		case "apos":
			c = '\''
		case "quot":
			c = '"'
		default:
			return nil, false
		}
		out = append(out, c)
		t = t[semi+1:]
	}
}

// declaration reads, at the start of the input, an XML declaration of the
// usual form, <?xml version="1.0" encoding="..." standalone="..."?> (encoding
// and standalone optional, either quote), whose encoding the full parser
// accepts, and returns the encoding it names.
func (s *plainScanner) declaration() (encoding string, ok bool) {
	in := s.in
	if !bytes.HasPrefix(in, []byte("<?xml")) {
		return "", false
	}
	s.i = len("<?xml")
	for _, key := range []string{"version", "encoding", "standalone"} {
		before := s.i
		s.skipSpace()
		if s.i == before || !bytes.HasPrefix(in[s.i:], []byte(key)) {
			if key == "version" {
				return "", false
			}
			s.i = before
			continue
		}
		a, ok := s.attr()
		if !ok || a.Name.Space != "" || a.Name.Local != key || !plainDeclValue(a.Value) {
			return "", false
		}
		switch key {
		case "version":
			ok = a.Value == "1.0"
		case "encoding":
			encoding = a.Value
			ok = strings.EqualFold(a.Value, "utf-8")
			if !ok {
				_, err := charsetReader(a.Value, nil)
				ok = err == nil
			}
		case "standalone":
			ok = a.Value == "yes" || a.Value == "no"
		}
		if !ok {
			return "", false
		}
	}
	s.skipSpace()
	if !bytes.HasPrefix(in[s.i:], []byte("?>")) {
		return "", false
	}
	s.i += len("?>")
	return encoding, true
}

// plainDeclValue reports whether a declaration value is made of [A-Za-z0-9._-].
func plainDeclValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if !isNameChar(v[i]) {
			return false
		}
	}
	return true
}
