package voevent

import (
	"math"
	"strconv"
	"strings"

	"github.com/beevik/etree"
)

// Param is one What//Param of an event.
type Param struct {
	Group string // name of the enclosing Group (its type when it has no name), "" outside any group
	Name  string
	Value string // @value, or the text of a <Value> child when there is no @value
	Unit  string
	UCD   string
}

// Summary is what a person scanning a list of events wants to see of one.
type Summary struct {
	IVORN, Role string
	Author      string // Who/AuthorIVORN
	Date        string // Who/Date
	Description string // the first non-empty of Description, What/Description, Why/Description, Who/Description

	HasPosition bool
	// RA, Dec and ErrorRadius come from the first
	// WhereWhen/ObsDataLocation/ObservationLocation/AstroCoords/Position2D
	// (Value2/C1, Value2/C2, Error2Radius), in its units: degrees for every
	// publisher seen so far.
	RA, Dec, ErrorRadius float64

	Params []Param // every What//Param, in document order
}

// Summarize extracts a Summary from ev's parsed document. Elements are found
// by local name, so that 1.1 and oddly namespaced packets summarise too.
func Summarize(ev *Event) Summary {
	if ev == nil {
		return Summary{}
	}
	s := Summary{IVORN: ev.IVORN, Role: ev.Role}
	if ev.Doc == nil {
		return s
	}
	root := ev.Doc.Root()
	if root == nil {
		return s
	}
	who := child(root, "Who")
	s.Author = text(child(who, "AuthorIVORN"))
	s.Date = text(child(who, "Date"))
	for _, e := range []*etree.Element{
		child(root, "Description"),
		child(child(root, "What"), "Description"),
		child(child(root, "Why"), "Description"),
		child(who, "Description"),
	} {
		if d := collapseSpace(text(e)); d != "" {
			s.Description = d
			break
		}
	}
	pos := path(root, "WhereWhen", "ObsDataLocation", "ObservationLocation", "AstroCoords", "Position2D")
	ra, okRA := number(path(pos, "Value2", "C1"))
	dec, okDec := number(path(pos, "Value2", "C2"))
	if okRA && okDec {
		s.HasPosition, s.RA, s.Dec = true, ra, dec
		s.ErrorRadius, _ = number(child(pos, "Error2Radius"))
	}
	if what := child(root, "What"); what != nil {
		s.Params = collectParams(what, "", nil)
	}
	return s
}

// collectParams appends every Param under e, naming the nearest enclosing
// Group by its name, or by its type when it has no name (LIGO/Virgo notices).
func collectParams(e *etree.Element, group string, out []Param) []Param {
	for _, c := range e.ChildElements() {
		switch c.Tag {
		case "Param":
			p := Param{Group: group}
			p.Name, _ = plainAttr(c, "name")
			p.Unit, _ = plainAttr(c, "unit")
			p.UCD, _ = plainAttr(c, "ucd")
			v, ok := plainAttr(c, "value")
			if !ok {
				v = strings.TrimSpace(text(child(c, "Value")))
			}
			p.Value = v
			out = append(out, p)
		case "Group":
			name, ok := plainAttr(c, "name")
			if !ok || name == "" {
				name, _ = plainAttr(c, "type")
			}
			out = collectParams(c, name, out)
		default:
			out = collectParams(c, group, out)
		}
	}
	return out
}

// child is e's first child element with the given local name; nil-safe.
func child(e *etree.Element, local string) *etree.Element {
	if e == nil {
		return nil
	}
	for _, c := range e.Child {
		if ce, ok := c.(*etree.Element); ok && ce.Tag == local {
			return ce
		}
	}
	return nil
}

// path follows child elements by local name.
func path(e *etree.Element, locals ...string) *etree.Element {
	for _, l := range locals {
		e = child(e, l)
	}
	return e
}

// text is the trimmed text of e and its descendants; "" for nil.
func text(e *etree.Element) string {
	if e == nil {
		return ""
	}
	var b strings.Builder
	appendText(&b, e)
	return strings.TrimSpace(b.String())
}

// number parses e's text as a finite float.
func number(e *etree.Element) (float64, bool) {
	if e == nil {
		return 0, false
	}
	v, err := strconv.ParseFloat(text(e), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	return v, true
}

// collapseSpace turns runs of white space into single spaces.
func collapseSpace(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
