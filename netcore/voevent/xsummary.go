package voevent

import (
	"math"
	"runtime"
	"strconv"
	"strings"
)

// xsummarize is Summarize over a libxml2 document; every string it returns
// is a copy.
func xsummarize(d *xdoc, ivorn, role string) Fields {
	defer runtime.KeepAlive(d)
	s := Fields{IVORN: ivorn, Role: role}
	root := xroot(d)
	if root == nil {
		return s
	}
	who := xchild(root, "Who")
	s.Author = xtext(xchild(who, "AuthorIVORN"))
	s.Date = xtext(xchild(who, "Date"))
	for _, e := range []xnode{
		xchild(root, "Description"),
		xchild(xchild(root, "What"), "Description"),
		xchild(xchild(root, "Why"), "Description"),
		xchild(who, "Description"),
	} {
		if desc := collapseSpace(xtext(e)); desc != "" {
			s.Description = desc
			break
		}
	}
	pos := xpathOf(root, "WhereWhen", "ObsDataLocation", "ObservationLocation", "AstroCoords", "Position2D")
	ra, okRA := xnumber(xpathOf(pos, "Value2", "C1"))
	dec, okDec := xnumber(xpathOf(pos, "Value2", "C2"))
	if okRA && okDec {
		s.HasPosition, s.RA, s.Dec = true, ra, dec
		s.ErrorRadius, _ = xnumber(xchild(pos, "Error2Radius"))
		s.CoordSystem, _ = xattr(xpathOf(root, "WhereWhen", "ObsDataLocation", "ObservationLocation", "AstroCoords"), "coord_system_id")
	}
	if what := xchild(root, "What"); what != nil {
		s.Params = xcollectParams(what, "", nil)
	}
	author := xchild(who, "Author")
	for _, k := range []string{"shortName", "title", "contactName"} {
		if v := strings.TrimSpace(xtext(xchild(author, k))); v != "" {
			s.AuthorName = v
			break
		}
	}
	s.ISOTime = strings.TrimSpace(xtext(xpathOf(root, "WhereWhen", "ObsDataLocation", "ObservationLocation", "AstroCoords", "Time", "TimeInstant", "ISOTime")))
	s.Probability = xprobability(xchild(root, "Why"))
	if cites := xchild(root, "Citations"); cites != nil {
		for c := cites.children; c != nil; c = c.next {
			if c._type == elementNode && xeq(c.name, "EventIVORN") {
				cite, _ := xattr(c, "cite")
				s.Citations = append(s.Citations, Citation{IVORN: strings.TrimSpace(xtext(c)), Cite: strings.TrimSpace(cite)})
			}
		}
	}
	return s
}

// xprobability is the first Why/Inference@probability in [0, 1].
func xprobability(why xnode) float64 {
	if why == nil {
		return 0
	}
	for c := why.children; c != nil; c = c.next {
		if c._type != elementNode || !xeq(c.name, "Inference") {
			continue
		}
		v, _ := xattr(c, "probability")
		if p, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && p >= 0 && p <= 1 && !math.IsNaN(p) {
			return p
		}
	}
	return 0
}

func xcollectParams(e xnode, group string, out []Param) []Param {
	for c := e.children; c != nil; c = c.next {
		if c._type != elementNode {
			continue
		}
		switch {
		case xeq(c.name, "Param"):
			p := Param{Group: group}
			p.Name, _ = xattr(c, "name")
			p.Unit, _ = xattr(c, "unit")
			p.UCD, _ = xattr(c, "ucd")
			v, ok := xattr(c, "value")
			if !ok {
				v = strings.TrimSpace(xtext(xchild(c, "Value")))
			}
			p.Value = v
			out = append(out, p)
		case xeq(c.name, "Group"):
			name, ok := xattr(c, "name")
			if !ok || name == "" {
				name, _ = xattr(c, "type")
			}
			out = xcollectParams(c, name, out)
		default:
			out = xcollectParams(c, group, out)
		}
	}
	return out
}

func xpathOf(e xnode, locals ...string) xnode {
	for _, l := range locals {
		e = xchild(e, l)
	}
	return e
}

func xnumber(e xnode) (float64, bool) {
	if e == nil {
		return 0, false
	}
	v, err := strconv.ParseFloat(xtext(e), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	return v, true
}
