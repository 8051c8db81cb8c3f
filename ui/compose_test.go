package ui

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/starling-broker/starling/netcore/endpoint"
	"github.com/starling-broker/starling/netcore/sender"
)

// TestComposeRetractionFromDetails archives a sample event, opens "Retract
// this alert" from its details, sees the template in the form and the XML
// preview, an out-of-range Dec shown under Where and when, and then queues
// the fixed retraction to the outbox for the local broker, which archives it.
func TestComposeRetractionFromDetails(t *testing.T) {
	u := newWindow(t)
	setTheme(test.Theme())
	lb := startBroker(t, u)
	recv, _ := lb.Addresses()
	raw, err := os.ReadFile("testdata/voevent.xml")
	if err != nil {
		t.Fatal(err)
	}
	const cited = "ivo://hotwired.org/gaia_demo#1"
	if _, err := sender.Send(context.Background(), endpoint.Endpoint{Network: "tcp", Address: recv}, raw, "", 5*time.Second); err != nil {
		t.Fatal(err)
	}

	onUI(func() { u.Tabs.SelectIndex(eventsTab) })
	onUI(func() { u.Events.Filters.ShowTest.SetChecked(true) })
	eventually(t, "the event in the list", u, func() bool { return len(u.Events.Rows()) == 1 })
	onUI(func() { u.Events.List.Select(0) })
	d := u.Events.Detail
	eventually(t, "the templates offered", u, func() bool { return !d.Retract.Disabled() && d.shown.Row.IVORN == cited })
	onUI(func() { test.Tap(d.Retract) })

	c := u.Compose
	eventually(t, "the retraction in the composer", u, func() bool {
		return u.Tabs.SelectedIndex() == composeTab && c.Template.Visible() && c.Stream.Text == "hotwired.org/gaia_demo" &&
			strings.Contains(c.Preview.Text, `cite="retraction">`+cited)
	})
	onUI(func() {
		if c.Role.Selected != "test" || c.RoleWarning.Visible() {
			t.Errorf("role %q, warning shown %v: a template must start as test", c.Role.Selected, c.RoleWarning.Visible())
		}
		if c.RA.Text != "168.47841" || c.Dec.Text != "-23.01221" || !strings.HasPrefix(c.Description.Text, "Retraction of "+cited) {
			t.Errorf("template fields: RA %q Dec %q description %q", c.RA.Text, c.Dec.Text, c.Description.Text)
		}
		for _, want := range []string{"<C1>168.47841</C1>", `role="test"`, `ivorn="ivo://hotwired.org/gaia_demo#retraction-`} {
			if !strings.Contains(c.Preview.Text, want) {
				t.Errorf("preview lacks %s", want)
			}
		}
	})
	eventually(t, "the template valid", u, func() bool { return !c.Errors["WhereWhen"].Visible() && strings.Contains(c.Status.Text, "valid") })

	// A Dec out of range is shown under its section, and the preview follows the form.
	onUI(func() { c.Dec.SetText("95") })
	eventually(t, "the error at WhereWhen", u, func() bool {
		return c.Errors["WhereWhen"].Visible() && strings.Contains(c.Errors["WhereWhen"].Text, "Dec 95") && strings.Contains(c.Preview.Text, "<C2>95</C2>")
	})
	onUI(func() {
		if c.Errors["IVORN"].Visible() || c.Errors["Document"].Visible() {
			t.Errorf("errors in other sections: %q %q", c.Errors["IVORN"].Text, c.Errors["Document"].Text)
		}
	})
	// An observation is shown in warning colour.
	onUI(func() { c.Role.SetSelected("observation") })
	eventually(t, "the role warning", u, func() bool { return c.RoleWarning.Visible() && strings.Contains(c.Preview.Text, `role="observation"`) })
	onUI(func() { c.Role.SetSelected("test"); c.Dec.SetText("-23.01221") })
	eventually(t, "the draft valid again", u, func() bool { return !c.Errors["WhereWhen"].Visible() && strings.Contains(c.Status.Text, "valid") })

	// Send: to the outbox, for the local broker, which archives it.
	c.refresh(context.Background())
	eventually(t, "a destination", u, func() bool { return c.Destination.Selected != "" })
	var ivorn string
	onUI(func() { ivorn = c.Draft().IVORN(); test.Tap(c.SendButton) })
	eventually(t, "the outbox entry", u, func() bool {
		es, _ := u.Core.Outbox().List(context.Background(), "", 10)
		return len(es) == 1 && es[0].IVORN == ivorn
	})
	eventually(t, "the retraction archived", u, func() bool {
		taken, _ := u.Core.Archive().Taken(context.Background(), ivorn)
		return taken
	})
	// Its IVORN is now taken: the composer says so at the identifier.
	onUI(func() { c.Description.SetText(c.Description.Text + ".") })
	eventually(t, "the IVORN taken", u, func() bool {
		return c.Errors["IVORN"].Visible() && strings.Contains(c.Errors["IVORN"].Text, "already in the archive")
	})
	// New clears the form: no citation is left behind, and the missing stream is named.
	onUI(func() { test.Tap(c.NewButton) })
	eventually(t, "an empty draft", u, func() bool {
		return c.Errors["IVORN"].Visible() && strings.Contains(c.Errors["IVORN"].Text, "AUTHORITY/STREAM") &&
			!c.Errors["Citations"].Visible() && !strings.Contains(c.Preview.Text, "Citations") && !c.Template.Visible()
	})
}

