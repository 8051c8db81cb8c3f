package voevent

/*
#cgo pkg-config: libxml-2.0
#include <libxml/tree.h>
*/
import "C"

import (
	"strings"
	"unsafe"
)

// Reading libxml2's tree from Go: plain loads from C memory, no cgo calls.

// xnode is an element, attribute or text node of a libxml2 document.
type xnode = *C.xmlNode

// xstr reads a NUL-terminated libxml2 string without copying it; the result
// must not outlive the document.
func xstr(p *C.xmlChar) string {
	if p == nil {
		return ""
	}
	n := 0 // counted here: a call to C's strlen would cost more than the string
	for *(*byte)(unsafe.Add(unsafe.Pointer(p), n)) != 0 {
		n++
	}
	return unsafe.String((*byte)(unsafe.Pointer(p)), n)
}

// xeq reports whether the libxml2 string p equals s, without copying.
func xeq(p *C.xmlChar, s string) bool {
	if p == nil {
		return false
	}
	b := unsafe.Slice((*byte)(unsafe.Pointer(p)), len(s)+1)
	return string(b[:len(s)]) == s && b[len(s)] == 0
}

// xroot is the document's root element.
func xroot(d *xdoc) xnode {
	for n := d.p.children; n != nil; n = n.next {
		if n._type == C.XML_ELEMENT_NODE {
			return n
		}
	}
	return nil
}

// xchild is e's first child element with the given local name; nil-safe.
func xchild(e xnode, local string) xnode {
	if e == nil {
		return nil
	}
	for n := e.children; n != nil; n = n.next {
		if n._type == C.XML_ELEMENT_NODE && xeq(n.name, local) {
			return n
		}
	}
	return nil
}

// xattr is the value of e's attribute key in no namespace.
func xattr(e xnode, key string) (string, bool) {
	for a := e.properties; a != nil; a = a.next {
		if a.ns == nil && xeq(a.name, key) {
			if a.children != nil && a.children.next == nil && a.children._type == C.XML_TEXT_NODE {
				return strings.Clone(xstr(a.children.content)), true
			}
			var b strings.Builder
			for t := a.children; t != nil; t = t.next {
				b.WriteString(xstr(t.content))
			}
			return b.String(), true
		}
	}
	return "", false
}

// xtext is the trimmed text of e and its descendants; "" for nil.
func xtext(e xnode) string {
	if e == nil {
		return ""
	}
	var b strings.Builder
	xappendText(&b, e)
	return strings.TrimSpace(b.String())
}

func xappendText(b *strings.Builder, e xnode) {
	for n := e.children; n != nil; n = n.next {
		switch n._type {
		case C.XML_TEXT_NODE, C.XML_CDATA_SECTION_NODE:
			b.WriteString(xstr(n.content))
		case C.XML_ELEMENT_NODE:
			xappendText(b, n)
		}
	}
}

// xnamespace is e's namespace URI, "" for none.
func xnamespace(e xnode) string {
	if e.ns == nil {
		return ""
	}
	return xstr(e.ns.href)
}

// elementNode is libxml2's XML_ELEMENT_NODE.
const elementNode = C.XML_ELEMENT_NODE
