package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/netcore/voevent"
)

// maxFileSize bounds a file read for sending (a frame is at most 1 MiB by default).
const maxFileSize = 16 << 20

// Verdict is what the Send panel found in one file.
type Verdict struct {
	Name    string
	IVORN   string
	Role    string
	OK      bool
	Problem string
	// Queued says the event went to the outbox; Note says where or why not.
	Queued bool
	Note   string
	raw    []byte
}

// Line is the verdict as one line of text.
func (v Verdict) Line() string {
	switch {
	case v.Name == "":
		return ""
	case !v.OK:
		return "✗ " + v.Name + ": " + v.Problem
	case v.Queued:
		return "✓ " + v.Name + ": " + v.IVORN + " (" + v.Role + ") — " + v.Note
	}
	return "• " + v.Name + ": " + v.IVORN + " (" + v.Role + ") — " + v.Note
}

// SendPanel checks dropped, opened or pasted events and queues the good ones.
type SendPanel struct {
	u       *Window
	content fyne.CanvasObject

	Destination *widget.Select
	Paste       *widget.Entry
	List        *widget.List
	Summary     *widget.Label

	mu       sync.Mutex
	verdicts []Verdict // newest first
	dests    []app.Destination
}

func newSendPanel(u *Window) *SendPanel {
	p := &SendPanel{u: u}
	p.Destination = widget.NewSelect(nil, nil)
	p.Destination.PlaceHolder = "choose where to send"
	p.Paste = widget.NewMultiLineEntry()
	p.Paste.SetPlaceHolder("…or paste a VOEvent's XML here")
	p.Paste.SetMinRowsVisible(4)
	p.Summary = widget.NewLabel("Drop VOEvent XML files anywhere on this window, or open them.")
	p.Summary.Wrapping = fyne.TextWrapWord
	p.List = newLineList(&p.mu, &p.verdicts, Verdict.Line, "✓ file.xml: ivo://example/stream#1 (test)")
	p.List.OnSelected = func(id widget.ListItemID) {
		p.mu.Lock()
		v := p.verdicts[id]
		p.mu.Unlock()
		dialog.ShowInformation(v.Name, v.Line(), u.Win)
		p.List.UnselectAll()
	}
	open := widget.NewButton("Open files…", p.openDialog)
	sendPaste := widget.NewButton("Check and queue pasted XML", func() {
		text := p.Paste.Text
		if strings.TrimSpace(text) == "" {
			p.Summary.SetText("Nothing pasted.")
			return
		}
		p.Paste.SetText("")
		p.AddData("pasted XML", []byte(text))
	})
	addDest := widget.NewButton("New destination…", p.newDestination)
	top := container.NewVBox(
		container.NewBorder(nil, nil, widget.NewLabel("Send to"), addDest, p.Destination),
		container.NewHBox(open),
		p.Paste, sendPaste, p.Summary,
	)
	p.content = container.NewBorder(top, nil, nil, nil, p.List)
	return p
}

func (p *SendPanel) openDialog() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			showError(p.u.Win, err)
			return
		}
		if r == nil {
			return
		}
		path := r.URI().Path()
		r.Close()
		p.AddPaths([]string{path})
	}, p.u.Win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".xml", ".XML"}))
	d.Show()
}

func (p *SendPanel) newDestination() {
	name := widget.NewEntry()
	name.SetPlaceHolder("a name, e.g. 4pisky")
	addr := widget.NewEntry()
	addr.SetPlaceHolder("host:port, e.g. voevent.example.org:8098")
	dialog.ShowForm("New destination", "Save", "Cancel", []*widget.FormItem{
		widget.NewFormItem("Name", name), widget.NewFormItem("Address", addr),
	}, func(ok bool) {
		if !ok {
			return
		}
		n, a := strings.TrimSpace(name.Text), strings.TrimSpace(addr.Text)
		p.u.run(func(ctx context.Context) error {
			if err := p.u.Core.SaveDestination(ctx, n, a); err != nil {
				return err
			}
			p.refresh(ctx)
			do(func() { p.Destination.SetSelected(n + " (" + a + ")") })
			return nil
		})
	}, p.u.Win)
}

