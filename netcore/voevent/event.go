// Package voevent reads VOEvent packets the way a broker must, in one
// libxml2 pass: it parses the raw bytes once (refusing DTDs and entity
// declarations), checks the root element and the IVORN with Comet's rules,
// validates that same document against the embedded VOEvent XML schemas,
// evaluates subscribers' XPath filters on it with libxml2's own XPath engine
// (the one lxml, and so Comet, uses), and extracts a summary for display. The
// raw bytes are kept and never re-serialised. This is the one package of
// Starling that uses cgo.
package voevent

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/beevik/etree"

	"github.com/starling-broker/starling/netcore/nodtd"
)

// VOEvent namespace URIs.
const (
	// NamespaceV11 is the VOEvent 1.1 namespace (still sent by some GCN tools).
	NamespaceV11 = "http://www.ivoa.net/xml/VOEvent/v1.1"
	// NamespaceV20 is the VOEvent 2.0 namespace, the one brokers validate against.
	NamespaceV20 = "http://www.ivoa.net/xml/VOEvent/v2.0"
	// NamespaceV21 is the VOEvent 2.1 namespace.
	NamespaceV21 = "http://www.ivoa.net/xml/VOEvent/v2.1"
)

// Roles lists the values a VOEvent's role attribute may take.
var Roles = []string{"observation", "prediction", "utility", "test"}

// Event is a parsed VOEvent packet with its raw bytes kept unchanged.
type Event struct {
	Raw       []byte // exactly the bytes received; never re-serialised
	IVORN     string // root @ivorn (may be "" before CheckIVORN)
	Role      string // root @role
	Version   string // root @version
	Namespace string // root element namespace URI
	// ArchiveID is the archive row of an event a broker has admitted, set
	// before its handlers run; 0 when it is not archived.
	ArchiveID int64

	mu       sync.RWMutex // guards doc: readers hold it for reading while they use it
	doc      *xdoc        // libxml2's one parse of Raw, shared by Validate, Summarize and Filter.Match
	treeOnce sync.Once
	tree     *etree.Element
}

// Release frees the parsed document now instead of when the Event is
// garbage: libxml2's memory is invisible to Go's garbage collector, so a
// broker releases each event once its handlers have run. Raw and the root's
// attributes stay; a later Summarize, Validate or Filter.Match parses Raw
// again. Release is safe to call more than once and alongside those.
func (ev *Event) Release() {
	if ev == nil {
		return
	}
	ev.mu.Lock()
	ev.doc.free()
	ev.doc = nil
	ev.mu.Unlock()
}

// withDoc runs f on the parsed document, parsing Raw again if there is none
// (after Release, or for an Event not made by Parse), and returns false,
// without calling f, when Raw does not parse or holds a DTD.
func (ev *Event) withDoc(f func(*xdoc)) bool {
	ev.mu.RLock()
	if d := ev.doc; d != nil {
		defer ev.mu.RUnlock()
		f(d)
		return true
	}
	ev.mu.RUnlock()
	ev.mu.Lock()
	defer ev.mu.Unlock()
	if ev.doc == nil {
		if _, found := nodtd.Find(ev.Raw); found {
			return false
		}
		d, _, _ := readX(ev.Raw)
		if d == nil {
			return false
		}
		ev.doc = d
	}
	f(ev.doc)
	return true
}

// Tree is the event as an etree element, for code that reads a packet for
// people (notices, the composer); it is parsed from Raw on first use, and nil
// when Raw does not parse.
func (ev *Event) Tree() *etree.Element {
	if ev == nil {
		return nil
	}
	ev.treeOnce.Do(func() {
		doc := etree.NewDocument()
		doc.ReadSettings.CharsetReader = latin1Reader
		if err := doc.ReadFromBytes(ev.Raw); err == nil {
			ev.tree = doc.Root()
		}
	})
	return ev.tree
}

// Rejection is a refusal with a plain-language reason: the text that follows "Event rejected: " in a nak.
type Rejection struct {
	Reason string // what is wrong, in words a packet's author can act on
	Line   int    // line of the problem in the packet; 0 when unknown
}

// Error returns the reason.
func (r *Rejection) Error() string { return r.Reason }

// Located is the reason with its line, "… (line N)", unless the reason
// already names a line or the line is unknown.
func (r *Rejection) Located() string {
	if r.Line > 0 && !strings.Contains(r.Reason, "line") {
		return fmt.Sprintf("%s (line %d)", r.Reason, r.Line)
	}
	return r.Reason
}

// Describe words any error from Parse or Check for a person: a
// Rejection with its line, anything else as it is.
func Describe(err error) string {
	var r *Rejection
	if errors.As(err, &r) {
		return r.Located()
	}
	return err.Error()
}

// rejectf builds a Rejection without a line number.
func rejectf(format string, args ...any) *Rejection {
	return &Rejection{Reason: fmt.Sprintf(format, args...)}
}

// ReasonDTD is the reason given for a document with a DTD.
const ReasonDTD = nodtd.Reason

