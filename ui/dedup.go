package ui

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/starling-broker/starling/netcore/seen"
)

// DedupPanel shows how the seen-list refuses previously seen events.
type DedupPanel struct {
	u       *Window
	content fyne.CanvasObject

	CacheHits, CacheMisses, HitRatio, StoreHits, Entries *widget.Label
	Recent                                               *widget.List
	Search                                               *widget.Entry
	Results                                              *widget.List

	mu      sync.Mutex
	recent  []seen.Refusal
	results []seen.Entry
	query   string
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
	p.Recent = newLineList(&p.mu, &p.recent, refusalLine, "00:00:00  duplicate  ivo://example/stream#1  from 127.0.0.1:5000  caught by cache")
	p.Search = widget.NewEntry()
	p.Search.SetPlaceHolder("search the seen-list by IVORN")
	p.Search.OnChanged = func(s string) {
		p.mu.Lock()
		p.query = s
		p.mu.Unlock()
		go p.search(u.ctx, s)
	}
	p.Results = newLineList(&p.mu, &p.results, entryLine, "2026-01-01 00:00:00  ivo://example/stream#1  from 127.0.0.1:5000")
	recent := container.NewBorder(widget.NewLabelWithStyle("Recent refusals", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), nil, nil, nil, p.Recent)
	search := container.NewBorder(p.Search, nil, nil, nil, p.Results)
	split := container.NewVSplit(recent, search)
	p.content = container.NewBorder(stats, nil, nil, nil, split)
	return p
}

func entryLine(e seen.Entry) string {
	if e.IVORN == "" {
		return ""
	}
	return e.FirstSeen.Local().Format("2006-01-02 15:04:05") + "  " + e.IVORN + "  from " + e.Source
}

func refusalLine(r seen.Refusal) string {
	if r.IVORN == "" {
		return ""
	}
	parts := []string{r.At.Local().Format("15:04:05"), r.Verdict.String(), r.IVORN}
	if r.Source != "" {
		parts = append(parts, "from "+r.Source)
	}
	parts = append(parts, "caught by "+string(r.CaughtBy))
	return strings.Join(parts, "  ")
}

func (p *DedupPanel) search(ctx context.Context, q string) {
	res, err := p.u.Core.Archive().SearchSeen(ctx, q, 200)
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
	p.mu.Lock()
	p.recent = d.Recent
	q := p.query
	p.mu.Unlock()
	p.search(ctx, q)
	fyne.Do(func() {
		p.CacheHits.SetText(fmt.Sprint(d.Stats.CacheHits))
		p.CacheMisses.SetText(fmt.Sprint(d.Stats.CacheMisses))
		p.HitRatio.SetText(fmt.Sprintf("%.0f %%", 100*d.Stats.HitRatio()))
		p.StoreHits.SetText(fmt.Sprint(d.Stats.StoreHits))
		p.Entries.SetText(fmt.Sprint(d.Entries))
		p.Recent.Refresh()
	})
}
