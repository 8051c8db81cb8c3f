package ui

import (
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/starling-broker/starling/app"
)

// recordNotifications replaces the window's notification and sound with recorders.
func recordNotifications(u *Window) (notes func() []desktopNote, sounds func() int) {
	var mu sync.Mutex
	var got []desktopNote
	played := 0
	onUI(func() {
		u.mon.send = func(n desktopNote) {
			mu.Lock()
			got = append(got, n)
			mu.Unlock()
		}
		u.mon.sound = func() bool {
			mu.Lock()
			played++
			mu.Unlock()
			return true
		}
	})
	return func() []desktopNote {
			mu.Lock()
			defer mu.Unlock()
			return append([]desktopNote(nil), got...)
		}, func() int {
			mu.Lock()
			defer mu.Unlock()
			return played
		}
}

func archiveNotice(t *testing.T, u *Window, name, topic string) {
	t.Helper()
	raw, err := os.ReadFile("../testdata/notices/" + name)
	if err != nil {
		t.Fatal(err)
	}
	publish(t, u, topic, raw, false)
}

func TestNotificationForMatchingRuleNotTest(t *testing.T) {
	u := newWindow(t)
	if err := u.Core.Settings().SaveRules(app.NotifyConfig{Rules: []app.NotifyRule{
		{Name: "GW", Source: "gwalert", Sound: true}, {Name: "GBM", Type: "gbm"}}}); err != nil {
		t.Fatal(err)
	}
	notes, sounds := recordNotifications(u)
	// A mock superevent is a test: no notification, no badge.
	archiveNotice(t, u, "lvk-userguide/MS181101ab-preliminary.json", "igwn.gwalert")
	// A real one matches "GW", with its sound.
	archiveNotice(t, u, "lvk-gocart/S230528ay-preliminary.json", "igwn.gwalert")
	eventually(t, "a notification", u, func() bool { return len(notes()) >= 1 })
	time.Sleep(100 * time.Millisecond)
	got := notes()
	if len(got) != 1 || got[0].Title != "LVK S230528ay Preliminary" {
		t.Fatalf("notifications %+v; want one for S230528ay", got)
	}
	eventually(t, "the sound", u, func() bool { return sounds() == 1 })
	if n := u.Unread(); n != 1 {
		t.Fatalf("badge counts %d, want 1", n)
	}
	var tab string
	onUI(func() { tab = u.Tabs.Items[eventsTab].Text })
	if tab != "Events (1)" {
		t.Fatalf("Events tab says %q", tab)
	}
	// Viewing the Events tab clears the badge.
	onUI(func() { u.Tabs.SelectIndex(eventsTab) })
	onUI(func() { tab = u.Tabs.Items[eventsTab].Text })
	if u.Unread() != 0 || tab != "Events" {
		t.Fatalf("after viewing Events: %d unread, tab %q", u.Unread(), tab)
	}
	// While the Events tab is shown, a new match is not unread.
	archiveNotice(t, u, "gcn-schema/fermi.gbm.trigger.flight1.example.json", "gcn.notices.fermi.gbm")
	eventually(t, "a second notification", u, func() bool { return len(notes()) == 2 })
	if u.Unread() != 0 {
		t.Fatalf("%d unread with the Events tab shown", u.Unread())
	}
}

func TestQuietHoursSuppressNotification(t *testing.T) {
	u := newWindow(t)
	now := time.Now()
	if err := u.Core.Settings().SaveRules(app.NotifyConfig{
		QuietFrom: now.Add(-time.Hour).Format("15:04"), QuietTo: now.Add(time.Hour).Format("15:04"),
		Rules: []app.NotifyRule{{Name: "any", Sound: true}}}); err != nil {
		t.Fatal(err)
	}
	notes, sounds := recordNotifications(u)
	archiveNotice(t, u, "gcn-schema/fermi.gbm.trigger.flight1.example.json", "gcn.notices.fermi.gbm")
	eventually(t, "the badge", u, func() bool { return u.mon.unread == 1 })
	time.Sleep(100 * time.Millisecond)
	if len(notes()) != 0 || sounds() != 0 {
		t.Fatalf("in the quiet hours: %d notifications, %d sounds", len(notes()), sounds())
	}
}

