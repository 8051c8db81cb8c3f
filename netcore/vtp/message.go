package vtp

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/beevik/etree"

	"github.com/starling-broker/starling/netcore/nodtd"
)

// Namespace is the Transport namespace that Comet writes.
const Namespace = "http://www.telescope-networks.org/xml/Transport/v1.1"

// Transport roles.
const (
	RoleAck          = "ack"
	RoleNak          = "nak"
	RoleIAmAlive     = "iamalive"
	RoleAuthenticate = "authenticate"
)

// Message is a Transport packet: who it is from, to whom it answers, and any
// nak reason or subscriber filters it carries.
type Message struct {
	Role      string
	Origin    string
	Response  string
	TimeStamp string
	// Result is Meta/Result: the reason given with a nak.
	Result string
	// Filters are the XPath filters of an authenticate answer, new and old form.
	Filters []string
	// Namespace is the namespace of the root element as received.
	Namespace string
}

// Ack builds the acknowledgement a receiver sends for an accepted event.
func Ack(localIVO, eventIVORN string) []byte {
	return encode(RoleAck, eventIVORN, localIVO, "", nil)
}

// Nak builds a refusal with its reason.
func Nak(localIVO, eventIVORN, reason string) []byte {
	return encode(RoleNak, eventIVORN, localIVO, reason, nil)
}

// IAmAlive builds the keep-alive a broadcaster sends to its subscribers.
func IAmAlive(localIVO string) []byte {
	return encode(RoleIAmAlive, localIVO, "", "", nil)
}

// IAmAliveResponse builds a subscriber's answer to an iamalive from remoteIVO.
func IAmAliveResponse(localIVO, remoteIVO string) []byte {
	return encode(RoleIAmAlive, remoteIVO, localIVO, "", nil)
}

// Authenticate builds the packet a broadcaster sends when a subscriber connects.
func Authenticate(localIVO string) []byte {
	return encode(RoleAuthenticate, localIVO, "", "", nil)
}

// AuthenticateResponse builds a subscriber's answer carrying its XPath filters.
func AuthenticateResponse(localIVO, remoteIVO string, filters []string) []byte {
	if filters == nil {
		filters = []string{}
	}
	return encode(RoleAuthenticate, remoteIVO, localIVO, "", filters)
}

// now is replaced in tests.
var now = time.Now

// encode writes the packet byte for byte as Comet (lxml, pretty-printed) does.
func encode(role, origin, response, result string, filters []string) []byte {
	var b bytes.Buffer
	b.WriteString("<?xml version='1.0' encoding='UTF-8'?>\n")
	b.WriteString(`<trn:Transport xmlns:trn="` + Namespace + `" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" version="1.0" xsi:schemaLocation="http://telescope-networks.org/schema/Transport/v1.1 http://www.telescope-networks.org/schema/Transport-v1.1.xsd" role="`)
	b.WriteString(role)
	b.WriteString("\">\n")
	element(&b, "Origin", origin)
	if response != "" {
		element(&b, "Response", response)
	}
	element(&b, "TimeStamp", now().UTC().Format("2006-01-02T15:04:05Z"))
	switch {
	case result != "":
		b.WriteString("  <Meta>\n    <Result>")
		textEscaper.WriteString(&b, result)
		b.WriteString("</Result>\n  </Meta>\n")
	case filters != nil && len(filters) == 0:
		b.WriteString("  <Meta/>\n")
	case filters != nil:
		b.WriteString("  <Meta>\n")
		for _, f := range filters {
			b.WriteString(`    <Param name="xpath-filter" value="`)
			escapeAttr(&b, f)
			b.WriteString("\"/>\n")
		}
		b.WriteString("  </Meta>\n")
	}
	b.WriteString("</trn:Transport>\n")
	return b.Bytes()
}

func element(b *bytes.Buffer, name, text string) {
	b.WriteString("  <" + name + ">")
	textEscaper.WriteString(b, text)
	b.WriteString("</" + name + ">\n")
}

// Escapers that write text and attribute values as libxml2 serialises them.
var (
	textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\r", "&#13;")
	attrEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "\n", "&#10;", "\r", "&#13;", "\t", "&#9;")
)

func escapeAttr(b *bytes.Buffer, s string) { attrEscaper.WriteString(b, s) }

// ErrNotTransport reports XML whose root element is not a Transport packet.
var ErrNotTransport = errors.New("not a Transport packet")

// IsTransportRoot reports whether an element is a Transport root in any of the
// namespace variants real clients use (Comet's, pygcn's, older drafts, none).
func IsTransportRoot(e *etree.Element) bool {
	if e == nil || e.Tag != "Transport" {
		return false
	}
	ns := e.NamespaceURI()
	return ns == "" || strings.Contains(ns, "telescope-networks.org")
}

// Parse reads a Transport packet. It refuses DTDs and anything that is not a
// Transport root; the role is returned as given.
func Parse(raw []byte) (*Message, error) {
	if line, found := nodtd.Find(raw); found {
		return nil, fmt.Errorf("%s (line %d)", nodtd.Reason, line)
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(raw); err != nil {
		return nil, fmt.Errorf("Not well-formed XML: %w", err)
	}
	return FromElement(doc.Root())
}

// FromElement reads a Transport packet from an already parsed root element.
func FromElement(root *etree.Element) (*Message, error) {
	if !IsTransportRoot(root) {
		return nil, ErrNotTransport
	}
	m := &Message{Role: root.SelectAttrValue("role", ""), Namespace: root.NamespaceURI()}
	m.Origin = childText(root, "Origin")
	m.Response = childText(root, "Response")
	m.TimeStamp = childText(root, "TimeStamp")
	if meta := child(root, "Meta"); meta != nil {
		m.Result = childText(meta, "Result")
		for _, c := range meta.ChildElements() {
			switch {
			case c.Tag == "Param" && c.SelectAttrValue("name", "") == "xpath-filter":
				m.Filters = append(m.Filters, c.SelectAttrValue("value", ""))
			case c.Tag == "filter" && c.SelectAttrValue("type", "") == "xpath":
				m.Filters = append(m.Filters, c.Text())
			}
		}
	}
	return m, nil
}

// child finds a direct child by local name, in no namespace or any namespace.
func child(e *etree.Element, tag string) *etree.Element {
	for _, c := range e.ChildElements() {
		if c.Tag == tag {
			return c
		}
	}
	return nil
}

func childText(e *etree.Element, tag string) string {
	if c := child(e, tag); c != nil {
		return strings.TrimSpace(c.Text())
	}
	return ""
}
