// Package xmldoc parses XML that arrives from the network strictly into an
// etree document: DTDs and entity declarations are refused before parsing
// (entities are never expanded), the document must be well-formed and
// namespace-well-formed, and every refusal says what is wrong and on which
// line. Plain documents, the usual case, take a fast scanner; anything else
// goes through encoding/xml.
package xmldoc

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/beevik/etree"
)

// Limits that keep hostile input cheap to refuse.
const (
	maxDepth = 256 // deepest element nesting accepted; real packets use about 8
)

// xmlNamespace is the namespace bound to the reserved prefix "xml".
const xmlNamespace = "http://www.w3.org/XML/1998/namespace"

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// findMarkupDeclaration reports whether raw holds a markup declaration
// ("<!" not starting a comment or a CDATA section) outside comments, CDATA
// sections and processing instructions, and the line it starts on. Such
// declarations (DOCTYPE, ENTITY, ...) only occur in a DTD, which a VOEvent
// never needs; in well-formed XML "<" cannot appear anywhere else (attribute
// values and text must escape it), so this finds every DTD without false alarms
// on the text "<!DOCTYPE" inside a comment or a CDATA section.
func findMarkupDeclaration(raw []byte) (line int, found bool) {
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

// Error is a refused document: Reason says what is wrong, in words; Line is
// where, 0 when unknown.
type Error struct {
	Reason string
	Line   int
}

// Error returns the reason.
func (e *Error) Error() string { return e.Reason }

// ReasonDTD is the reason given for a document with a DTD.
const ReasonDTD = "DTD or entity declarations are not accepted"

// notWellFormed builds the error for a well-formedness error.
func notWellFormed(msg string, line int) *Error {
	reason := "Not well-formed XML: " + msg
	if line > 0 {
		reason += fmt.Sprintf(" (line %d)", line)
	}
	return &Error{Reason: reason, Line: line}
}

// openElement is an element whose end tag has not been read yet.
type openElement struct {
	el       *etree.Element
	name     xml.Name
	line     int
	bindings int // length of the binding list before this element's declarations
}

// binding maps a namespace prefix ("" for the default namespace) to a URI.
type binding struct{ prefix, uri string }

// docBuilder turns the tokens of encoding/xml into an etree document, with
// the checks that encoding/xml's raw tokenizer leaves out: matching end tags,
// a single root, no text outside it, declared namespace prefixes, no duplicate
// attributes, bounded depth.
type docBuilder struct {
	src      tokenSource
	doc      *etree.Document
	stack    []openElement
	bindings []binding
	root     *etree.Element
	text     strings.Builder // pending character data of the current element, when in several pieces
	piece    string          // pending character data, when in one piece
	hasPiece bool
}

// Parse reads raw strictly into a document. It returns the concrete *Error
// (nil on success) so that callers can keep its line. The document does not
// keep a reference to raw.
func Parse(raw []byte) (*etree.Document, *Error) {
	if line, found := findMarkupDeclaration(raw); found {
		return nil, &Error{Reason: ReasonDTD, Line: line}
	}
	input := raw
	switch {
	case bytes.HasPrefix(input, utf8BOM):
		input = input[len(utf8BOM):]
	case bytes.HasPrefix(input, []byte{0xFE, 0xFF}), bytes.HasPrefix(input, []byte{0xFF, 0xFE}):
		return nil, notWellFormed("UTF-16 documents are not accepted; send UTF-8", 1)
	}
	if len(bytes.TrimSpace(input)) == 0 {
		return nil, notWellFormed("the document is empty", 0)
	}
	if doc, ok := parsePlain(input); ok {
		return doc, nil
	}
	// Anything unusual, and every error, is left to encoding/xml, which gives
	// the precise message and line.
	return parseFull(input)
}

// parsePlain builds input with the plain scanner; false when it gave up.
func parsePlain(input []byte) (*etree.Document, bool) {
	s, ok := newPlainScanner(input)
	if !ok {
		return nil, false
	}
	doc, e := build(s)
	return doc, e == nil
}

// parseFull builds input with encoding/xml's strict tokenizer.
func parseFull(input []byte) (*etree.Document, *Error) {
	dec := xml.NewDecoder(bytes.NewReader(input))
	dec.Strict = true
	dec.CharsetReader = charsetReader
	return build(decoderSource{dec})
}

// build turns the tokens of src into a checked document.
func build(src tokenSource) (*etree.Document, *Error) {
	b := &docBuilder{src: src, doc: etree.NewDocument()}
	if e := b.run(); e != nil {
		return nil, e
	}
	return b.doc, nil
}

// tokenSource yields raw XML tokens (names not resolved against namespaces).
type tokenSource interface {
	// RawToken returns the next token, or io.EOF at the end.
	RawToken() (xml.Token, error)
	// line is the current line, for messages.
	line() int
	// text returns t, the CharData just returned, as a string.
	text(t xml.CharData) string
}

// decoderSource is encoding/xml's strict tokenizer.
type decoderSource struct{ *xml.Decoder }

func (d decoderSource) text(t xml.CharData) string { return string(t) }

func (d decoderSource) line() int {
	l, _ := d.InputPos()
	return l
}

// line is the source's current line.
func (b *docBuilder) line() int { return b.src.line() }

// current is the element that receives new child tokens.
func (b *docBuilder) current() *etree.Element {
	if n := len(b.stack); n > 0 {
		return b.stack[n-1].el
	}
	return &b.doc.Element
}

// flushText adds pending character data to the current element as one token.
func (b *docBuilder) flushText() {
	switch {
	case b.hasPiece:
		if b.piece != "" {
			b.current().CreateText(b.piece)
		}
		b.piece, b.hasPiece = "", false
	case b.text.Len() > 0:
		b.current().CreateText(b.text.String())
		b.text.Reset()
	}
}

// addText adds character data to the pending text; a text in one piece (the
// usual case) is kept as the source's string, without a copy.
func (b *docBuilder) addText(t xml.CharData) {
	switch {
	case !b.hasPiece && b.text.Len() == 0:
		b.piece, b.hasPiece = b.src.text(t), true
	case b.hasPiece:
		b.text.WriteString(b.piece)
		b.piece, b.hasPiece = "", false
		b.text.Write(t)
	default:
		b.text.Write(t)
	}
}

func (b *docBuilder) run() *Error {
	first := true
	for {
		tok, err := b.src.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return b.syntaxError(err)
		}
		if _, isText := tok.(xml.CharData); !isText {
			b.flushText()
		}
		switch t := tok.(type) {
		case xml.ProcInst:
			if strings.EqualFold(t.Target, "xml") && !first {
				return notWellFormed("the XML declaration <?xml ...?> is only allowed at the very start of the document", b.line())
			}
			if !strings.EqualFold(t.Target, "xml") {
				b.current().CreateProcInst(t.Target, string(t.Inst))
			}
		case xml.Directive:
			// findMarkupDeclaration has refused these already; never expand one.
			return &Error{Reason: ReasonDTD, Line: b.line()}
		case xml.Comment:
			b.current().CreateComment(string(t))
		case xml.CharData:
			if len(b.stack) == 0 {
				if len(bytes.Trim(t, " \t\r\n")) != 0 {
					return notWellFormed("text is not allowed outside the root element", b.line())
				}
				break
			}
			b.addText(t)
		case xml.StartElement:
			if rej := b.start(t); rej != nil {
				return rej
			}
		case xml.EndElement:
			if rej := b.end(t); rej != nil {
				return rej
			}
		}
		first = false
	}
	if n := len(b.stack); n > 0 {
		top := b.stack[n-1]
		return notWellFormed(fmt.Sprintf("the document ends before element <%s> (opened on line %d) is closed", qname(top.name), top.line), b.line())
	}
	if b.root == nil {
		return notWellFormed("the document has no root element", 0)
	}
	return nil
}

