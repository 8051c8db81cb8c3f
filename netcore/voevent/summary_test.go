package voevent

import (
	"reflect"
	"testing"
)

func TestSummarizeSwiftBAT(t *testing.T) {
	s := ReadFields(mustParse(t, samplePacket(t, "voevent-parse/SWIFT_bat_position_v2.0_example.xml")))
	want := Fields{
		IVORN:       "ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_532871-729",
		Role:        "observation",
		Author:      "ivo://nasa.gsfc.tan/gcn",
		Date:        "2012-09-07T00:24:36",
		Description: "Type=61: The Swift-BAT instrument position notice.", // the root Description is blank
		HasPosition: true,
		RA:          74.7412,
		Dec:         -9.3137,
		ErrorRadius: 0.05,
		CoordSystem: "UTC-FK5-GEO",
		AuthorName:  "VO-GCN",                 // line 11
		ISOTime:     "2012-09-07T00:24:23.08", // line 117
		Probability: 0.98,                     // line 139
	}
	got := s
	got.Params = nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if len(s.Params) != 80 {
		t.Errorf("%d params, want 80", len(s.Params))
	}
	find := func(name string) Param {
		for _, p := range s.Params {
			if p.Name == name {
				return p
			}
		}
		t.Fatalf("no param %q", name)
		return Param{}
	}
	if p := find("Packet_Type"); p != (Param{Name: "Packet_Type", Value: "61"}) {
		t.Errorf("Packet_Type: %+v", p)
	}
	if p := find("Burst_Inten"); p.Unit != "cts" || p.UCD != "phot.count;em.gamma.soft" || p.Value != "4622" {
		t.Errorf("Burst_Inten: %+v", p)
	}
	if p := find("Def_NOT_a_GRB"); p.Group != "Solution_Status" {
		t.Errorf("Def_NOT_a_GRB: %+v", p)
	}
}

func TestSummarizeWithoutPosition(t *testing.T) {
	s := ReadFields(mustParse(t, samplePacket(t, "fink-voevent/ivo__gwnet_LVCMS191201o1Preliminary.xml")))
	if s.HasPosition || s.RA != 0 || s.Dec != 0 || s.ErrorRadius != 0 {
		t.Errorf("position in a packet without one: %+v", s)
	}
	if s.Role != "test" || s.Author != "" || s.Date != "2019-12-01T16:56:48" {
		t.Errorf("%+v", s)
	}
	if s.Description != "Report of a candidate gravitational wave event" {
		t.Errorf("description %q", s.Description)
	}
	if len(s.Params) != 21 {
		t.Errorf("%d params, want 21", len(s.Params))
	}
	var grouped int
	for _, p := range s.Params {
		if p.Group == "Classification" || p.Group == "Properties" {
			grouped++
		}
	}
	if grouped == 0 {
		t.Errorf("no grouped params in %+v", s.Params)
	}

	k := ReadFields(mustParse(t, samplePacket(t, "pygcn/kill_socket.xml")))
	if k.HasPosition || len(k.Params) != 1 || k.Params[0] != (Param{Name: "Packet_Type", Value: "4"}) {
		t.Errorf("kill_socket: %+v", k)
	}
}

func TestSummarizeOddities(t *testing.T) {
	ev := mustParse(t, []byte(`<VOEvent role="test" ivorn="ivo://a.b/c#d">
  <What><Param name="v"><Value> 42 </Value></Param><Description>  spread
     over lines </Description></What>
  <WhereWhen><ObsDataLocation><ObservationLocation><AstroCoords><Position2D>
    <Value2><C1>NaN</C1><C2>1</C2></Value2></Position2D></AstroCoords></ObservationLocation></ObsDataLocation></WhereWhen>
</VOEvent>`))
	s := ReadFields(ev)
	if s.HasPosition {
		t.Error("NaN taken as a position")
	}
	if len(s.Params) != 1 || s.Params[0].Value != "42" {
		t.Errorf("params %+v", s.Params)
	}
	if s.Description != "spread over lines" {
		t.Errorf("description %q", s.Description)
	}
	if got := ReadFields(nil); got.IVORN != "" {
		t.Error("nil event")
	}
	if got := ReadFields(&Event{IVORN: "x"}); got.IVORN != "x" {
		t.Error("event without document")
	}
}
