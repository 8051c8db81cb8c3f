package compose

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/beevik/etree"
	"github.com/starling-broker/starling/netcore/voevent"
)

// triggerParams are the params by which Starling groups a VOEvent's alerts
// into one trigger (notice.SummarizeVOEvent): a template copies them, so
// that the new event joins the cited one's trigger.
var triggerParams = []string{"TrigID", "Trigger_Number", "Burst_Id", "run_id", "Run_ID", "event_id", "Event_ID", "GraceID"}

// FromEvent starts a draft of kind followup, retraction or supersedes of
// the VOEvent raw. It cites the event (cite type kind), copies its
// position, error radius and time, its trigger's identifying params
// (TrigID, GraceID, …), its importance and inferences, and describes
// itself ("Retraction of ivo://…"). For a retraction or a supersession the
// stream is the cited event's authority and stream: only a retraction from
// the stream that sent an alert withdraws its trigger (alert.Stream); give
// another stream and the retraction is only a citation. A follow-up leaves
// the stream to its author. The role is test.
func FromEvent(kind string, raw []byte) (Draft, error) {
	ev, err := voevent.Parse(raw)
	if err != nil {
		return Draft{}, fmt.Errorf("the event cannot be read: %s", voevent.Describe(err))
	}
	defer ev.Release()
	d, err := FromIVORN(kind, ev.IVORN)
	if err != nil {
		return Draft{}, err
	}
	f := voevent.ReadFields(ev)
	if f.HasPosition && !(f.RA == 0 && f.Dec == 0 && f.ErrorRadius == 0) {
		d.HasPosition, d.RA, d.Dec, d.ErrorRadius = true, f.RA, f.Dec, f.ErrorRadius
	}
	d.Time = strings.TrimSpace(f.ISOTime)
	for _, p := range f.Params {
		if p.Group == "" && slices.Contains(triggerParams, p.Name) && strings.TrimSpace(p.Value) != "" {
			d.Params = append(d.Params, Param{Name: p.Name, Value: strings.TrimSpace(p.Value), UCD: p.UCD, Unit: p.Unit})
		}
	}
	readWhy(raw, &d)
	if f.Description != "" && kind != CiteRetraction {
		d.Description += ": " + f.Description
	}
	return d, nil
}

// FromIVORN is FromEvent for an event known only by its IVORN.
func FromIVORN(kind, ivorn string) (Draft, error) {
	if !slices.Contains(CiteTypes, kind) {
		return Draft{}, fmt.Errorf("%q is not a template: give followup, retraction or supersedes", kind)
	}
	ivorn = strings.TrimSpace(ivorn)
	id, err := voevent.ParseIVORN(ivorn)
	if err != nil {
		return Draft{}, fmt.Errorf("the cited IVORN %q: %v", ivorn, err)
	}
	d := Draft{Role: "test", Citations: []Citation{{IVORN: ivorn, Cite: kind}}}
	if kind != CiteFollowup {
		d.Stream = id.Authority + id.Resource
	}
	switch kind {
	case CiteFollowup:
		d.Description = "Follow-up of " + ivorn
	case CiteRetraction:
		d.Description = "Retraction of " + ivorn
	case CiteSupersedes:
		d.Description = "Supersedes " + ivorn
	}
	return d, nil
}

// readWhy copies Why@importance and its inferences; what does not read is left out.
func readWhy(raw []byte, d *Draft) {
	doc := etree.NewDocument()
	if doc.ReadFromBytes(raw) != nil || doc.Root() == nil {
		return
	}
	why := doc.Root().SelectElement("Why")
	if why == nil {
		return
	}
	if v, err := strconv.ParseFloat(why.SelectAttrValue("importance", ""), 64); err == nil && finite(v) && v >= 0 && v <= 1 {
		d.Importance, d.HasImportance = v, true
	}
	for _, ie := range why.SelectElements("Inference") {
		in := Inference{Relation: ie.SelectAttrValue("relation", "")}
		if v, err := strconv.ParseFloat(ie.SelectAttrValue("probability", ""), 64); err == nil && finite(v) && v >= 0 && v <= 1 {
			in.Probability, in.HasProbability = v, true
		}
		for _, c := range ie.ChildElements() {
			t := strings.TrimSpace(c.Text())
			switch c.Tag {
			case "Name":
				in.Name = t
			case "Concept":
				in.Concept = t
			case "Description":
				in.Description = t
			}
		}
		d.Inferences = append(d.Inferences, in)
	}
}
