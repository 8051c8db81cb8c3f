package ui

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/starling-broker/starling/app"
)

// OutboxPanel lists what waits to be sent, and what became of it.
type OutboxPanel struct {
	u       *Window
	content fyne.CanvasObject

	List         *widget.List
	Destinations *widget.Label
	Selected     *widget.Label
	RetryButton  *widget.Button
	CancelButton *widget.Button
	DeleteButton *widget.Button

	mu       sync.Mutex
	entries  []app.OutboxEntry
	selected int64
}

func newOutboxPanel(u *Window) *OutboxPanel {
	p := &OutboxPanel{u: u}
	p.Destinations = widget.NewLabel("No destinations yet.")
	p.Destinations.Wrapping = fyne.TextWrapWord
	p.Selected = widget.NewLabel("Select an entry to retry, cancel or delete it.")
	p.Selected.Wrapping = fyne.TextWrapWord
	p.List = newLineList(&p.mu, &p.entries, outboxLine, "#12  queued   localhost:8098  ivo://example/stream#1  attempts 3  next 12:00:00  connection refused")
	p.List.OnSelected = func(id widget.ListItemID) {
		p.mu.Lock()
		e := p.entries[id]
		p.selected = e.ID
		p.mu.Unlock()
		p.Selected.SetText(outboxLine(e))
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
	p.RetryButton = widget.NewButton("Retry now", act(p.u.Core.RetryOutbox))
	p.CancelButton = widget.NewButton("Cancel", act(p.u.Core.CancelOutbox))
	p.DeleteButton = widget.NewButton("Delete", act(p.u.Core.DeleteOutbox))
	retryAll := widget.NewButton("Retry all", func() {
		p.u.run(func(ctx context.Context) error {
			err := p.u.Core.RetryAllOutbox(ctx)
			p.refresh(ctx)
			return err
		})
	})
	top := container.NewVBox(p.Destinations, container.NewHBox(p.RetryButton, p.CancelButton, p.DeleteButton, retryAll), p.Selected)
	p.content = container.NewBorder(top, nil, nil, nil, p.List)
	return p
}

func outboxLine(e app.OutboxEntry) string {
	if e.ID == 0 {
		return ""
	}
	parts := []string{fmt.Sprintf("#%d", e.ID), fmt.Sprintf("%-8s", e.State), e.Destination, e.IVORN, fmt.Sprintf("attempts %d", e.Attempts)}
	if e.State == app.OutboxQueued && !e.NextAttempt.IsZero() {
		if d := time.Until(e.NextAttempt); d > 0 {
			parts = append(parts, "next try in "+d.Round(time.Second).String())
		}
	}
	if e.LastError != "" {
		parts = append(parts, "— "+e.LastError)
	}
	return strings.Join(parts, "  ")
}

func (p *OutboxPanel) refresh(ctx context.Context) {
	entries, err := p.u.Core.OutboxEntries(ctx, 1000)
	if err != nil {
		return
	}
	dests := p.u.Core.OutboxDestinations()
	var lines []string
	for _, d := range dests {
		state := "● online"
		if !d.Online {
			state = "○ offline"
		}
		line := fmt.Sprintf("%s  %s — %d queued", state, d.Name, d.Queued)
		if !d.Online && d.LastError != "" {
			line += " (" + d.LastError + ")"
		}
		lines = append(lines, line)
	}
	text := "Nothing waiting: every destination is drained."
	if len(lines) > 0 {
		text = strings.Join(lines, "\n")
	}
	p.mu.Lock()
	p.entries = entries
	p.mu.Unlock()
	do(func() {
		p.Destinations.SetText(text)
		p.List.Refresh()
	})
}

// Entries returns the entries shown; tests use it.
func (p *OutboxPanel) Entries() []app.OutboxEntry {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]app.OutboxEntry(nil), p.entries...)
}
