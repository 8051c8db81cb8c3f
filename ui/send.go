package ui

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/starling-broker/starling/app"
)

// maxFileSize bounds a file read for sending (a frame is at most 1 MiB by default).
const maxFileSize = 16 << 20

// SendPanel checks dropped, opened or pasted events and queues the good
// ones; each file's line follows its outbox entry (queued, sending, acked,
// refused with the broker's reason).
type SendPanel struct {
	u       *Window
	content fyne.CanvasObject

	Destination *widget.Select
	Paste       *widget.Entry
	PasteButton *widget.Button
	// AddKafkaDest opens the form that saves a Kafka topic as a destination.
	AddKafkaDest *widget.Button
	Lines        *fyne.Container
	Status       *widget.Label

	mu sync.Mutex
	// kafkaForm is the Kafka destination form last shown (tests fill it).
	kafkaForm *KafkaDestForm
	lines     []app.SendLine // newest first
	dests     []app.Destination
	rows      map[int64]*sendRow // on the UI goroutine only
	// draft is the paste entry's latest text and chosen the destination's;
	// saveMu orders their saving.
	draft  string
	chosen string
	saveMu sync.Mutex
	// shown, when set, is called on the UI goroutine with every line shown (tests).
	shown func(app.SendLine)
}

type sendItem struct {
	line app.SendLine
	raw  []byte
}

func newSendPanel(u *Window) *SendPanel {
	p := &SendPanel{u: u, rows: map[int64]*sendRow{}}
	p.Destination = widget.NewSelect(nil, func(label string) {
		p.mu.Lock()
		p.chosen = label
		p.mu.Unlock()
		go p.saveChoice()
	})
	p.Destination.PlaceHolder = "choose where to send"
	p.Paste = widget.NewMultiLineEntry()
	p.Paste.SetPlaceHolder("…or paste a VOEvent's XML here (kept until it is sent)")
	p.Paste.SetMinRowsVisible(4)
	p.Paste.Wrapping = fyne.TextWrapOff
	p.Paste.OnChanged = func(text string) {
		p.mu.Lock()
		p.draft = text
		p.mu.Unlock()
		go p.saveDraft()
	}
	p.Status = widget.NewLabel("Drop VOEvent XML files anywhere on this window, or open them.")
	p.Status.Wrapping = fyne.TextWrapWord
	p.Lines = container.NewVBox()
	open := widget.NewButton("Open files…", p.openDialog)
	p.PasteButton = widget.NewButton("Check and queue pasted XML", p.sendPaste)
	addDest := widget.NewButton("New destination…", p.newDestination)
	p.AddKafkaDest = widget.NewButton("New Kafka destination…", p.newKafkaDestination)
	top := container.NewVBox(
		container.NewBorder(nil, nil, widget.NewLabel("Send to"), container.NewHBox(addDest, p.AddKafkaDest), p.Destination),
		container.NewHBox(open),
		p.Paste, p.PasteButton, p.Status,
	)
	p.content = container.NewBorder(top, nil, nil, nil, container.NewVScroll(p.Lines))
	go func() {
		if d := u.Core.Sends().PasteDraft(); d != "" {
			fyne.Do(func() {
				if p.Paste.Text == "" {
					p.Paste.SetText(d)
				}
			})
		}
	}()
	return p
}

// show adds or updates the line with ln's key; call it on the UI goroutine.
func (p *SendPanel) show(ln app.SendLine) {
	r := p.rows[ln.Key]
	p.mu.Lock()
	if r == nil {
		p.lines = append([]app.SendLine{ln}, p.lines...)
	} else {
		for i := range p.lines {
			if p.lines[i].Key == ln.Key {
				p.lines[i] = ln
			}
		}
	}
	n, bad, waiting := len(p.lines), 0, 0
	for _, l := range p.lines {
		switch {
		case l.Waiting():
			waiting++
		case l.State != app.SendAcked:
			bad++
		}
	}
	p.mu.Unlock()
	if r == nil {
		r = newSendRow()
		p.rows[ln.Key] = r
		p.Lines.Objects = append([]fyne.CanvasObject{r.content}, p.Lines.Objects...)
		p.trim()
	}
	r.set(ln)
	p.Lines.Refresh()
	p.Status.SetText(fmt.Sprintf("%d files: %d in progress, %d not delivered (reason on the line).", n, waiting, bad))
	if ln.Pasted && ln.State == app.SendAcked {
		sum := sha256.Sum256([]byte(p.Paste.Text))
		if hex.EncodeToString(sum[:]) == ln.Digest {
			p.Paste.SetText("")
		}
	}
	if p.shown != nil {
		p.shown(ln)
	}
}

// trim forgets the oldest lines beyond app.MaxSendLines; on the UI goroutine.
func (p *SendPanel) trim() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.lines) > app.MaxSendLines {
		old := p.lines[len(p.lines)-1]
		p.lines = p.lines[:len(p.lines)-1]
		delete(p.rows, old.Key)
	}
	if len(p.Lines.Objects) > len(p.lines) {
		p.Lines.Objects = p.Lines.Objects[:len(p.lines)]
	}
}

// close stops following the send history.
// loadHistory shows the send history, oldest first. UI goroutine; the
// window watches the core first, so a line pushed meanwhile is shown after.
func (p *SendPanel) loadHistory() {
	history := p.u.Core.Sends().Lines()
	for i := len(history) - 1; i >= 0; i-- {
		p.show(history[i])
	}
}

