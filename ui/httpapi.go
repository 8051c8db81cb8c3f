package ui

import (
	"context"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/starling-broker/starling/app/api"
)

// APIPanel is the HTTP API section of the settings: where the API
// listens, the token file it requires, and its switch. It starts again
// with the window when it was on.
type APIPanel struct {
	u       *Window
	content fyne.CanvasObject

	Address   *widget.Entry
	TokenFile *widget.Entry
	Choose    *widget.Button
	Toggle    *widget.Check
	State     *widget.Label

	// wasOn is whether the API ran when the window last closed: the
	// window starts it again.
	wasOn bool
	// quiet suppresses the toggle's callback while the panel sets it.
	quiet bool

	// op serialises starts and stops, which run off the UI goroutine;
	// running is the API serving, nil when off.
	op      sync.Mutex
	running *api.Running
}

func newAPIPanel(u *Window) *APIPanel {
	s := api.LoadSettings(u.ctx, u.Core)
	p := &APIPanel{u: u, wasOn: s.On}
	p.Address = widget.NewEntry()
	p.Address.SetText(s.Address)
	p.Address.SetPlaceHolder(api.DefaultAddress)
	p.TokenFile = widget.NewEntry()
	p.TokenFile.SetText(s.TokenFile)
	p.TokenFile.SetPlaceHolder("none: this computer only")
	p.Choose = widget.NewButton("Choose…", p.chooseToken)
	p.State = widget.NewLabel("Stopped")
	p.State.Wrapping = fyne.TextWrapWord
	p.Toggle = widget.NewCheck("HTTP API on (voeventdb API v1, live feed, cone search)", func(on bool) {
		if !p.quiet {
			p.SetRunning(on)
		}
	})
	form := widget.NewForm(
		widget.NewFormItem("Address", p.Address),
		widget.NewFormItem("Token file", container.NewBorder(nil, nil, nil, p.Choose, p.TokenFile)),
	)
	p.content = container.NewVBox(widget.NewSeparator(),
		widget.NewLabelWithStyle("HTTP API", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		p.Toggle, p.State, form)
	return p
}

// chooseToken picks the token file with the toolkit's file dialog.
func (p *APIPanel) chooseToken() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		p.TokenFile.SetText(r.URI().Path())
		r.Close()
	}, p.u.Win)
	d.Show()
}

// setToggle sets the switch without starting or stopping anything.
func (p *APIPanel) setToggle(on bool) {
	p.quiet = true
	p.Toggle.SetChecked(on)
	p.quiet = false
}

// settings are the section's fields as the API takes them.
func (p *APIPanel) settings(on bool) api.Settings {
	addr := strings.TrimSpace(p.Address.Text)
	if addr == "" {
		addr = api.DefaultAddress
	}
	return api.Settings{Address: addr, TokenFile: strings.TrimSpace(p.TokenFile.Text), On: on}
}

// SetRunning starts or stops the API; it returns at once (listening and
// reading the token file happen off the UI goroutine) and the state line
// tells how it went. Call it on the UI goroutine.
func (p *APIPanel) SetRunning(on bool) {
	s := p.settings(on)
	if !on {
		p.State.SetText("Stopping…")
		go func() {
			p.op.Lock()
			defer p.op.Unlock()
			p.stop()
			saveErr := api.SaveSettings(context.WithoutCancel(p.u.ctx), p.u.Core, s)
			fyne.Do(func() {
				p.setToggle(false)
				p.State.SetText("Stopped" + unsaved(saveErr))
			})
		}()
		return
	}
	p.setToggle(true)
	p.State.SetText("Starting…")
	go func() {
		p.op.Lock()
		defer p.op.Unlock()
		p.stop()
		r, err := api.Start(p.u.ctx, p.u.Core, s, nil)
		if err != nil {
			fyne.Do(func() {
				p.setToggle(false)
				p.State.SetText("Not started: " + err.Error())
			})
			return
		}
		p.running = r
		// Saved only once it runs: an address that cannot be bound must
		// not break the next launch too.
		saveErr := api.SaveSettings(p.u.ctx, p.u.Core, s)
		state := "Running on http://" + r.Addr() + "/apiv1/"
		if s.TokenFile != "" {
			state += " (requests must bear the token)"
		} else {
			state += " (this computer only, no token)"
		}
		state += unsaved(saveErr)
		fyne.Do(func() { p.State.SetText(state) })
		go p.watch(r)
	}()
}

// stop stops the running API, if any; p.op is held.
func (p *APIPanel) stop() {
	if p.running != nil {
		p.running.Stop()
		p.running = nil
	}
}

// watch tells the state line when r fails on its own (not when stopped,
// nor when the window closes).
func (p *APIPanel) watch(r *api.Running) {
	<-r.Done()
	if r.Err() == nil || p.u.ctx.Err() != nil {
		return
	}
	p.op.Lock()
	if p.running == r {
		p.running = nil
	}
	p.op.Unlock()
	fyne.Do(func() {
		p.setToggle(false)
		p.State.SetText("Stopped: " + r.Err().Error())
	})
}

// unsaved is the note for settings that could not be saved, "" when they were.
func unsaved(err error) string {
	if err == nil {
		return ""
	}
	return " (these settings could not be saved for the next launch: " + err.Error() + ")"
}
