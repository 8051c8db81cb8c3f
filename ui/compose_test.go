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
