// Package compose writes VOEvent 2.0 packets: a Draft holds what an author
// fills in (who, what, where and when, how, why, citations), Build lays it
// out with etree in the order the VOEvent 2.0 schema gives, and Validate
// checks the result with the receiver's own libxml2 pass (voevent.Checker),
// naming the draft's field at fault. FromEvent starts a follow-up,
// retraction or supersession of an archived event.
package compose

import (
	"strconv"
	"strings"
	"time"

	"github.com/beevik/etree"
	"github.com/starling-broker/starling/netcore/voevent"
)

// Roles a composed event may take, test first (the default).
var Roles = []string{"test", "observation", "utility"}

// Cite types of a citation (Citations/EventIVORN@cite).
const (
	// CiteFollowup marks a follow-up of the cited event.
	CiteFollowup = "followup"
	// CiteSupersedes marks an event that replaces the cited one.
	CiteSupersedes = "supersedes"
	// CiteRetraction marks an event that withdraws the cited one.
	CiteRetraction = "retraction"
)

// CiteTypes lists the cite types VOEvent 2.0 allows.
var CiteTypes = []string{CiteFollowup, CiteSupersedes, CiteRetraction}

// DataTypes lists the dataType values a Param may take.
var DataTypes = []string{"string", "float", "int"}

// schemaLocation is the xsi:schemaLocation the real samples carry.
const schemaLocation = voevent.NamespaceV20 + " http://www.ivoa.net/xml/VOEvent/VOEvent-v2.0.xsd"

// Param is one What/Param (or Group/Param).
type Param struct {
	Name, Value string
	UCD, Unit   string
	// DataType is string, float or int; "" leaves it out (string).
	DataType    string
	Description string
}

// Group is a named What/Group of params.
type Group struct {
	Name, Type  string
	Params      []Param
	Description string
}

// Inference is one Why/Inference.
type Inference struct {
	// Probability in [0, 1]; HasProbability says whether it is given.
	Probability    float64
	HasProbability bool
	Relation       string
	Name, Concept  string
	Description    string
}

// Citation is one Citations/EventIVORN.
type Citation struct {
	IVORN string
	// Cite is followup, supersedes or retraction.
	Cite string
}

// Draft is a VOEvent being written. Zero fields are left out of the document.
type Draft struct {
	// Stream is "AUTHORITY/STREAM": the IVORN is ivo://Stream#ID.
	Stream, ID string
	// Role is test, observation or utility; "" is test.
	Role string

	// Who: Date is filled with the time of Build (UTC) when empty.
	Date         string
	AuthorIVORN  string
	ShortName    string
	ContactName  string
	ContactEmail string

	// What.
	Params []Param
	Groups []Group

	// WhereWhen: HasPosition says whether RA and Dec (ICRS, degrees) and
	// ErrorRadius (degrees) are given; Time is an ISO 8601 UTC instant.
	HasPosition         bool
	RA, Dec             float64
	ErrorRadius         float64
	Time                string
	ObservatoryLocation string // e.g. GEOSURFACE; "" is GEOSURFACE when WhereWhen is written

	// How.
	HowDescription string
	HowReferences  []string // URIs

	// Why: HasImportance says whether Importance is given.
	Importance    float64
	HasImportance bool
	Inferences    []Inference

	// Citations and their description.
	Citations           []Citation
	CitationDescription string

	// Description is the event's top-level Description.
	Description string
}

// IVORN is the event's identifier, ivo://Stream#ID.
func (d Draft) IVORN() string {
	return "ivo://" + strings.TrimPrefix(strings.TrimSpace(d.Stream), "ivo://") + "#" + strings.TrimSpace(d.ID)
}

// role is the draft's role, test when empty.
func (d Draft) role() string {
	if r := strings.TrimSpace(d.Role); r != "" {
		return r
	}
	return "test"
}

// hasWhereWhen reports whether the draft has a position or a time.
func (d Draft) hasWhereWhen() bool { return d.HasPosition || strings.TrimSpace(d.Time) != "" }

// Fill returns the draft with what Build fills in: the role (test) and the
// date (now, UTC, to the second) when empty.
func (d Draft) Fill(now time.Time) Draft {
	d.Role = d.role()
	if strings.TrimSpace(d.Date) == "" {
		d.Date = now.UTC().Format("2006-01-02T15:04:05Z")
	}
	return d
}

