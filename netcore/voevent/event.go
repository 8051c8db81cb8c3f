// Package voevent reads VOEvent packets the way a broker must: it parses the
// raw bytes once (refusing DTDs and entity declarations), checks the root
// element and the IVORN with Comet's rules, validates against the embedded
// VOEvent XML schemas with libxml2, evaluates subscribers' XPath filters, and
// extracts a summary for display. The raw bytes are kept and never
// re-serialised.
package voevent

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/beevik/etree"

	"github.com/starling-broker/starling/netcore/xmldoc"
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
	Raw       []byte          // exactly the bytes received; never re-serialised
	Doc       *etree.Document // the one parse of Raw, shared by Summarize and Filter.Match
	IVORN     string          // root @ivorn (may be "" before CheckIVORN)
	Role      string          // root @role
	Version   string          // root @version
	Namespace string          // root element namespace URI
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

// Parse reads raw as a VOEvent packet. Its checks, in order, each with its own
// Rejection reason:
//
//   - no DTD: a markup declaration (<!DOCTYPE, <!ENTITY, <!ELEMENT, ...)
//     anywhere outside comments, CDATA sections and processing instructions is
//     refused before the parser runs, and entities are never expanded (the
//     parser knows only XML's five predefined entities and character references);
//   - well-formed XML, namespace-well-formed too (every prefix declared), with
//     the line of the problem;
//   - a VOEvent root element (see IsVOEventRoot);
//   - a role attribute holding one of Roles.
//
// The IVORN is read but not checked (see CheckIVORN). Parse keeps raw as
// Event.Raw without copying it: the caller must not modify it afterwards.
// Every failure is a *Rejection; Parse never panics.
func Parse(raw []byte) (*Event, error) {
	doc, xe := xmldoc.Parse(raw)
	if xe != nil {
		return nil, &Rejection{Reason: xe.Reason, Line: xe.Line}
	}
	root := doc.Root()
	if !IsVOEventRoot(root) {
		return nil, rejectf("Not a VOEvent packet: root element is %s", clarkName(root))
	}
	ev := &Event{
		Raw:       raw,
		Doc:       doc,
		Namespace: root.NamespaceURI(),
	}
	ev.IVORN, _ = plainAttr(root, "ivorn")
	ev.Version, _ = plainAttr(root, "version")
	role, ok := plainAttr(root, "role")
	if !ok {
		return nil, rejectf("Missing role attribute")
	}
	if !slices.Contains(Roles, role) {
		return nil, rejectf("Unknown role %q: the role must be observation, prediction, utility or test", role)
	}
	ev.Role = role
	return ev, nil
}

// IsVOEventRoot reports whether e is a VOEvent root element: local name
// "VOEvent" in a VOEvent namespace (1.1, 2.0 or 2.1) or in no namespace.
func IsVOEventRoot(e *etree.Element) bool {
	if e == nil || e.Tag != "VOEvent" {
		return false
	}
	switch e.NamespaceURI() {
	case "", NamespaceV11, NamespaceV20, NamespaceV21:
		return true
	}
	return false
}

// plainAttr returns the value of e's attribute key that has no namespace prefix.
func plainAttr(e *etree.Element, key string) (string, bool) {
	for _, a := range e.Attr {
		if a.Space == "" && a.Key == key {
			return a.Value, true
		}
	}
	return "", false
}

// clarkName writes e's name as {namespace}local, or local with no namespace.
func clarkName(e *etree.Element) string {
	if e == nil {
		return "missing"
	}
	if ns := e.NamespaceURI(); ns != "" {
		return "{" + ns + "}" + e.Tag
	}
	return e.Tag
}