func (p *SendPanel) sendPaste() {
	text := p.Paste.Text
	if strings.TrimSpace(text) == "" {
		p.Status.SetText("Nothing pasted.")
		return
	}
	p.mu.Lock()
	p.draft = text
	p.mu.Unlock()
	go func() {
		p.saveDraft()
		ln := p.u.Core.Sends().Add(app.SendLine{Name: "pasted XML", State: app.SendChecking, Pasted: true})
		p.checkAndSend([]sendItem{{ln, []byte(text)}})
	}()
}

// AddPaths reads and checks files (off the UI goroutine) and queues the good
// ones, with one confirmation for all real events to a remote broker. JSON
// alerts and sky maps, which VTP does not carry, open in a viewer instead.
func (p *SendPanel) AddPaths(paths []string) {
	view, paths := viewablePaths(paths)
	p.u.openViewers(view)
	lines := make([]app.SendLine, len(paths))
	for i, path := range paths {
		lines[i] = p.u.Core.Sends().Add(app.SendLine{Name: filepath.Base(path), State: app.SendChecking})
	}
	go func() {
		var items []sendItem
		for i, path := range paths {
			raw, err := readLimited(path)
			if err != nil {
				ln := lines[i]
				ln.State, ln.Reason = app.SendInvalid, err.Error()
				p.u.Core.Sends().Update(ln)
				continue
			}
			items = append(items, sendItem{lines[i], raw})
		}
		p.checkAndSend(items)
	}()
}

// AddData checks one event given as bytes and queues it if it is good.
func (p *SendPanel) AddData(name string, raw []byte) {
	ln := p.u.Core.Sends().Add(app.SendLine{Name: name, State: app.SendChecking})
	go p.checkAndSend([]sendItem{{ln, raw}})
}

// checkAndSend runs off the UI goroutine: it checks every item, queues the
// good ones for the chosen destination and asks once before sending real
// events to a broker other than the local one.
func (p *SendPanel) checkAndSend(items []sendItem) {
	var good []sendItem
	for _, it := range items {
		ev, err := p.u.Core.Check(it.raw)
		if ev != nil {
			it.line.IVORN, it.line.Role = ev.IVORN, ev.Role
		}
		if err != nil {
			it.line.State, it.line.Reason = app.SendInvalid, describeRejection(err)
			p.u.Core.Sends().Update(it.line)
			continue
		}
		good = append(good, it)
	}
	if len(good) == 0 {
		return
	}
	dest, ok := p.destination()
	if !ok {
		for _, it := range good {
			it.line.State, it.line.Reason = app.SendValid, "choose a destination, then send it again"
			p.u.Core.Sends().Update(it.line)
		}
		return
	}
	var real []sendItem
	for _, it := range good {
		if !dest.Local && it.line.Role != "test" {
			real = append(real, it)
			continue
		}
		p.queue(it, dest)
	}
	if len(real) > 0 {
		p.ask(real, dest)
	}
}

// destination is the chosen destination, or the first one (the local
// broker) when none is chosen yet.
func (p *SendPanel) destination() (app.Destination, bool) {
	p.mu.Lock()
	loaded := p.dests != nil
	p.mu.Unlock()
	if !loaded {
		p.refresh(p.u.ctx)
	}
	var sel string
	fyne.DoAndWait(func() { sel = p.Destination.Selected })
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, d := range p.dests {
		if d.Label() == sel {
			return d, true
		}
	}
	if sel == "" && len(p.dests) > 0 {
		return p.dests[0], true
	}
	return app.Destination{}, false
}

func (p *SendPanel) queue(it sendItem, dest app.Destination) {
	ctx, cancel := context.WithTimeout(p.u.ctx, 30*time.Second)
	defer cancel()
	p.u.Core.Sends().Queue(ctx, it.line, dest, it.raw)
}

// ask confirms, once for all of them, sending real (non-test) events to a
// broker other than the local one.
func (p *SendPanel) ask(items []sendItem, dest app.Destination) {
	what := "the non-test event"
	if len(items) > 1 {
		what = fmt.Sprintf("all %d non-test events", len(items))
	}
	msg := fmt.Sprintf("Send %s to %s?\nThat is a broker other than your local one: everyone subscribed there will receive them.", what, dest.Label())
	fyne.Do(func() {
		d := dialog.NewConfirm("Send real events?", msg, func(yes bool) {
			go func() {
				for _, it := range items {
					if yes {
						p.queue(it, dest)
						continue
					}
					it.line.Destination, it.line.State, it.line.Reason = dest.Label(), app.SendDeclined, "you declined to send it"
					p.u.Core.Sends().Update(it.line)
				}
			}()
		}, p.u.Win)
		d.SetConfirmText("Send")
		d.SetDismissText("Cancel")
		d.Show()
	})
}

func (p *SendPanel) refresh(ctx context.Context) {
	dests, err := p.u.Core.Outbox().Destinations(ctx)
	if err != nil {
		fyne.Do(func() { p.Status.SetText("Cannot list the saved destinations: " + err.Error()) })
	}
	saved := p.u.Core.Sends().LastDestination(ctx)
	p.mu.Lock()
	p.dests = dests
	p.mu.Unlock()
	labels := make([]string, len(dests))
	for i, d := range dests {
		labels[i] = d.Label()
	}
	fyne.DoAndWait(func() {
		sel := p.Destination.Selected
		p.Destination.SetOptions(labels)
		if sel == "" && len(labels) > 0 {
			sel = labels[0]
			for _, l := range labels {
				if l == saved {
					sel = l
				}
			}
			p.Destination.SetSelected(sel)
		}
	})
}
