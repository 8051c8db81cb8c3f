package ui

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/netcore/kafka"
)

// KafkaView lists the saved Kafka sources with their live health. The list
// is read from the core when it changes; health comes by push (the core's
// watch) and, for the "ago" texts, from memory on the window's clock.
type KafkaView struct {
	u       *Window
	content fyne.CanvasObject
	box     *fyne.Container
	Empty   *widget.Label

	mu      sync.Mutex
	sources []app.KafkaSource
	health  map[int64]kafka.Health
	rows    map[int64]*KafkaRow
	stale   bool
	pushed  chan struct{}
	// Form is the last "Edit Kafka source" dialog opened.
	Form *KafkaForm
}

// KafkaRow is one source's lines and buttons.
type KafkaRow struct {
	ID       int64
	Title    *widget.Label
	Activity *widget.Label
	Lag      *widget.Label
	Warning  *widget.Label
	Pause    *widget.Button
	Backfill *widget.Button
	Edit     *widget.Button
	Remove   *widget.Button
	content  fyne.CanvasObject
}

func newKafkaView(u *Window) *KafkaView {
	v := &KafkaView{u: u, box: container.NewVBox(), health: map[int64]kafka.Health{}, rows: map[int64]*KafkaRow{},
		stale: true, pushed: make(chan struct{}, 1)}
	v.Empty = widget.NewLabel("No Kafka source yet: \"Add Kafka source…\" reads GCN, Hopskotch or any cluster.")
	v.box.Add(v.Empty)
	v.content = container.NewVScroll(v.box)
	go v.watch()
	return v
}

// healthChanged takes a source's new health, pushed by the core; it never blocks.
func (v *KafkaView) healthChanged(s app.SourceHealth) {
	v.mu.Lock()
	v.health[s.ID] = s.Health
	v.mu.Unlock()
	select {
	case v.pushed <- struct{}{}:
	default:
	}
}

// watch applies pushed health changes until the window closes.
func (v *KafkaView) watch() {
	for {
		select {
		case <-v.u.stop:
			return
		case <-v.pushed:
			v.mu.Lock()
			missing := false
			for id := range v.health {
				missing = missing || v.rows[id] == nil
			}
			v.mu.Unlock()
			if missing { // a source added, or one removed that said goodbye
				v.reload(v.u.ctx)
			}
			v.apply(time.Now())
		}
	}
}

// refresh reads the list again if it changed, then health from memory.
func (v *KafkaView) refresh(ctx context.Context) {
	v.mu.Lock()
	stale := v.stale
	v.mu.Unlock()
	if stale {
		v.reload(ctx)
	}
	hs := v.u.Core.Sources().KafkaHealth()
	v.mu.Lock()
	for id, h := range hs {
		v.health[id] = h
	}
	v.mu.Unlock()
	v.apply(time.Now())
}

// changed marks the list to be read again and reads it, off the UI goroutine.
func (v *KafkaView) changed() {
	v.mu.Lock()
	v.stale = true
	v.mu.Unlock()
	go v.refresh(v.u.ctx)
}

// reload reads the sources from the core and rebuilds the rows.
func (v *KafkaView) reload(ctx context.Context) {
	ss, err := v.u.Core.Sources().Kafka(ctx)
	if err != nil {
		fyne.Do(func() { v.Empty.SetText("Cannot list the Kafka sources: " + err.Error()); v.Empty.Show() })
		return
	}
	v.show(ss)
}

// show takes ss as the list of sources and rebuilds the rows on the UI
// goroutine, waiting for it, so that an apply that follows finds every row.
// Call it off the UI goroutine.
func (v *KafkaView) show(ss []app.KafkaSource) {
	v.mu.Lock()
	v.stale = false
	v.sources = ss
	health := make(map[int64]kafka.Health, len(ss))
	for _, s := range ss {
		health[s.ID] = s.Health
		if h, ok := v.health[s.ID]; ok && h.Since.After(s.Health.Since) {
			health[s.ID] = h
		}
	}
	v.health = health
	v.mu.Unlock()
	fyne.DoAndWait(func() {
		rows := map[int64]*KafkaRow{}
		objs := []fyne.CanvasObject{v.Empty}
		for _, s := range ss {
			r := v.rows[s.ID]
			if r == nil {
				r = v.newRow(s)
			}
			rows[s.ID] = r
			objs = append(objs, r.content)
		}
		v.mu.Lock()
		v.rows = rows
		v.mu.Unlock()
		if len(ss) == 0 {
			v.Empty.Show()
		} else {
			v.Empty.Hide()
		}
		v.box.Objects = objs
		v.box.Refresh()
	})
}

