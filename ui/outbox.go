package ui

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/app/outbox"
)

// OutboxPanel lists what waits to be sent, and what became of it.
type OutboxPanel struct {
	u       *Window
	content fyne.CanvasObject

	List         *widget.List
	Destinations *fyne.Container
	Selected     *widget.Label
	RetryButton  *widget.Button
	CancelButton *widget.Button
	DeleteButton *widget.Button
	RetryAll     *widget.Button

	mu       sync.Mutex
	entries  []app.OutboxEntry
	names    map[string]string // destination → "local broker" or profile name
	selected int64
	// dests are the destination rows, by destination; on the UI goroutine only.
	dests map[string]*destRow
	empty *widget.Label
}

// destRow is one destination: its state in words and its own "Retry now".
type destRow struct {
	Label   *widget.Label
	Retry   *widget.Button
	content fyne.CanvasObject
}

func newOutboxPanel(u *Window) *OutboxPanel {
	p := &OutboxPanel{u: u, dests: map[string]*destRow{}}
	p.empty = widget.NewLabel("Nothing waiting: every destination is drained.")
	p.Destinations = container.NewVBox(p.empty)
	p.Selected = widget.NewLabel("Select an entry to retry, cancel or delete it.")
	p.Selected.Wrapping = fyne.TextWrapWord
	p.List = p.newList()
	p.List.OnSelected = func(id widget.ListItemID) {
		p.mu.Lock()
		if id >= len(p.entries) {
			p.mu.Unlock()
			return
		}
		e := p.entries[id]
		p.selected = e.ID
		p.mu.Unlock()
		p.showSelected(e)
	}
	act := func(f func(ctx context.Context, id int64) error) func() {
		return func() {
			p.mu.Lock()
			id := p.selected
			p.mu.Unlock()
			if id == 0 {
				p.Selected.SetText("Select an entry first.")
				return
			}
			p.u.run(func(ctx context.Context) error {
				err := f(ctx, id)
				p.refresh(ctx)
				return err
			})
		}
	}
	p.RetryButton = widget.NewButton("Retry", act(p.u.Core.Outbox().Retry))
	p.CancelButton = widget.NewButton("Cancel", act(p.u.Core.Outbox().Cancel))
	p.DeleteButton = widget.NewButton("Delete", act(p.u.Core.Outbox().Delete))
	p.enableFor("")
	p.RetryAll = widget.NewButton("Retry all", func() {
		p.u.run(func(ctx context.Context) error {
			_, err := p.u.Core.Outbox().RetryAll(ctx)
			p.refresh(ctx)
			return err
		})
	})
	top := container.NewVBox(p.Destinations, container.NewHBox(p.RetryButton, p.CancelButton, p.DeleteButton, p.RetryAll), p.Selected)
	p.content = container.NewBorder(top, nil, nil, nil, p.List)
	return p
}

// enableFor enables the buttons that apply to an entry in state s (none for
// ""): what app/outbox's Retry, Cancel and Delete accept.
func (p *OutboxPanel) enableFor(s app.OutboxState) {
	set := func(b *widget.Button, on bool) {
		if on {
			b.Enable()
		} else {
			b.Disable()
		}
	}
	set(p.RetryButton, s == app.OutboxQueued || s == app.OutboxFailed || s == app.OutboxRefused || s == app.OutboxCancelled)
	set(p.CancelButton, s == app.OutboxQueued || s == app.OutboxFailed)
	set(p.DeleteButton, s == app.OutboxSent || s == app.OutboxRefused || s == app.OutboxFailed || s == app.OutboxCancelled)
}

// showSelected details entry e and enables its buttons; on the UI goroutine.
func (p *OutboxPanel) showSelected(e app.OutboxEntry) {
	text := p.line(e)
	if e.LastError != "" {
		text = strings.TrimSuffix(text, "  — "+e.LastError) + "\n" + e.LastError
	}
	p.Selected.SetText(text)
	p.enableFor(e.State)
}

// newList lists the entries, one line each with its state's icon and colour.
func (p *OutboxPanel) newList() *widget.List {
	return widget.NewList(
		func() int { p.mu.Lock(); defer p.mu.Unlock(); return len(p.entries) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("#12  queued   local broker  ivo://example/stream#1  attempts 3  next try at 22:41:07 — connection refused")
			l.Truncation = fyne.TextTruncateEllipsis
			return container.NewBorder(nil, nil, widget.NewIcon(theme.InfoIcon()), nil, l)
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			p.mu.Lock()
			var e app.OutboxEntry
			if id < len(p.entries) {
				e = p.entries[id]
			}
			p.mu.Unlock()
			c := o.(*fyne.Container)
			l, icon := c.Objects[0].(*widget.Label), c.Objects[1].(*widget.Icon)
			res, imp := stateLook(sendStateOf(e.State))
			icon.SetResource(res)
			l.Importance = imp
			l.SetText(p.line(e))
		})
}