// syntaxError turns an encoding/xml error into a rejection.
func (b *docBuilder) syntaxError(err error) *Error {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		msg := se.Msg
		if msg == "unexpected EOF" {
			msg = "the document ends in the middle of a tag, comment or section"
		}
		return notWellFormed(msg, se.Line)
	}
	return notWellFormed(strings.TrimPrefix(err.Error(), "xml: "), b.line())
}

// qname writes a raw token name as prefix:local.
func qname(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

// validQName reports whether n came from a name with at most one colon that
// separates two non-empty parts (encoding/xml puts anything else in Local).
func validQName(n xml.Name) bool {
	return !strings.Contains(n.Local, ":") && !strings.Contains(n.Space, ":")
}

// lookup finds the URI bound to prefix, "" when none.
func (b *docBuilder) lookup(prefix string) (string, bool) {
	if prefix == "xml" {
		return xmlNamespace, true
	}
	for i := len(b.bindings) - 1; i >= 0; i-- {
		if b.bindings[i].prefix == prefix {
			return b.bindings[i].uri, true
		}
	}
	return "", prefix == ""
}

func (b *docBuilder) start(t xml.StartElement) *Error {
	line := b.line()
	if len(b.stack) == 0 && b.root != nil {
		return notWellFormed(fmt.Sprintf("only one root element is allowed, but <%s> follows the end of <%s>", qname(t.Name), b.root.FullTag()), line)
	}
	if len(b.stack) >= maxDepth {
		return notWellFormed(fmt.Sprintf("elements are nested more than %d deep", maxDepth), line)
	}
	if !validQName(t.Name) {
		return notWellFormed(fmt.Sprintf("malformed element name %q", qname(t.Name)), line)
	}
	mark := len(b.bindings)
	// Namespace declarations first: they apply to the element's own name and attributes.
	for i := range t.Attr {
		a := &t.Attr[i]
		a.Value = normalizeAttrValue(a.Value)
		if !validQName(a.Name) {
			b.bindings = b.bindings[:mark]
			return notWellFormed(fmt.Sprintf("malformed attribute name %q on <%s>", qname(a.Name), qname(t.Name)), line)
		}
		switch {
		case a.Name.Space == "xmlns":
			if rej := checkPrefixDeclaration(a.Name.Local, a.Value, line); rej != nil {
				b.bindings = b.bindings[:mark]
				return rej
			}
			b.bindings = append(b.bindings, binding{a.Name.Local, a.Value})
		case a.Name.Space == "" && a.Name.Local == "xmlns":
			if a.Value == xmlNamespace {
				b.bindings = b.bindings[:mark]
				return notWellFormed("the XML namespace may not be the default namespace", line)
			}
			b.bindings = append(b.bindings, binding{"", a.Value})
		}
	}
	if rej := b.checkNames(t, line); rej != nil {
		b.bindings = b.bindings[:mark]
		return rej
	}
	el := b.current().CreateElement(qname(t.Name))
	addAttrs(el, t.Attr)
	if len(b.stack) == 0 {
		b.root = el
	}
	b.stack = append(b.stack, openElement{el: el, name: t.Name, line: line, bindings: mark})
	return nil
}

// checkPrefixDeclaration applies the Namespaces in XML rules to xmlns:prefix="uri".
func checkPrefixDeclaration(prefix, uri string, line int) *Error {
	switch {
	case prefix == "xmlns":
		return notWellFormed("the prefix xmlns may not be declared", line)
	case prefix == "xml" && uri != xmlNamespace, prefix != "xml" && uri == xmlNamespace:
		return notWellFormed("the prefix xml is bound to its own namespace only", line)
	case uri == "":
		return notWellFormed(fmt.Sprintf("xmlns:%s may not be empty", prefix), line)
	}
	return nil
}

// checkNames checks that every prefix on the element and its attributes is
// declared and that no attribute appears twice.
func (b *docBuilder) checkNames(t xml.StartElement, line int) *Error {
	if t.Name.Space == "xmlns" {
		return notWellFormed(fmt.Sprintf("element <%s> uses the reserved prefix xmlns", qname(t.Name)), line)
	}
	if _, ok := b.lookup(t.Name.Space); !ok {
		return notWellFormed(fmt.Sprintf("namespace prefix %q of element <%s> is not declared", t.Name.Space, qname(t.Name)), line)
	}
	type expanded struct{ uri, local string }
	var seen map[expanded]bool
	if len(t.Attr) > 8 {
		seen = make(map[expanded]bool, len(t.Attr))
	}
	for i, a := range t.Attr {
		uri := ""
		switch a.Name.Space {
		case "":
		case "xmlns":
			uri = "xmlns:" // declarations: compared by prefix only
		default:
			u, ok := b.lookup(a.Name.Space)
			if !ok {
				return notWellFormed(fmt.Sprintf("namespace prefix %q of attribute %s is not declared", a.Name.Space, qname(a.Name)), line)
			}
			uri = u
		}
		key := expanded{uri, a.Name.Local}
		dup := false
		if seen != nil {
			dup = seen[key]
			seen[key] = true
		} else {
			for _, o := range t.Attr[:i] {
				ouri := ""
				switch o.Name.Space {
				case "":
				case "xmlns":
					ouri = "xmlns:"
				default:
					ouri, _ = b.lookup(o.Name.Space)
				}
				if ouri == uri && o.Name.Local == a.Name.Local {
					dup = true
					break
				}
			}
		}
		if dup {
			return notWellFormed(fmt.Sprintf("attribute %s appears twice on <%s>", qname(a.Name), qname(t.Name)), line)
		}
	}
	return nil
}

// addAttrs appends attrs to el in one pass. etree's CreateAttr looks for an
// existing attribute of the same name each time (quadratic in the number of
// attributes); duplicates are already refused, so the later attributes are
// copies of the first one's etree.Attr (which carries the owning element)
// with their own name and value.
func addAttrs(el *etree.Element, attrs []xml.Attr) {
	if len(attrs) == 0 {
		return
	}
	el.Attr = make([]etree.Attr, 0, len(attrs))
	tmpl := *el.CreateAttr(qname(attrs[0].Name), attrs[0].Value)
	for _, a := range attrs[1:] {
		tmpl.Space, tmpl.Key, tmpl.Value = a.Name.Space, a.Name.Local, a.Value
		el.Attr = append(el.Attr, tmpl)
	}
}

// normalizeAttrValue applies XML attribute-value normalisation (CDATA type):
// each tab, newline or carriage return becomes a space, as in libxml2 and lxml.
func normalizeAttrValue(v string) string {
	if !strings.ContainsAny(v, "\t\n\r") {
		return v
	}
	return strings.Map(func(r rune) rune {
		switch r {
		case '\t', '\n', '\r':
			return ' '
		}
		return r
	}, v)
}

func (b *docBuilder) end(t xml.EndElement) *Error {
	line := b.line()
	n := len(b.stack)
	if n == 0 {
		return notWellFormed(fmt.Sprintf("end tag </%s> has no matching start tag", qname(t.Name)), line)
	}
	top := b.stack[n-1]
	if t.Name != top.name {
		return notWellFormed(fmt.Sprintf("end tag </%s> does not match start tag <%s> (line %d)", qname(t.Name), qname(top.name), top.line), line)
	}
	b.bindings = b.bindings[:top.bindings]
	b.stack = b.stack[:n-1]
	return nil
}

// charsetReader lets encoding/xml read the encodings a VOEvent may declare
// besides UTF-8: US-ASCII (a subset) and ISO-8859-1.
func charsetReader(charset string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(charset) {
	case "us-ascii", "ascii":
		return input, nil
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1":
		return &latin1Reader{r: input}, nil
	}
	return nil, fmt.Errorf("unsupported character encoding %q; send UTF-8", charset)
}

// latin1Reader converts ISO-8859-1 to UTF-8.
type latin1Reader struct {
	r   io.Reader
	in  []byte
	out []byte
}

func (l *latin1Reader) Read(p []byte) (int, error) {
	for len(l.out) == 0 {
		if cap(l.in) == 0 {
			l.in = make([]byte, 4096)
		}
		n, err := l.r.Read(l.in[:cap(l.in)])
		for _, c := range l.in[:n] {
			l.out = utf8.AppendRune(l.out, rune(c))
		}
		if n == 0 && err != nil {
			return 0, err
		}
	}
	n := copy(p, l.out)
	l.out = l.out[n:]
	return n, nil
}
