package compose

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/starling-broker/starling/netcore/notice"
	"github.com/starling-broker/starling/netcore/voevent"
)

// sample is a draft with every section filled in.
func sample() Draft {
	return Draft{
		Stream: "starling.test/alerts", ID: "GRB261206A-1",
		AuthorIVORN: "ivo://starling.test/contact", ShortName: "Starling Obs", ContactName: "A. Author", ContactEmail: "author@example.org",
		Params: []Param{
			{Name: "TrigID", Value: "4242", DataType: "int", UCD: "meta.id"},
			{Name: "redshift", Value: "1.5", DataType: "float", UCD: "src.redshift", Description: "photometric"},
		},
		Groups:      []Group{{Name: "photometry", Params: []Param{{Name: "mag", Value: "18.2", Unit: "mag", DataType: "float", UCD: "phot.mag"}}}},
		HasPosition: true, RA: 123.4567, Dec: -45.5, ErrorRadius: 0.05,
		Time:           "2026-12-06T16:00:00.25",
		HowDescription: "0.5 m telescope", HowReferences: []string{"https://example.org/telescope"},
		HasImportance: true, Importance: 0.7,
		Inferences:  []Inference{{Probability: 0.9, HasProbability: true, Relation: "associated", Name: "GRB 261206A", Concept: "process.variation.burst"}},
		Citations:   []Citation{{IVORN: "ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_1-1", Cite: CiteFollowup}},
		Description: "Optical counterpart candidate",
	}
}

func TestBuildSampleIsValidAndReadsBack(t *testing.T) {
	raw, err := sample().Build()
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	ev, err := voevent.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if ev.IVORN != "ivo://starling.test/alerts#GRB261206A-1" || ev.Role != "test" || ev.Namespace != voevent.NamespaceV20 {
		t.Fatalf("root: %q %q %q", ev.IVORN, ev.Role, ev.Namespace)
	}
	f := voevent.ReadFields(ev)
	if !f.HasPosition || f.RA != 123.4567 || f.Dec != -45.5 || f.ErrorRadius != 0.05 || f.ISOTime != "2026-12-06T16:00:00.25" {
		t.Errorf("position/time: %+v", f)
	}
	if f.Probability != 0.9 || len(f.Citations) != 1 || f.Citations[0].Cite != "followup" || f.Author != "ivo://starling.test/contact" {
		t.Errorf("why/citations/author: %+v", f)
	}
	if len(f.Params) != 3 || f.Params[2].Group != "photometry" || f.Params[1].UCD != "src.redshift" {
		t.Errorf("params: %+v", f.Params)
	}
	for _, want := range []string{`xsi:schemaLocation="http://www.ivoa.net/xml/VOEvent/v2.0 http://www.ivoa.net/xml/VOEvent/VOEvent-v2.0.xsd"`, `<voe:VOEvent xmlns:voe=`, `<Date>`} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("document lacks %s:\n%s", want, raw)
		}
	}
	s := notice.SummarizeVOEvent(ev)
	if s.Trigger != "4242" || s.Retraction || !s.Test {
		t.Errorf("summary: trigger %q retraction %v test %v", s.Trigger, s.Retraction, s.Test)
	}
}

func TestEmptyRoleIsTestAndDateIsFilled(t *testing.T) {
	d := Draft{Stream: "starling.test/alerts", ID: "x1"}
	now := time.Date(2026, 12, 6, 17, 1, 2, 0, time.UTC)
	raw := d.Document(now)
	if !strings.Contains(string(raw), `role="test"`) || !strings.Contains(string(raw), "<Date>2026-12-06T17:01:02Z</Date>") {
		t.Fatalf("%s", raw)
	}
	if p := d.Check(raw); p != nil {
		t.Fatalf("minimal draft: %v", p)
	}
}