// TestComposeGroupsInferencesCitations builds an event in the window with a
// group holding a param, two citations and two inferences: the preview
// shows them, a bad value in the group's param and a bad probability in the
// second inference are shown at their rows (and nowhere else), and Send
// queues the fixed document, with all of them, to the outbox.
func TestComposeGroupsInferencesCitations(t *testing.T) {
	u := newWindow(t)
	setTheme(test.Theme())
	startBroker(t, u)
	c := u.Compose
	c.refresh(context.Background())
	eventually(t, "a destination", u, func() bool { return c.Destination.Selected != "" })

	var g *groupRow
	onUI(func() {
		u.Tabs.SelectIndex(composeTab)
		test.Type(c.Stream, "starling.test/groups")
		test.Type(c.ID, "g1")
		test.Tap(c.AddGroup)
		if len(c.groups) != 1 || len(c.groups[0].Params.rows) != 1 {
			t.Fatalf("Add group: %d groups", len(c.groups))
		}
		g = c.groups[0]
		test.Type(g.Name, "photometry")
		test.Type(g.Type, "measurement")
		pr := g.Params.rows[0]
		test.Type(pr.Name, "mag")
		test.Type(pr.Value, "18.5")
		test.Type(pr.Unit, "mag")
		test.Type(pr.UCD, "phot.mag")
		pr.DataType.SetSelected("float")

		test.Tap(c.AddCitation)
		test.Tap(c.AddCitation)
		test.Type(c.citations[0].IVORN, "ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_1-1")
		test.Type(c.citations[1].IVORN, "ivo://other.org/alerts#x2")
		c.citations[1].Cite.SetSelected("supersedes")

		test.Type(c.Importance, "0.8")
		test.Tap(c.AddInference)
		test.Tap(c.AddInference)
		test.Type(c.inferences[0].Probability, "0.9")
		test.Type(c.inferences[0].Name, "GRB 261206A")
		test.Type(c.inferences[1].Name, "M31")
		test.Type(c.inferences[1].Concept, "galaxy")
		c.inferences[1].Relation.SetText("identified")
	})
	wants := []string{
		`<Group name="photometry" type="measurement">`,
		`<Param name="mag" value="18.5" unit="mag" ucd="phot.mag" dataType="float"/>`,
		`<EventIVORN cite="followup">ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_1-1</EventIVORN>`,
		`<EventIVORN cite="supersedes">ivo://other.org/alerts#x2</EventIVORN>`,
		`<Why importance="0.8">`,
		`<Inference probability="0.9" relation="associated">`,
		`<Inference relation="identified">`,
		`<Concept>galaxy</Concept>`,
	}
	eventually(t, "the preview with the group, the citations and the inferences, valid", u, func() bool {
		for _, w := range wants {
			if !strings.Contains(c.Preview.Text, w) {
				return false
			}
		}
		return strings.Contains(c.Status.Text, "valid")
	})

	// A bad value in the group's param is shown at that row, and only there.
	pr := g.Params.rows[0]
	onUI(func() { pr.Value.SetText("bright") })
	eventually(t, "the error at the group's param", u, func() bool {
		return pr.Error.Visible() && strings.Contains(pr.Error.Text, `"bright" is not a number`)
	})
	onUI(func() {
		if c.Errors["What"].Visible() || g.Error.Visible() || c.citations[0].Error.Visible() || c.inferences[0].Error.Visible() {
			t.Errorf("the param's error is elsewhere too: What %q, group %q", c.Errors["What"].Text, g.Error.Text)
		}
	})
	// A bad probability in the second inference, at its row; the param fixed.
	onUI(func() { pr.Value.SetText("18.5"); c.inferences[1].Probability.SetText("1.5") })
	eventually(t, "the error at the second inference", u, func() bool {
		return c.inferences[1].Error.Visible() && strings.Contains(c.inferences[1].Error.Text, "probability 1.5") &&
			!pr.Error.Visible() && !c.inferences[0].Error.Visible() && !c.Errors["Why"].Visible()
	})
	// A second citation without a fragment, at its row.
	onUI(func() {
		c.inferences[1].Probability.SetText("")
		c.citations[1].IVORN.SetText("ivo://other.org/alerts")
	})
	eventually(t, "the error at the second citation", u, func() bool {
		return c.citations[1].Error.Visible() && !c.citations[0].Error.Visible() && !c.inferences[1].Error.Visible() && !c.Errors["Citations"].Visible()
	})
	onUI(func() { c.citations[1].IVORN.SetText("ivo://other.org/alerts#x2") })
	eventually(t, "the draft valid again", u, func() bool {
		return strings.Contains(c.Status.Text, "valid") && !c.citations[1].Error.Visible()
	})

	// Send: the outbox holds the document with the group, both citations and both inferences.
	var ivorn string
	onUI(func() { ivorn = c.Draft().IVORN(); test.Tap(c.SendButton) })
	eventually(t, "the outbox entry", u, func() bool {
		es, _ := u.Core.Outbox().List(context.Background(), "", 10)
		return len(es) == 1 && es[0].IVORN == ivorn
	})
	es, err := u.Core.Outbox().List(context.Background(), "", 10)
	if err != nil || len(es) != 1 {
		t.Fatalf("outbox: %v %v", es, err)
	}
	for _, w := range wants {
		if !strings.Contains(string(es[0].Raw), w) {
			t.Errorf("the queued document lacks %s:\n%s", w, es[0].Raw)
		}
	}
	// Removing the group and the second citation takes them out of the preview.
	onUI(func() { test.Tap(g.Remove); test.Tap(c.citations[1].Remove) })
	eventually(t, "the group and the second citation gone", u, func() bool {
		return !strings.Contains(c.Preview.Text, "<Group") && !strings.Contains(c.Preview.Text, "#x2") &&
			strings.Contains(c.Preview.Text, "BAT_GRB_Pos_1-1") && len(c.groups) == 0 && len(c.citations) == 1
	})
}