// sendStateOf is the Send line state that looks like outbox state s.
func sendStateOf(s app.OutboxState) app.SendState {
	switch s {
	case app.OutboxSent:
		return app.SendAcked
	case app.OutboxRefused:
		return app.SendRefused
	case app.OutboxFailed:
		return app.SendFailed
	case app.OutboxCancelled:
		return app.SendCancelled
	case app.OutboxSending:
		return app.SendSending
	}
	return app.SendQueued
}

// name is how destination d is shown: "local broker (127.0.0.1:8098)".
func (p *OutboxPanel) name(d string) string {
	p.mu.Lock()
	n := p.names[d]
	p.mu.Unlock()
	if n != "" {
		return n + " (" + d + ")"
	}
	return d
}

// line words an entry; p.mu must not be held.
func (p *OutboxPanel) line(e app.OutboxEntry) string {
	if e.ID == 0 {
		return ""
	}
	parts := []string{fmt.Sprintf("#%d", e.ID), fmt.Sprintf("%-8s", e.State), p.name(e.Destination), e.IVORN, fmt.Sprintf("attempts %d", e.Attempts)}
	if e.State == app.OutboxQueued && !e.NextAttempt.IsZero() {
		if time.Until(e.NextAttempt) > 0 { // a time, not a countdown: the list is redrawn on changes only
			parts = append(parts, "next try at "+e.NextAttempt.Format(time.TimeOnly))
		}
	}
	if e.LastError != "" {
		parts = append(parts, "— "+e.LastError)
	}
	return strings.Join(parts, "  ")
}

func (p *OutboxPanel) refresh(ctx context.Context) {
	entries, err := p.u.Core.Outbox().List(ctx, "", 1000)
	if err != nil {
		fyne.Do(func() { p.Selected.SetText("Cannot read the outbox: " + err.Error()) })
		return
	}
	names := p.u.Core.Outbox().DestinationNames(ctx)
	dests := p.u.Core.Outbox().DestinationStates()
	p.mu.Lock()
	p.entries, p.names = entries, names
	var sel *app.OutboxEntry
	for i := range entries {
		if entries[i].ID == p.selected {
			sel = &entries[i]
		}
	}
	p.mu.Unlock()
	fyne.Do(func() {
		p.showDestinations(dests)
		p.List.Refresh()
		if sel != nil {
			p.showSelected(*sel)
		} else {
			p.enableFor("")
		}
	})
}

// showDestinations shows one row per destination; on the UI goroutine.
func (p *OutboxPanel) showDestinations(dests []outbox.DestinationState) {
	sort.Slice(dests, func(i, j int) bool { return dests[i].Name < dests[j].Name })
	objs := make([]fyne.CanvasObject, 0, len(dests))
	for _, d := range dests {
		if d.Queued == 0 {
			continue
		}
		r := p.dests[d.Name]
		if r == nil {
			name := d.Name
			r = &destRow{Label: widget.NewLabel("")}
			r.Label.Truncation = fyne.TextTruncateEllipsis
			r.Retry = widget.NewButton("Retry now", func() { p.retryDestination(name) })
			r.content = container.NewBorder(nil, nil, nil, container.NewVBox(r.Retry), r.Label)
			p.dests[d.Name] = r
		}
		state, imp := "● online", widget.SuccessImportance
		if !d.Online {
			state, imp = "○ offline", widget.WarningImportance
		}
		line := fmt.Sprintf("%s  %s — %d waiting", state, p.name(d.Name), d.Queued)
		if !d.NextAttempt.IsZero() {
			if time.Until(d.NextAttempt) > 0 {
				line += ", next try at " + d.NextAttempt.Format(time.TimeOnly)
			}
		}
		if !d.Online && d.LastError != "" {
			line += "\n" + d.LastError
		}
		r.Label.Importance = imp
		r.Label.SetText(line)
		objs = append(objs, r.content)
	}
	if len(objs) == 0 {
		objs = append(objs, p.empty)
	}
	p.Destinations.Objects = objs
	p.Destinations.Refresh()
}

func (p *OutboxPanel) retryDestination(name string) {
	p.u.run(func(ctx context.Context) error {
		_, err := p.u.Core.Outbox().RetryDestination(ctx, name)
		p.refresh(ctx)
		return err
	})
}

// DestinationRow is the row of destination name ("host:port"), or nil; tests use it.
func (p *OutboxPanel) DestinationRow(name string) (label *widget.Label, retry *widget.Button) {
	if r := p.dests[name]; r != nil {
		return r.Label, r.Retry
	}
	return nil, nil
}

// Entries returns the entries shown; tests use it.
func (p *OutboxPanel) Entries() []app.OutboxEntry {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]app.OutboxEntry(nil), p.entries...)
}