func TestProblemsNameTheirField(t *testing.T) {
	cases := []struct {
		edit  func(*Draft)
		field string
		in    string
	}{
		{func(d *Draft) { d.Stream = "" }, "Stream", "AUTHORITY/STREAM"},
		{func(d *Draft) { d.Stream = "nostream" }, "Stream", "no stream"},
		{func(d *Draft) { d.ID = " " }, "ID", "ID"},
		{func(d *Draft) { d.ID = "a b" }, "ID", "IVORN"},
		{func(d *Draft) { d.Role = "prediction" }, "Role", "not a role"},
		{func(d *Draft) { d.Dec = 91 }, "WhereWhen", "Dec"},
		{func(d *Draft) { d.RA = 360 }, "WhereWhen", "RA"},
		{func(d *Draft) { d.Time = "yesterday" }, "WhereWhen", "yesterday"},
		{func(d *Draft) { d.Params[1].Value = "high" }, "Param redshift", "not a number"},
		{func(d *Draft) { d.Params[0].Value = "1.5" }, "Param TrigID", "whole number"},
		{func(d *Draft) { d.Inferences[0].Probability = 1.5 }, "Why Inference 1", "probability"},
		{func(d *Draft) { d.Citations[0].Cite = "mention" }, "Citations 1", "cite type"},
		{func(d *Draft) {
			d.Inferences = append(d.Inferences, Inference{Probability: -0.1, HasProbability: true, Name: "x"})
		}, "Why Inference 2", "probability"},
		{func(d *Draft) { d.Citations = append(d.Citations, Citation{IVORN: "ivo://a.b/c", Cite: "followup"}) }, "Citations 2", "cited IVORN"},
		{func(d *Draft) { d.Groups[0].Params[0].Value = "bright" }, "Group photometry Param mag", "not a number"},
		{func(d *Draft) { d.Groups = append(d.Groups, Group{Name: "empty"}) }, "Group empty", "at least one param"},
		{func(d *Draft) { d.Groups[0].Name = " " }, "Group", "needs a name"},
		{func(d *Draft) { d.Inferences[0].Name = "bell\a" }, "Why Inference 1", "U+0007"},
		{func(d *Draft) { d.ContactEmail = "nobody" }, "Who", "e-mail"},
		{func(d *Draft) { d.Description = "bell\a" }, "Description", "U+0007"},
	}
	for _, c := range cases {
		d := sample()
		c.edit(&d)
		_, err := d.Build()
		es, ok := err.(Errors)
		if !ok || len(es) == 0 {
			t.Errorf("%s: Build gave %v, want a problem", c.field, err)
			continue
		}
		if es[0].Field != c.field || !strings.Contains(es[0].Message, c.in) {
			t.Errorf("got %v, want field %q with %q", es, c.field, c.in)
		}
	}
}