func TestRuleEditorSaves(t *testing.T) {
	u := newWindow(t)
	p := u.Notify
	var f *ruleForm
	onUI(func() {
		f = newRuleForm(app.NotifyRule{})
		f.name.SetText("Near M31")
		f.typ.SetText("LVK")
		f.far.SetText("10")
		f.ra.SetText("10.68")
		f.dec.SetText("41.27")
		f.radius.SetText("5")
		f.prob.SetText("0.1")
		f.sound.SetChecked(true)
	})
	onUI(func() { p.submit(-1, f) })
	eventually(t, "the saved rule", u, func() bool { return len(p.cfg.Rules) == 1 })
	cfg, err := u.Core.Settings().Rules()
	if err != nil {
		t.Fatal(err)
	}
	r := cfg.Rules[0]
	if r.Name != "Near M31" || r.Type != "LVK" || r.FARYears != 10 || !r.Sound || r.Cone == nil || *r.Cone != (app.Cone{RA: 10.68, Dec: 41.27, Radius: 5, MinProb: 0.1}) {
		t.Fatalf("saved %+v (cone %+v)", r, r.Cone)
	}
	// Edit: a bad number is refused in words, and nothing changes.
	f = newRuleForm(r)
	if f.radius.Text != "5" || f.far.Text != "10" {
		t.Fatalf("editor shows radius %q, FAR %q", f.radius.Text, f.far.Text)
	}
	onUI(func() { f.far.SetText("ten") })
	if _, err := f.rule(); err == nil {
		t.Fatal("FAR \"ten\" accepted")
	}
}

// Editing a rule in the form keeps what the form does not show, such as
// the default rules' significance and retraction fields.
func TestRuleEditorKeepsFieldsItDoesNotShow(t *testing.T) {
	for _, base := range app.DefaultNotifyRules() {
		var got app.NotifyRule
		var err error
		onUI(func() {
			f := newRuleForm(base)
			f.sound.SetChecked(!base.Sound)
			got, err = f.rule()
		})
		if err != nil {
			t.Fatal(err)
		}
		want := base
		want.Sound = !base.Sound
		if got.Name != want.Name || got.Significant != want.Significant || got.Retraction != want.Retraction ||
			got.Position != want.Position || got.Type != want.Type || got.Sound != want.Sound {
			t.Errorf("edited %+v, got %+v", want, got)
		}
	}
}

// TestNotificationShowOpensTheTrigger: a notification's Show brings the
// Events tab forward with the alert's trigger selected in the trigger view.
func TestNotificationShowOpensTheTrigger(t *testing.T) {
	u := newWindow(t)
	if err := u.Core.Settings().SaveRules(app.NotifyConfig{Rules: []app.NotifyRule{{Name: "GW", Source: "gwalert"}}}); err != nil {
		t.Fatal(err)
	}
	var notes []desktopNote
	onUI(func() { u.mon.send = func(n desktopNote) { notes = append(notes, n) } })
	archiveNotice(t, u, "lvk-gocart/S230528ay-preliminary.json", "igwn.gwalert")
	eventually(t, "the notification", u, func() bool { return len(notes) == 1 })
	eventually(t, "the trigger listed", u, func() bool { return len(u.Events.Triggers.Rows()) == 1 })
	onUI(func() { u.Tabs.SelectIndex(0) })
	show := fromUI(func() func() { return notes[0].Show })
	if show == nil {
		t.Fatal("the notification has no Show")
	}
	onUI(show)
	if tab, sel := fromUI(u.Tabs.SelectedIndex), fromUI(u.Events.Triggers.Selected); tab != eventsTab || sel != "S230528ay" {
		t.Fatalf("after Show: tab %d, trigger %q selected; want the Events tab and S230528ay", tab, sel)
	}
	eventually(t, "its details", u, func() bool { return strings.Contains(u.Events.Detail.Title.Text, "S230528ay") })
}