// apply writes the health of every row.
func (v *KafkaView) apply(now time.Time) {
	type line struct {
		r                     *KafkaRow
		title, act, lag, warn string
		paused                bool
	}
	v.mu.Lock()
	var lines []line
	for _, s := range v.sources {
		r := v.rows[s.ID]
		if r == nil {
			continue
		}
		h := v.health[s.ID]
		lines = append(lines, line{r, kafkaTitle(s, h), kafkaActivity(h, now), kafkaLag(h), sourceWarning(h, now), s.Paused})
	}
	v.mu.Unlock()
	fyne.Do(func() {
		for _, l := range lines {
			l.r.Title.SetText(l.title)
			l.r.Activity.SetText(l.act)
			l.r.Lag.SetText(l.lag)
			l.r.Warning.SetText(l.warn)
			if l.paused {
				l.r.Pause.SetText("Resume")
			} else {
				l.r.Pause.SetText("Pause")
			}
			if l.warn == "" {
				l.r.Warning.Hide()
			} else {
				l.r.Warning.Show()
			}
		}
	})
}

func (v *KafkaView) newRow(s app.KafkaSource) *KafkaRow {
	id := s.ID
	r := &KafkaRow{ID: id, Title: widget.NewLabel(""), Activity: widget.NewLabel(""), Lag: widget.NewLabel(""),
		Warning: widget.NewLabel("")}
	r.Title.TextStyle.Bold = true
	r.Title.Truncation = fyne.TextTruncateEllipsis
	r.Activity.Truncation = fyne.TextTruncateEllipsis
	r.Lag.Truncation = fyne.TextTruncateEllipsis
	r.Warning.Importance = widget.DangerImportance
	r.Warning.Wrapping = fyne.TextWrapWord
	r.Warning.Hide()
	r.Pause = widget.NewButton("Pause", func() {
		if r.Pause.Text == "Resume" {
			v.Resume(id)
		} else {
			v.Pause(id)
		}
	})
	r.Backfill = widget.NewButton("Backfill from…", func() { v.askBackfill(id, s.Name) })
	r.Edit = widget.NewButton("Edit…", func() { v.edit(id) })
	r.Remove = widget.NewButton("Remove", func() {
		dialog.ShowConfirm("Remove Kafka source", "Stop reading "+s.Name+" and delete its saved credentials?",
			func(ok bool) {
				if ok {
					v.Remove(id)
				}
			}, v.u.Win)
	})
	buttons := container.NewHBox(r.Edit, r.Pause, r.Backfill, r.Remove)
	r.content = container.NewVBox(container.NewBorder(nil, nil, nil, buttons, r.Title), r.Activity, r.Lag, r.Warning,
		widget.NewSeparator())
	return r
}

// Rows returns the rows shown, by source id; tests use it.
func (v *KafkaView) Rows() map[int64]*KafkaRow {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := make(map[int64]*KafkaRow, len(v.rows))
	for id, r := range v.rows {
		out[id] = r
	}
	return out
}

// act runs a change of a source off the UI goroutine, then reads the list again.
func (v *KafkaView) act(f func(ctx context.Context) error) {
	v.u.run(func(ctx context.Context) error {
		err := f(ctx)
		v.changed()
		return err
	})
}

// edit opens the saved source id in the "Edit Kafka source" dialog; the
// list is read again once it is saved. Form is the dialog, for tests.
func (v *KafkaView) edit(id int64) {
	v.mu.Lock()
	i := slices.IndexFunc(v.sources, func(s app.KafkaSource) bool { return s.ID == id })
	var s app.KafkaSource
	if i >= 0 {
		s = v.sources[i]
	}
	v.mu.Unlock()
	if i < 0 {
		return
	}
	v.Form = v.u.showKafkaEdit(s, func(int64) { v.changed() })
}

// Pause pauses a source.
func (v *KafkaView) Pause(id int64) {
	v.act(func(ctx context.Context) error { return v.u.Core.Sources().PauseKafka(ctx, id) })
}

// Resume resumes a paused source.
func (v *KafkaView) Resume(id int64) {
	v.act(func(ctx context.Context) error { return v.u.Core.Sources().ResumeKafka(ctx, id) })
}

// Remove stops and forgets a source and its credentials.
func (v *KafkaView) Remove(id int64) {
	v.act(func(ctx context.Context) error { return v.u.Core.Sources().RemoveKafka(ctx, id) })
}

// askBackfill asks where to read a source again from, and does it.
func (v *KafkaView) askBackfill(id int64, name string) {
	pick := newFromPicker(fromDay)
	msg := widget.NewLabel("Events already in the archive are skipped as previously seen.")
	msg.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm("Backfill "+name, "Backfill", "Cancel", container.NewVBox(pick.box, msg), func(ok bool) {
		if !ok {
			return
		}
		s, err := pick.value()
		if err != nil {
			showError(v.u.Win, err)
			return
		}
		from, err := kafka.ParseFrom(s, time.Now())
		if err != nil {
			showError(v.u.Win, fmt.Errorf("backfill: %v", err))
			return
		}
		v.act(func(ctx context.Context) error { return v.u.Core.Sources().BackfillKafka(ctx, id, from) })
	}, v.u.Win)
	d.Resize(fyne.NewSize(420, 220))
	d.Show()
}
