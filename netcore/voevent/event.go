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
	"slices"
	"strings"
	"sync"

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

	mu  sync.RWMutex // guards doc: readers hold it for reading while they use it
	doc *xdoc        // libxml2's one parse of Raw, shared by Validate, Summarize and Filter.Match
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
//     refused before the parser runs (package nodtd, which reads UTF-16 and
//     UTF-32 too), and libxml2 itself stops at a DOCTYPE in whatever encoding
//     before it reads a declaration; entities are never expanded (the parser
//     runs without entity substitution, DTD loading or network access);
//   - not empty; in any encoding libxml2 reads (UTF-8, UTF-16 and UTF-32 of
//     either byte order, ISO-8859-*, and what iconv knows), told by a
//     byte-order mark or the XML declaration as XML 1.0 says;
//   - well-formed XML, namespace-well-formed too (every prefix declared), with
//     libxml2's words for the problem and its line;
//   - a VOEvent root element (local name VOEvent in a VOEvent namespace or none);
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

// isVOEventRoot reports whether e is a VOEvent root element: local name
// "VOEvent" in a VOEvent namespace (1.1, 2.0 or 2.1) or in no namespace.
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

// checkEncoding refuses an empty document (nothing but white space and a
// byte-order mark) in words; every encoding libxml2 reads is accepted, and
// one it cannot read is refused by the parse with libxml2's reason.
func checkEncoding(raw []byte) *Rejection {
	for _, bom := range [][]byte{{0xEF, 0xBB, 0xBF}, {0xFE, 0xFF}, {0xFF, 0xFE}} {
		if bytes.HasPrefix(raw, bom) {
			raw = raw[len(bom):]
			break
		}
	}
	if len(bytes.Trim(raw, " \t\r\n\x00")) == 0 {
		return notWellFormed("the document is empty", 0)
	}
	return nil
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

// ReadIVORN reads raw as comet-sendvo does before sending it: XML in any
// encoding libxml2 reads, with no DTD, whose root element is a VOEvent; it
// returns the root's ivorn ("" when there is none). Nothing else is checked:
// the receiver is the judge. Errors are *Rejection.
func ReadIVORN(raw []byte) (string, error) {
	if line, found := nodtd.Find(raw); found {
		return "", &Rejection{Reason: ReasonDTD, Line: line}
	}
	if rej := checkEncoding(raw); rej != nil {
		return "", rej
	}
	d, xe, dtd := readX(raw)
	if dtd {
		return "", &Rejection{Reason: ReasonDTD, Line: 1}
	}
	if d == nil {
		return "", notWellFormed(xe.msg, xe.line)
	}
	defer d.free()
	root := xroot(d)
	if !isVOEventRoot(root) {
		return "", rejectf("Not a VOEvent packet: root element is %s", xclarkName(root))
	}
	ivorn, _ := xattr(root, "ivorn")
	return ivorn, nil
}