// Document lays the draft out as a VOEvent 2.0 document, whatever it holds
// (see Problems and Validate for whether it is right), with the date filled
// in as Fill does with now.
func (d Draft) Document(now time.Time) []byte {
	d = d.Fill(now)
	doc := etree.NewDocument()
	doc.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	root := doc.CreateElement("voe:VOEvent")
	root.CreateAttr("xmlns:voe", voevent.NamespaceV20)
	root.CreateAttr("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance")
	root.CreateAttr("xsi:schemaLocation", schemaLocation)
	root.CreateAttr("version", "2.0")
	root.CreateAttr("role", d.Role)
	root.CreateAttr("ivorn", d.IVORN())

	who := root.CreateElement("Who")
	text(who, "AuthorIVORN", d.AuthorIVORN)
	text(who, "Date", d.Date)
	if d.ShortName != "" || d.ContactName != "" || d.ContactEmail != "" {
		a := who.CreateElement("Author")
		text(a, "shortName", d.ShortName)
		text(a, "contactName", d.ContactName)
		text(a, "contactEmail", d.ContactEmail)
	}

	if len(d.Params) > 0 || len(d.Groups) > 0 {
		what := root.CreateElement("What")
		for _, p := range d.Params {
			param(what, p)
		}
		for _, g := range d.Groups {
			ge := what.CreateElement("Group")
			attr(ge, "name", g.Name)
			attr(ge, "type", g.Type)
			for _, p := range g.Params {
				param(ge, p)
			}
			text(ge, "Description", g.Description)
		}
	}

	if d.hasWhereWhen() {
		ww := root.CreateElement("WhereWhen")
		odl := ww.CreateElement("ObsDataLocation")
		loc := strings.TrimSpace(d.ObservatoryLocation)
		if loc == "" {
			loc = "GEOSURFACE"
		}
		odl.CreateElement("ObservatoryLocation").CreateAttr("id", loc)
		ol := odl.CreateElement("ObservationLocation")
		ol.CreateElement("AstroCoordSystem").CreateAttr("id", "UTC-ICRS-TOPO")
		ac := ol.CreateElement("AstroCoords")
		ac.CreateAttr("coord_system_id", "UTC-ICRS-TOPO")
		if t := strings.TrimSpace(d.Time); t != "" {
			te := ac.CreateElement("Time")
			te.CreateAttr("unit", "s")
			te.CreateElement("TimeInstant").CreateElement("ISOTime").SetText(t)
		}
		if d.HasPosition {
			pos := ac.CreateElement("Position2D")
			pos.CreateAttr("unit", "deg")
			pos.CreateElement("Name1").SetText("RA")
			pos.CreateElement("Name2").SetText("Dec")
			v := pos.CreateElement("Value2")
			v.CreateElement("C1").SetText(num(d.RA))
			v.CreateElement("C2").SetText(num(d.Dec))
			pos.CreateElement("Error2Radius").SetText(num(d.ErrorRadius))
		}
	}

	if d.HowDescription != "" || len(d.HowReferences) > 0 {
		how := root.CreateElement("How")
		text(how, "Description", d.HowDescription)
		for _, r := range d.HowReferences {
			if r = strings.TrimSpace(r); r != "" {
				how.CreateElement("Reference").CreateAttr("uri", r)
			}
		}
	}

	if d.HasImportance || len(d.Inferences) > 0 {
		why := root.CreateElement("Why")
		if d.HasImportance {
			why.CreateAttr("importance", num(d.Importance))
		}
		for _, in := range d.Inferences {
			ie := why.CreateElement("Inference")
			if in.HasProbability {
				ie.CreateAttr("probability", num(in.Probability))
			}
			attr(ie, "relation", in.Relation)
			text(ie, "Name", in.Name)
			text(ie, "Concept", in.Concept)
			text(ie, "Description", in.Description)
		}
	}

	if len(d.Citations) > 0 {
		c := root.CreateElement("Citations")
		for _, ci := range d.Citations {
			e := c.CreateElement("EventIVORN")
			e.CreateAttr("cite", ci.Cite)
			e.SetText(ci.IVORN)
		}
		text(c, "Description", d.CitationDescription)
	}
	text(root, "Description", d.Description)

	doc.Indent(2)
	b, err := doc.WriteToBytes()
	if err != nil { // etree writes to memory; it cannot fail
		panic(err)
	}
	return b
}

// param writes p as a Param child of parent.
func param(parent *etree.Element, p Param) {
	e := parent.CreateElement("Param")
	e.CreateAttr("name", p.Name)
	e.CreateAttr("value", p.Value)
	attr(e, "unit", p.Unit)
	attr(e, "ucd", p.UCD)
	attr(e, "dataType", p.DataType)
	text(e, "Description", p.Description)
}

// text adds a child element holding s, unless s is empty.
func text(parent *etree.Element, tag, s string) {
	if s != "" {
		parent.CreateElement(tag).SetText(s)
	}
}

// attr sets an attribute, unless v is empty.
func attr(e *etree.Element, key, v string) {
	if v != "" {
		e.CreateAttr(key, v)
	}
}

// num writes a float the shortest way that reads back the same.
func num(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
