package ui

import (
	"encoding/json"

	"github.com/starling-broker/starling/app"
)

// filterChanged takes the Events panel's new filter and, when the sky map
// is shown and follows it, reloads off the UI goroutine. UI goroutine.
func (p *SkyPanel) filterChanged(f app.EventFilter) {
	p.mu.Lock()
	p.filter = f
	p.mu.Unlock()
	p.syncBar()
	if p.Filtered.Checked && p.u.Tabs != nil && p.u.Tabs.SelectedIndex() == skyTab {
		go p.refresh(p.u.ctx)
	}
}

// syncBar greys out what the Events filter decides while the map follows
// it: the test switch always, the range picker when the filter has a
// range. UI goroutine.
func (p *SkyPanel) syncBar() {
	p.mu.Lock()
	f := p.filter
	p.mu.Unlock()
	enable(p.Test, !p.Filtered.Checked)
	enable(p.Range, !p.Filtered.Checked || !f.HasRange())
}

// enabler is a widget that can be greyed out.
type enabler interface {
	Disabled() bool
	Enable()
	Disable()
}

// enable enables or disables w if it is not so already.
func enable(w enabler, on bool) {
	if on && w.Disabled() {
		w.Enable()
	} else if !on && !w.Disabled() {
		w.Disable()
	}
}

// filterKey names the rows f selects, its order aside, for skyLoad.
func filterKey(f app.EventFilter) string {
	f.Sort, f.Asc = "", false
	b, _ := json.Marshal(f)
	return string(b)
}
