package ui

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// skyIDs are the ids the sky map draws, in order.
func skyIDs(p *SkyPanel) []int64 {
	p.Sky.mu.Lock()
	defer p.Sky.mu.Unlock()
	var ids []int64
	for _, q := range p.Sky.pos {
		ids = append(ids, q.ID)
	}
	return ids
}

// TestSkyFollowsEventsFilter checks that a change of the Events filter is
// pushed to the shown sky map (points and count), and that unchecking
// "Events filters" shows every alert again.
func TestSkyFollowsEventsFilter(t *testing.T) {
	u := newWindow(t)
	ids := archive(t, u,
		skyAlert{trigger: "GRB-A", ra: 90, dec: 0, err: 5},
		skyAlert{trigger: "GRB-B", ra: 270, dec: 30, err: 0.1, typ: "Retraction", source: "kafka gcn"},
		skyAlert{trigger: "GRB-C", ra: 100, dec: 0, err: 2},
		skyAlert{trigger: "GRB-D", ra: 200, dec: -10, err: 1, test: true})
	p := u.Sky
	onUI(func() { u.Tabs.SelectIndex(skyTab) })
	shows := func(what string, want ...int64) {
		t.Helper()
		text := fmt.Sprintf("%d alerts with a position", len(want))
		eventually(t, what, u, func() bool { return p.Count.Text == text && slices.Equal(skyIDs(p), want) })
	}
	shows("every alert but the test one", ids[0], ids[1], ids[2])
	if !fromUI(p.Test.Disabled) || fromUI(p.Range.Disabled) {
		t.Fatal("with Events filters, the test switch is greyed out and the range picker (no range in the filter) not")
	}
	// The filters change while the sky map is shown: nothing but the
	// Events panel's hook tells the sky panel.
	onUI(func() { u.Events.Filters.Type.SetText("Retraction") })
	shows("the retraction", ids[1])
	onUI(func() {
		u.Events.Filters.Type.SetText("")
		u.Events.Filters.Source.SetText("TEST")
	})
	shows("the alerts from the source test", ids[0], ids[2])
	onUI(func() { u.Events.Filters.ShowTest.SetChecked(true) })
	shows("with the test alert", ids[0], ids[2], ids[3])
	onUI(func() { u.Events.Filters.Range.SetSelected("last hour") })
	shows("in the last hour", ids[0], ids[2], ids[3])
	if !fromUI(p.Range.Disabled) {
		t.Fatal("the range picker is not greyed out while the Events filter has a range")
	}
	onUI(func() { p.Filtered.SetChecked(false) })
	shows("every alert but the test one, unfiltered", ids[0], ids[1], ids[2])
	if fromUI(p.Test.Disabled) || fromUI(p.Range.Disabled) {
		t.Fatal("without Events filters, the test switch and the range picker are live")
	}
	onUI(func() { u.Events.Filters.Source.SetText("gcn") })
	time.Sleep(300 * time.Millisecond) // a filter change must not move an unfiltered map
	shows("still every alert", ids[0], ids[1], ids[2])
	onUI(func() { p.Filtered.SetChecked(true) })
	shows("the gcn alert again", ids[1])
}
