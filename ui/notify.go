package ui

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/starling-broker/starling/app"
)

// NotifyPanel edits the notification rules and the quiet hours.
type NotifyPanel struct {
	u         *Window
	content   fyne.CanvasObject
	List      *widget.List
	QuietFrom *widget.Entry
	QuietTo   *widget.Entry
	Sound     *widget.Label
	Channels  *channelsView

	cfg      app.NotifyConfig // the UI goroutine's copy
	selected int
}

func newNotifyPanel(u *Window) *NotifyPanel {
	p := &NotifyPanel{u: u, selected: -1, QuietFrom: widget.NewEntry(), QuietTo: widget.NewEntry()}
	p.QuietFrom.SetPlaceHolder("22:00")
	p.QuietTo.SetPlaceHolder("07:00")
	p.List = widget.NewList(func() int { return len(p.cfg.Rules) },
		func() fyne.CanvasObject { return widget.NewLabel("rule") },
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(ruleLine(p.cfg.Rules[i])) })
	p.List.OnSelected = func(i widget.ListItemID) { p.selected = i }
	p.List.OnUnselected = func(widget.ListItemID) { p.selected = -1 }
	p.Sound = widget.NewLabel("")
	if app.SoundPlayer() == "" {
		p.Sound.SetText("No sound player (paplay or aplay) was found: rules with a sound notify silently.")
	}
	add := widget.NewButton("Add…", func() { p.edit(-1) })
	edit := widget.NewButton("Edit…", func() {
		if p.selected >= 0 {
			p.edit(p.selected)
		}
	})
	del := widget.NewButton("Delete", func() {
		if i := p.selected; i >= 0 && i < len(p.cfg.Rules) {
			cfg := p.cfg
			cfg.Rules = append(append([]app.NotifyRule{}, cfg.Rules[:i]...), cfg.Rules[i+1:]...)
			p.save(cfg)
		}
	})
	quiet := widget.NewButton("Save quiet hours", func() {
		cfg := p.cfg
		cfg.QuietFrom, cfg.QuietTo = strings.TrimSpace(p.QuietFrom.Text), strings.TrimSpace(p.QuietTo.Text)
		p.save(cfg)
	})
	top := container.NewVBox(
		widget.NewLabel("A desktop notification when a trigger first matches a rule (the first rule that matches), a critical one if it is retracted."),
		container.NewHBox(add, edit, del, widget.NewButton("Observing sites…", func() { showSitesEditor(p.u) })),
	)
	bottom := container.NewVBox(widget.NewSeparator(),
		widget.NewLabel("Quiet hours: no notification nor sound (the Events badge still counts)"),
		container.NewHBox(widget.NewLabel("from"),
			container.NewGridWrap(fyne.NewSize(80, p.QuietFrom.MinSize().Height), p.QuietFrom), widget.NewLabel("to"),
			container.NewGridWrap(fyne.NewSize(80, p.QuietTo.MinSize().Height), p.QuietTo), quiet),
		p.Sound)
	p.Channels = newChannelsView(u)
	split := container.NewVSplit(p.List, p.Channels.content)
	split.Offset = 0.6
	p.content = container.NewBorder(top, bottom, nil, nil, split)
	return p
}

// ruleLine describes a rule in one line (the core's words).
func ruleLine(r app.NotifyRule) string { return r.Describe() }

// refresh reads the rules and the channels' states; off the UI goroutine.
func (p *NotifyPanel) refresh(ctx context.Context) {
	cfg, err := p.u.Core.Settings().Rules()
	if err != nil {
		fyne.Do(func() { p.Sound.SetText(err.Error()) })
		return
	}
	states, err := p.u.Core.Channels().States()
	if err != nil {
		fyne.Do(func() { p.Sound.SetText(err.Error()) })
	}
	fyne.Do(func() {
		p.show(cfg)
		p.Channels.show(states)
	})
}

func (p *NotifyPanel) show(cfg app.NotifyConfig) {
	p.cfg = cfg
	p.QuietFrom.SetText(cfg.QuietFrom)
	p.QuietTo.SetText(cfg.QuietTo)
	p.List.Refresh()
}

// save writes cfg off the UI goroutine and shows it, or the error.
func (p *NotifyPanel) save(cfg app.NotifyConfig) {
	p.u.run(func(context.Context) error {
		if err := p.u.Core.Settings().SaveRules(cfg); err != nil {
			return err
		}
		fyne.Do(func() { p.show(cfg) })
		return nil
	})
}

// ruleForm is the rule editor's fields.
type ruleForm struct {
	name, source, typ, far, ra, dec, radius, prob *widget.Entry
	test, sound, off                              *widget.Check
	obs                                           *observableFields // notify_observe.go
	// chans picks the channels the rule sends to (nil: none saved).
	chans *widget.CheckGroup
	// base is the rule edited: the fields the form does not show (class,
	// significance, area, distance, position, retractions) are kept.
	base app.NotifyRule
}