// Parse reads raw as a VOEvent packet with libxml2. Its checks, in order,
// each with its own Rejection reason:
//
//   - no DTD: a markup declaration (<!DOCTYPE, <!ENTITY, <!ELEMENT, ...)
//     anywhere outside comments, CDATA sections and processing instructions is
//     refused before the parser runs, and entities are never expanded (the
//     parser runs without entity substitution, DTD loading or network access,
//     and a document that still has a DTD is refused);
//   - UTF-8, US-ASCII or ISO-8859-1;
//   - well-formed XML, namespace-well-formed too (every prefix declared), with
//     libxml2's words for the problem and its line;
//   - a VOEvent root element (see IsVOEventRoot);
//   - a role attribute holding one of Roles.
//
// The IVORN is read but not checked (see CheckIVORN). Parse keeps raw as
// Event.Raw without copying it: the caller must not modify it afterwards.
// Every failure is a *Rejection; Parse never panics.
func Parse(raw []byte) (*Event, error) {
	if line, found := nodtd.Find(raw); found {
		return nil, &Rejection{Reason: ReasonDTD, Line: line}
	}
	if rej := checkEncoding(raw); rej != nil {
		return nil, rej
	}
	d, xe, dtd := readX(raw)
	if dtd {
		return nil, &Rejection{Reason: ReasonDTD, Line: 1}
	}
	if d == nil {
		return nil, notWellFormed(xe.msg, xe.line)
	}
	root := xroot(d)
	if !isVOEventRoot(root) {
		return nil, rejectf("Not a VOEvent packet: root element is %s", xclarkName(root))
	}
	ev := &Event{Raw: raw, doc: d, Namespace: strings.Clone(xnamespace(root))}
	ev.IVORN, _ = xattr(root, "ivorn")
	ev.Version, _ = xattr(root, "version")
	role, ok := xattr(root, "role")
	if !ok {
		return nil, rejectf("Missing role attribute")
	}
	if !slices.Contains(Roles, role) {
		return nil, rejectf("Unknown role %q: the role must be observation, prediction, utility or test", role)
	}
	ev.Role = role
	return ev, nil
}

// notWellFormed words a parse error: "Not well-formed XML: …", with its line.
func notWellFormed(msg string, line int) *Rejection {
	reason := "Not well-formed XML: " + collapseSpace(msg)
	if line > 0 {
		reason += fmt.Sprintf(" (line %d)", line)
	}
	return &Rejection{Reason: reason, Line: line}
}

// IsVOEventRoot reports whether e is a VOEvent root element: local name
// "VOEvent" in a VOEvent namespace (1.1, 2.0 or 2.1) or in no namespace.
func IsVOEventRoot(e *etree.Element) bool {
	return e != nil && e.Tag == "VOEvent" && isVOEventNamespace(e.NamespaceURI())
}

// isVOEventRoot is IsVOEventRoot for libxml2's element.
func isVOEventRoot(e xnode) bool {
	return e != nil && xeq(e.name, "VOEvent") && isVOEventNamespace(xnamespace(e))
}

func isVOEventNamespace(ns string) bool {
	switch ns {
	case "", NamespaceV11, NamespaceV20, NamespaceV21:
		return true
	}
	return false
}

// xclarkName writes e's name as {namespace}local, or local with no namespace.
func xclarkName(e xnode) string {
	if e == nil {
		return "missing"
	}
	if ns := xnamespace(e); ns != "" {
		return "{" + ns + "}" + xstr(e.name)
	}
	return strings.Clone(xstr(e.name))
}

var (
	utf8BOM = []byte{0xEF, 0xBB, 0xBF}
	xmlDecl = []byte("<?xml")
)

// checkEncoding refuses what is neither UTF-8 nor one of the encodings a
// VOEvent may declare besides it (US-ASCII, ISO-8859-1), and empty documents.
func checkEncoding(raw []byte) *Rejection {
	input := bytes.TrimPrefix(raw, utf8BOM)
	if len(bytes.TrimSpace(input)) == 0 {
		return notWellFormed("the document is empty", 0)
	}
	if bytes.HasPrefix(input, []byte{0xFE, 0xFF}) || bytes.HasPrefix(input, []byte{0xFF, 0xFE}) ||
		bytes.IndexByte(input[:min(len(input), 4)], 0) >= 0 {
		return notWellFormed("UTF-16 documents are not accepted; send UTF-8", 1)
	}
	if !bytes.HasPrefix(input, xmlDecl) {
		return nil
	}
	decl := input
	if end := bytes.Index(input, []byte("?>")); end >= 0 {
		decl = input[:end]
	}
	i := bytes.Index(decl, []byte("encoding"))
	if i < 0 {
		return nil
	}
	rest := bytes.TrimLeft(decl[i+len("encoding"):], " \t\r\n")
	rest = bytes.TrimLeft(bytes.TrimPrefix(rest, []byte("=")), " \t\r\n")
	if len(rest) == 0 || (rest[0] != '"' && rest[0] != '\'') {
		return nil // malformed: libxml2 says so
	}
	end := bytes.IndexByte(rest[1:], rest[0])
	if end < 0 {
		return nil
	}
	switch name := string(rest[1 : 1+end]); strings.ToLower(name) {
	case "utf-8", "utf8", "us-ascii", "ascii", "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1":
		return nil
	default:
		return notWellFormed(fmt.Sprintf("unsupported character encoding %q; send UTF-8", name), 1)
	}
}

// parseRejection says why Raw does not parse.
func (ev *Event) parseRejection() *Rejection {
	if line, found := nodtd.Find(ev.Raw); found {
		return &Rejection{Reason: ReasonDTD, Line: line}
	}
	d, xe, dtd := readX(ev.Raw)
	switch {
	case dtd:
		return &Rejection{Reason: ReasonDTD, Line: 1}
	case d == nil:
		return notWellFormed(xe.msg, xe.line)
	}
	d.free()
	return notWellFormed("the document could not be read", 0)
}

// latin1Reader lets encoding/xml (under etree) read the encodings Parse
// accepts besides UTF-8: ISO-8859-1 is converted, US-ASCII is UTF-8 already.
func latin1Reader(charset string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(charset) {
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1":
		b, err := io.ReadAll(input)
		if err != nil {
			return nil, err
		}
		out := make([]byte, 0, 2*len(b))
		for _, c := range b {
			out = utf8.AppendRune(out, rune(c))
		}
		return bytes.NewReader(out), nil
	}
	return input, nil
}
