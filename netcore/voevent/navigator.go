package voevent

import (
	"strings"

	"github.com/antchfx/xpath"
	"github.com/beevik/etree"
)

// navigator is antchfx/xpath's cursor over an etree document: the document
// (root node), elements, their attributes, text and comments. Processing
// instructions are skipped (antchfx/xpath has no node type for them), and
// namespace declarations are not attributes, as in the XPath data model.
//
// Names follow lxml with no namespaces bound: antchfx/xpath matches an
// unprefixed name test against nodes whose Prefix() is "", so Prefix()
// returns the element's prefix, or "{uri}" for an element in a default
// namespace. Unprefixed tests thus match only elements in no namespace (in a
// VOEvent 2.0 packet every element but the root), and
// //*[local-name()='VOEvent'] reaches the root whatever its namespace.
type navigator struct {
	doc  *etree.Element // the document node
	node etree.Token    // *etree.Element, *etree.CharData or *etree.Comment
	attr int            // index into the element's Attr, or -1
}

var _ xpath.NodeNavigator = (*navigator)(nil)

func newNavigator(doc *etree.Document) *navigator {
	return &navigator{doc: &doc.Element, node: &doc.Element, attr: -1}
}

// visible reports whether t is a node XPath sees.
func visible(t etree.Token) bool {
	switch t.(type) {
	case *etree.Element, *etree.CharData, *etree.Comment:
		return true
	}
	return false
}

// isNamespaceDecl reports whether a is an xmlns or xmlns:prefix declaration.
func isNamespaceDecl(a *etree.Attr) bool {
	return a.Space == "xmlns" || (a.Space == "" && a.Key == "xmlns")
}

func (n *navigator) NodeType() xpath.NodeType {
	if n.attr >= 0 {
		return xpath.AttributeNode
	}
	switch n.node.(type) {
	case *etree.CharData:
		return xpath.TextNode
	case *etree.Comment:
		return xpath.CommentNode
	}
	if n.node == etree.Token(n.doc) {
		return xpath.RootNode
	}
	return xpath.ElementNode
}

func (n *navigator) element() (*etree.Element, bool) {
	e, ok := n.node.(*etree.Element)
	return e, ok
}

func (n *navigator) LocalName() string {
	e, ok := n.element()
	switch {
	case !ok:
		return ""
	case n.attr >= 0:
		return e.Attr[n.attr].Key
	case e == n.doc:
		return ""
	}
	return e.Tag
}

func (n *navigator) Prefix() string {
	e, ok := n.element()
	switch {
	case !ok || e == n.doc:
		return ""
	case n.attr >= 0:
		return e.Attr[n.attr].Space
	case e.Space != "":
		return e.Space
	}
	if uri := e.NamespaceURI(); uri != "" {
		return "{" + uri + "}"
	}
	return ""
}

// NamespaceURL is the namespace URI, for namespace-uri().
func (n *navigator) NamespaceURL() string {
	e, ok := n.element()
	switch {
	case !ok || e == n.doc:
		return ""
	case n.attr >= 0:
		return e.Attr[n.attr].NamespaceURI()
	}
	return e.NamespaceURI()
}

func (n *navigator) Value() string {
	switch t := n.node.(type) {
	case *etree.CharData:
		return t.Data
	case *etree.Comment:
		return t.Data
	case *etree.Element:
		if n.attr >= 0 {
			return t.Attr[n.attr].Value
		}
		var b strings.Builder
		appendText(&b, t)
		return b.String()
	}
	return ""
}

// appendText writes the text of e's descendants in document order.
func appendText(b *strings.Builder, e *etree.Element) {
	for _, c := range e.Child {
		switch c := c.(type) {
		case *etree.CharData:
			b.WriteString(c.Data)
		case *etree.Element:
			appendText(b, c)
		}
	}
}

func (n *navigator) Copy() xpath.NodeNavigator {
	c := *n
	return &c
}

func (n *navigator) MoveToRoot() {
	n.node, n.attr = n.doc, -1
}

func (n *navigator) MoveToParent() bool {
	if n.attr >= 0 {
		n.attr = -1
		return true
	}
	if n.node == etree.Token(n.doc) {
		return false
	}
	p := n.node.Parent()
	if p == nil {
		return false
	}
	n.node = p
	return true
}

func (n *navigator) MoveToNextAttribute() bool {
	e, ok := n.element()
	if !ok || e == n.doc {
		return false
	}
	for i := n.attr + 1; i < len(e.Attr); i++ {
		if !isNamespaceDecl(&e.Attr[i]) {
			n.attr = i
			return true
		}
	}
	return false
}

func (n *navigator) MoveToChild() bool {
	if n.attr >= 0 {
		return false
	}
	e, ok := n.element()
	if !ok {
		return false
	}
	for _, c := range e.Child {
		if visible(c) {
			n.node = c
			return true
		}
	}
	return false
}

// siblings returns the token list that holds the current node.
func (n *navigator) siblings() ([]etree.Token, bool) {
	if n.attr >= 0 || n.node == etree.Token(n.doc) {
		return nil, false
	}
	p := n.node.Parent()
	if p == nil {
		return nil, false
	}
	return p.Child, true
}

func (n *navigator) MoveToFirst() bool {
	sib, ok := n.siblings()
	if !ok {
		return false
	}
	for _, c := range sib {
		if visible(c) {
			n.node = c
			return true
		}
	}
	return false
}

func (n *navigator) MoveToNext() bool {
	sib, ok := n.siblings()
	if !ok {
		return false
	}
	for i := n.node.Index() + 1; i >= 1 && i < len(sib); i++ {
		if visible(sib[i]) {
			n.node = sib[i]
			return true
		}
	}
	return false
}

func (n *navigator) MoveToPrevious() bool {
	sib, ok := n.siblings()
	if !ok {
		return false
	}
	for i := min(n.node.Index(), len(sib)) - 1; i >= 0; i-- {
		if visible(sib[i]) {
			n.node = sib[i]
			return true
		}
	}
	return false
}

func (n *navigator) MoveTo(other xpath.NodeNavigator) bool {
	o, ok := other.(*navigator)
	if !ok || o.doc != n.doc {
		return false
	}
	*n = *o
	return true
}