func newRuleForm(r app.NotifyRule) *ruleForm {
	e := func(text, hint string) *widget.Entry {
		w := widget.NewEntry()
		w.SetText(text)
		w.SetPlaceHolder(hint)
		return w
	}
	num := func(v float64) string {
		if v == 0 {
			return ""
		}
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	f := &ruleForm{name: e(r.Name, "GW alerts"), source: e(r.Source, "igwn.gwalert"), typ: e(r.Type, "LVK, Preliminary, GBM…"),
		far: e(num(r.FARYears), "e.g. 1 (a year); empty: any"), ra: e("", "degrees"), dec: e("", "degrees"), radius: e("", "degrees; empty: the whole sky"),
		prob: e("", "0–1 (sky maps); empty: use the peak"),
		test: widget.NewCheck("test and mock alerts too", nil), sound: widget.NewCheck("play a sound", nil), off: widget.NewCheck("disabled", nil),
		base: r, obs: newObservableFields(r)}
	if c := r.Cone; c != nil {
		f.ra.SetText(num(c.RA))
		f.dec.SetText(num(c.Dec))
		f.radius.SetText(num(c.Radius))
		f.prob.SetText(num(c.MinProb))
	}
	f.test.SetChecked(r.IncludeTest)
	f.sound.SetChecked(r.Sound)
	f.off.SetChecked(r.Disabled)
	return f
}

func (f *ruleForm) items() []*widget.FormItem {
	sound := "play a sound"
	if app.SoundPlayer() == "" {
		sound = "play a sound (no paplay/aplay here: skipped)"
	}
	f.sound.Text = sound
	items := []*widget.FormItem{
		widget.NewFormItem("Name", f.name), widget.NewFormItem("Source or topic contains", f.source),
		widget.NewFormItem("Type or mission contains", f.typ), widget.NewFormItem("FAR below 1 per N years", f.far),
		widget.NewFormItem("Cone RA", f.ra), widget.NewFormItem("Cone Dec", f.dec), widget.NewFormItem("Cone radius", f.radius),
		widget.NewFormItem("Map probability in cone ≥", f.prob),
		widget.NewFormItem("Observable ≥ %", f.obs.pct), widget.NewFormItem("from site", f.obs.site), widget.NewFormItem("within hours", f.obs.within),
		widget.NewFormItem("", f.test), widget.NewFormItem("", f.sound), widget.NewFormItem("", f.off),
	}
	if f.chans != nil {
		items = append(items, widget.NewFormItem("Also send to", f.chans))
	}
	return items
}

// setChannels offers the channels names to send to, those of the rule checked.
func (f *ruleForm) setChannels(names []string) {
	if len(names) == 0 && len(f.base.Channels) == 0 {
		return
	}
	for _, n := range f.base.Channels { // a channel removed since stays visible
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	f.chans = widget.NewCheckGroup(names, nil)
	f.chans.Horizontal = true
	f.chans.SetSelected(append([]string(nil), f.base.Channels...))
}

// rule reads the fields, or says what is wrong.
func (f *ruleForm) rule() (app.NotifyRule, error) {
	r := f.base
	r.Name, r.Source, r.Type = strings.TrimSpace(f.name.Text), strings.TrimSpace(f.source.Text), strings.TrimSpace(f.typ.Text)
	r.IncludeTest, r.Sound, r.Disabled = f.test.Checked, f.sound.Checked, f.off.Checked
	if f.chans != nil {
		r.Channels = append([]string(nil), f.chans.Selected...)
	}
	r.Cone = nil
	num := func(what string, e *widget.Entry) (float64, error) {
		if strings.TrimSpace(e.Text) == "" {
			return 0, nil
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(e.Text), 64)
		if err != nil {
			return 0, fmt.Errorf("%s: %q is not a number", what, e.Text)
		}
		return v, nil
	}
	var err error
	if r.FARYears, err = num("FAR years", f.far); err != nil {
		return r, err
	}
	if strings.TrimSpace(f.radius.Text) != "" {
		c := &app.Cone{}
		for _, x := range []struct {
			what string
			e    *widget.Entry
			v    *float64
		}{{"cone RA", f.ra, &c.RA}, {"cone Dec", f.dec, &c.Dec}, {"cone radius", f.radius, &c.Radius}, {"probability", f.prob, &c.MinProb}} {
			if *x.v, err = num(x.what, x.e); err != nil {
				return r, err
			}
		}
		r.Cone = c
	}
	return r, f.obs.read(&r)
}

// edit opens the editor for rule i (−1: a new rule).
func (p *NotifyPanel) edit(i int) {
	var r app.NotifyRule
	if i >= 0 {
		r = p.cfg.Rules[i]
	}
	f := newRuleForm(r)
	var names []string
	for _, s := range p.Channels.states {
		names = append(names, s.Name)
	}
	f.setChannels(names)
	f.obs.loadSites(p.u)
	title := "New notification rule"
	if i >= 0 {
		title = "Edit " + r.Name
	}
	d := dialog.NewForm(title, "Save", "Cancel", f.items(), func(ok bool) {
		if ok {
			p.submit(i, f)
		}
	}, p.u.Win)
	d.Resize(fyne.NewSize(520, 680))
	d.Show()
}

// submit saves the form as rule i (−1: appended).
func (p *NotifyPanel) submit(i int, f *ruleForm) {
	r, err := f.rule()
	if err != nil {
		showError(p.u.Win, err)
		return
	}
	cfg := p.cfg
	cfg.Rules = append([]app.NotifyRule{}, cfg.Rules...)
	if i >= 0 && i < len(cfg.Rules) {
		cfg.Rules[i] = r
	} else {
		cfg.Rules = append(cfg.Rules, r)
	}
	p.save(cfg)
}