// TestValidateMapsSchemaErrorsToFields checks that libxml2's schema errors
// come back at the draft field of the line they name.
func TestValidateMapsSchemaErrorsToFields(t *testing.T) {
	d := sample()
	d.Params[1].DataType = "double" // left to the schema
	raw := d.Document(time.Now())
	p := d.Check(raw)
	if len(p) != 1 || p[0].Field != "Param redshift" || !strings.Contains(p[0].Message, "dataType") {
		t.Fatalf("got %v", p)
	}
	d = sample()
	d.Groups[0].Params[0].DataType = "real"
	if p := d.Check(d.Document(time.Now())); len(p) != 1 || p[0].Field != "Group photometry Param mag" {
		t.Fatalf("group param: %v", p)
	}
	d = sample()
	d.ObservatoryLocation = "GEOSURFACE"
	raw = d.Document(time.Now())
	bad := strings.Replace(string(raw), "<Error2Radius>", "<Error2Radius>wide", 1)
	if p := Validate([]byte(bad)); len(p) != 1 || p[0].Field != "WhereWhen" || !strings.Contains(p[0].Message, "Error2Radius") {
		t.Fatalf("WhereWhen: %v", p)
	}
	bad = strings.Replace(string(raw), `importance="0.7"`, `importance="very"`, 1)
	if p := Validate([]byte(bad)); len(p) != 1 || p[0].Field != "Why" {
		t.Fatalf("Why: %v", p)
	}
	// The second inference's and the second citation's schema errors are theirs.
	d = sample()
	d.Inferences = append(d.Inferences, Inference{Probability: 0.5, HasProbability: true, Name: "second"})
	d.Citations = append(d.Citations, Citation{IVORN: "ivo://a.b/c#d", Cite: CiteSupersedes})
	raw = d.Document(time.Now())
	bad = strings.Replace(string(raw), `probability="0.5"`, `probability="half"`, 1)
	if p := Validate([]byte(bad)); len(p) != 1 || p[0].Field != "Why Inference 2" {
		t.Fatalf("second inference: %v", p)
	}
	bad = strings.Replace(string(raw), `cite="supersedes"`, `cite="mention"`, 1)
	if p := Validate([]byte(bad)); len(p) != 1 || p[0].Field != "Citations 2" {
		t.Fatalf("second citation: %v", p)
	}
	if p := Validate([]byte("<voe:VOEvent")); len(p) != 1 || p[0].Field != "Document" {
		t.Fatalf("not XML: %v", p)
	}
}

func readSample(t *testing.T, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "voevent", "testdata", "voevent-parse", name))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestFromEventTemplates(t *testing.T) {
	raw := readSample(t, "SWIFT_bat_position_v2.0_example.xml")
	src, err := voevent.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	f := voevent.ReadFields(src)
	for _, kind := range CiteTypes {
		d, err := FromEvent(kind, raw)
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if len(d.Citations) != 1 || d.Citations[0].IVORN != src.IVORN || d.Citations[0].Cite != kind {
			t.Errorf("%s: citations %+v", kind, d.Citations)
		}
		if !d.HasPosition || d.RA != f.RA || d.Dec != f.Dec || d.ErrorRadius != f.ErrorRadius || d.Time != f.ISOTime {
			t.Errorf("%s: position/time %+v", kind, d)
		}
		if d.Role != "test" {
			t.Errorf("%s: role %q", kind, d.Role)
		}
		if kind == CiteFollowup {
			if d.Stream != "" {
				t.Errorf("followup stream %q, want the author's own (empty)", d.Stream)
			}
			d.Stream = "starling.test/followups"
		} else if d.Stream != "nasa.gsfc.gcn/SWIFT" {
			t.Errorf("%s stream %q", kind, d.Stream)
		}
		d.ID = "t-" + kind
		out, err := d.Build()
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		ev, _ := voevent.Parse(out)
		s := notice.SummarizeVOEvent(ev)
		if s.Trigger != notice.SummarizeVOEvent(src).Trigger {
			t.Errorf("%s: trigger %q, the cited event's is %q", kind, s.Trigger, notice.SummarizeVOEvent(src).Trigger)
		}
		if s.Retraction != (kind == CiteRetraction) {
			t.Errorf("%s: retraction %v", kind, s.Retraction)
		}
	}
	d, _ := FromEvent(CiteRetraction, raw)
	if !strings.HasPrefix(d.Description, "Retraction of ivo://nasa.gsfc.gcn/SWIFT#") {
		t.Errorf("description %q", d.Description)
	}
	if !d.HasImportance || len(d.Inferences) == 0 {
		t.Errorf("why not copied: %+v", d)
	}
	if _, err := FromEvent("mention", raw); err == nil {
		t.Error("unknown kind accepted")
	}
	if _, err := FromEvent(CiteFollowup, []byte("<not")); err == nil {
		t.Error("unreadable event accepted")
	}
	if _, err := FromIVORN(CiteRetraction, "not an ivorn"); err == nil {
		t.Error("bad IVORN accepted")
	}
}

// timeZero is a fixed instant for documents whose date does not matter.
var timeZero = time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
