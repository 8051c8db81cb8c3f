package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"github.com/starling-broker/starling/netcore/voevent"
)

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
		p.saveAndSelect(n, func(ctx context.Context) error { return p.u.Core.Outbox().SaveDestination(ctx, n, a) })
	}, p.u.Win)
}

// saveAndSelect saves a new destination named n with save, off the UI
// goroutine, then lists the destinations again and selects it.
func (p *SendPanel) saveAndSelect(n string, save func(context.Context) error) {
	p.u.run(func(ctx context.Context) error {
		if err := save(ctx); err != nil {
			return err
		}
		p.refresh(ctx)
		fyne.Do(func() {
			for _, o := range p.Destination.Options {
				if strings.HasPrefix(o, n+" (") {
					p.Destination.SetSelected(o)
				}
			}
		})
		return nil
	})
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

func describeRejection(err error) string { return voevent.Describe(err) }

// saveDraft keeps the paste entry's latest text in the data directory, so
// that pasted XML survives a restart until it is sent; it runs off the UI
// goroutine, and the latest text wins.
func (p *SendPanel) saveDraft() {
	p.saveMu.Lock()
	defer p.saveMu.Unlock()
	p.mu.Lock()
	text := p.draft
	p.mu.Unlock()
	if err := p.u.Core.Sends().SavePasteDraft(text); err != nil {
		fyne.Do(func() { p.Status.SetText("Could not keep the pasted XML in the data directory: " + err.Error()) })
	}
}

// saveChoice remembers the chosen destination for the next launch, off the
// UI goroutine; the latest choice wins.
func (p *SendPanel) saveChoice() {
	p.saveMu.Lock()
	defer p.saveMu.Unlock()
	p.mu.Lock()
	label := p.chosen
	p.mu.Unlock()
	if err := p.u.Core.Sends().SaveLastDestination(p.u.ctx, label); err != nil {
		fyne.Do(func() { p.Status.SetText("Could not remember the destination for the next launch: " + err.Error()) })
	}
}
