package ui

import (
	"context"
	"fmt"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/starling-broker/starling/app"
)

// DedupPanel shows how the seen-list refuses previously seen events.
type DedupPanel struct {
	u       *Window
	content fyne.CanvasObject

	CacheHits, CacheMisses, HitRatio, StoreHits, Entries *widget.Label
	Recent                                               *widget.List
	Search                                               *widget.Entry
	Results                                              *widget.List
	// CacheLine explains the cache figures; NoRefusals stands in for an
	// empty refusal list.
	CacheLine, NoRefusals *widget.Label

	mu      sync.Mutex
	recent  []app.RefusalItem
	results []app.SeenItem
	query   string
	// now is when the refusals' "ago" is counted from (the last refresh).
	now time.Time
}

func newDedupPanel(u *Window) *DedupPanel {
	p := &DedupPanel{u: u}
	bold := func() *widget.Label {
		return widget.NewLabelWithStyle("0", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	p.CacheHits, p.CacheMisses, p.HitRatio, p.StoreHits, p.Entries = bold(), bold(), bold(), bold(), bold()
	stats := container.NewGridWithColumns(5,
		widget.NewCard("", "cache hits", p.CacheHits),
		widget.NewCard("", "cache misses", p.CacheMisses),
		widget.NewCard("", "hit ratio", p.HitRatio),
		widget.NewCard("", "seen-list hits", p.StoreHits),
		widget.NewCard("", "seen-list entries", p.Entries),
	)
	p.CacheLine = widget.NewLabel(app.DedupView{}.CacheText())
	p.CacheLine.Wrapping = fyne.TextWrapWord
	p.NoRefusals = widget.NewLabel(app.EmptyRefusalsText)
	p.NoRefusals.Wrapping = fyne.TextWrapWord
	p.Recent = newLineList(&p.mu, &p.recent, func(r app.RefusalItem) string { return r.Text(p.now) },
		"00:00:00 UTC (just now): refused 1201696 · Swift BAT position · 127.0.0.1:5000 (ivo://example/stream#1) from 127.0.0.1:5000: already seen")
	p.Search = widget.NewEntry()
	p.Search.SetPlaceHolder("search the seen-list by trigger, name or IVORN")
	p.Search.OnChanged = func(s string) {
		p.mu.Lock()
		p.query = s
		p.mu.Unlock()
		go p.search(u.ctx, s)
	}
	p.Results = newLineList(&p.mu, &p.results, app.SeenItem.Text,
		"first seen 2026-01-01 00:00:00 UTC: S230518h · LVK Preliminary · igwn.gwalert (sha256:0123456789ab…) from kafka: igwn.gwalert")
	recent := container.NewBorder(widget.NewLabelWithStyle("Recent refusals", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), nil, nil, nil,
		container.NewStack(p.Recent, container.NewVBox(p.NoRefusals)))
	search := container.NewBorder(p.Search, nil, nil, nil, p.Results)
	split := container.NewVSplit(recent, search)
	p.content = container.NewBorder(container.NewVBox(stats, p.CacheLine), nil, nil, nil, split)
	return p
}

func (p *DedupPanel) search(ctx context.Context, q string) {
	res, err := p.u.Core.Archive().SeenItems(ctx, q, 200)
	if err != nil {
		return
	}
	p.mu.Lock()
	if p.query != q {
		p.mu.Unlock()
		return // a newer search is under way
	}
	p.results = res
	p.mu.Unlock()
	fyne.Do(p.Results.Refresh)
}

func (p *DedupPanel) refresh(ctx context.Context) {
	d := p.u.Core.Archive().Dedup(ctx)
	recent := p.u.Core.Archive().Refusals(ctx, d)
	p.mu.Lock()
	p.recent, p.now = recent, time.Now()
	q := p.query
	p.mu.Unlock()
	p.search(ctx, q)
	fyne.Do(func() {
		p.CacheHits.SetText(fmt.Sprint(d.Stats.CacheHits))
		p.CacheMisses.SetText(fmt.Sprint(d.Stats.CacheMisses))
		p.HitRatio.SetText(fmt.Sprintf("%.0f %%", 100*d.Stats.HitRatio()))
		p.StoreHits.SetText(fmt.Sprint(d.Stats.StoreHits))
		p.Entries.SetText(fmt.Sprint(d.Entries))
		p.CacheLine.SetText(d.CacheText())
		if len(recent) == 0 {
			p.NoRefusals.Show()
		} else {
			p.NoRefusals.Hide()
		}
		p.Recent.Refresh()
	})
}