// AddPaths reads and checks files (off the UI goroutine) and queues the good ones.
func (p *SendPanel) AddPaths(paths []string) {
	go func() {
		for _, path := range paths {
			raw, err := readLimited(path)
			if err != nil {
				p.add([]Verdict{{Name: filepath.Base(path), Problem: err.Error()}})
				continue
			}
			p.check(filepath.Base(path), raw)
		}
	}()
}

// AddData checks one event given as bytes and queues it if it is good.
func (p *SendPanel) AddData(name string, raw []byte) {
	go p.check(name, raw)
}

func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot open: %v", errors.Unwrap(err))
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read: %v", err)
	}
	if len(raw) > maxFileSize {
		return nil, fmt.Errorf("larger than %d MiB: not a VOEvent", maxFileSize>>20)
	}
	return raw, nil
}

// check runs off the UI goroutine.
func (p *SendPanel) check(name string, raw []byte) {
	v := Verdict{Name: name, raw: raw}
	ev, err := p.u.Core.Checker.Check(raw)
	if err != nil {
		v.Problem = describeRejection(err)
		if ev != nil {
			v.IVORN = ev.IVORN
		}
		p.add([]Verdict{v})
		return
	}
	v.OK, v.IVORN, v.Role = true, ev.IVORN, ev.Role
	dest, ok := p.destination()
	switch {
	case !ok:
		v.Note = "valid; choose a destination, then drop it again"
	case !dest.Local && ev.Role != "test":
		p.confirm(v, dest)
		return
	default:
		v = p.queue(v, dest)
	}
	p.add([]Verdict{v})
}

func describeRejection(err error) string { return voevent.Describe(err) }

// destination is the chosen destination, or the first one (the local
// broker) when none is chosen yet.
func (p *SendPanel) destination() (app.Destination, bool) {
	p.mu.Lock()
	loaded := p.dests != nil
	p.mu.Unlock()
	if !loaded {
		p.refresh(context.Background())
	}
	var sel string
	doAndWait(func() { sel = p.Destination.Selected })
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

func (p *SendPanel) queue(v Verdict, dest app.Destination) Verdict {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := p.u.Core.Queue(ctx, dest, v.raw); err != nil {
		v.Note = "not queued: " + voevent.Describe(err)
		return v
	}
	v.Queued, v.Note = true, "queued for "+dest.Label()
	return v
}

// confirm asks before sending a real (non-test) event to another broker.
func (p *SendPanel) confirm(v Verdict, dest app.Destination) {
	do(func() {
		msg := fmt.Sprintf("%s is a %q event, not a test.\nSend it to %s, a broker other than your local one?\nEveryone subscribed there will receive it.", v.IVORN, v.Role, dest.Label())
		dialog.ShowConfirm("Send a real event?", msg, func(yes bool) {
			go func() {
				if yes {
					v = p.queue(v, dest)
				} else {
					v.Note = "not sent (you declined)"
				}
				p.add([]Verdict{v})
			}()
		}, p.u.Win)
	})
}

func (p *SendPanel) add(vs []Verdict) {
	p.mu.Lock()
	p.verdicts = append(vs, p.verdicts...)
	n := len(p.verdicts)
	bad := 0
	for _, v := range p.verdicts {
		if !v.OK {
			bad++
		}
	}
	p.mu.Unlock()
	do(func() {
		p.Summary.SetText(fmt.Sprintf("%d checked, %d with problems. Select a line for details.", n, bad))
		p.List.Refresh()
	})
}

// Verdicts returns what the panel has checked, newest first.
func (p *SendPanel) Verdicts() []Verdict {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Verdict(nil), p.verdicts...)
}

func (p *SendPanel) refresh(ctx context.Context) {
	dests, err := p.u.Core.Destinations(ctx)
	if err != nil {
		return
	}
	p.mu.Lock()
	p.dests = dests
	p.mu.Unlock()
	labels := make([]string, len(dests))
	for i, d := range dests {
		labels[i] = d.Label()
	}
	do(func() {
		sel := p.Destination.Selected
		p.Destination.SetOptions(labels)
		if sel == "" && len(labels) > 0 {
			p.Destination.SetSelected(labels[0])
		}
	})
}
