package voevent

import "strings"

// Param is one What//Param of an event.
type Param struct {
	Group string // name of the enclosing Group (its type when it has no name), "" outside any group
	Name  string
	Value string // @value, or the text of a <Value> child when there is no @value
	Unit  string
	UCD   string
}

// Fields are what a person scanning a list of events wants to see of one.
type Fields struct {
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
	// CoordSystem is that AstroCoords' coord_system_id (UTC-FK5-GEO, …).
	CoordSystem string

	Params []Param // every What//Param, in document order

	// AuthorName is Who/Author's shortName, title or contactName: the first not empty.
	AuthorName string
	// ISOTime is WhereWhen/…/Time/TimeInstant/ISOTime: when the event happened.
	ISOTime string
	// Probability is the first Why/Inference@probability in [0, 1]; 0 if none.
	Probability float64
	// Citations are the Citations/EventIVORN elements, in document order.
	Citations []Citation
}

// Citation is one Citations/EventIVORN: the cited IVORN and how it is cited
// (followup, supersedes, retraction).
type Citation struct {
	IVORN, Cite string
}

// ReadFields extracts the Fields from ev's parsed document. Elements are found
// by local name, so that 1.1 and oddly namespaced packets summarise too.
func ReadFields(ev *Event) Fields {
	if ev == nil {
		return Fields{}
	}
	s := Fields{IVORN: ev.IVORN, Role: ev.Role}
	ev.withDoc(func(d *xdoc) { s = xsummarize(d, ev.IVORN, ev.Role) })
	return s
}

// collapseSpace turns runs of white space into single spaces.
func collapseSpace(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
