package ui

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/starling-broker/starling/app"
)

// observableFields are the rule form's "at least X % observable from SITE
// within N hours".
type observableFields struct {
	pct, within *widget.Entry
	site        *widget.SelectEntry
}

func newObservableFields(r app.NotifyRule) *observableFields {
	f := &observableFields{pct: widget.NewEntry(), within: widget.NewEntry(), site: widget.NewSelectEntry(nil)}
	f.pct.SetPlaceHolder("0–100; empty: no condition")
	f.within.SetPlaceHolder("24")
	f.site.SetPlaceHolder("the default site")
	if r.Observable > 0 {
		f.pct.SetText(strconv.FormatFloat(r.Observable, 'g', -1, 64))
	}
	if r.WithinHours > 0 {
		f.within.SetText(strconv.FormatFloat(r.WithinHours, 'g', -1, 64))
	}
	f.site.SetText(r.Site)
	return f
}

// loadSites offers the kept sites' names, read off the UI goroutine.
func (f *observableFields) loadSites(u *Window) {
	go func() {
		ctx, cancel := context.WithTimeout(u.ctx, 10*time.Second)
		defer cancel()
		l, err := u.Core.Sites().List(ctx)
		if err != nil {
			return
		}
		var names []string
		for _, s := range l.Sites {
			names = append(names, s.Name)
		}
		fyne.Do(func() { f.site.SetOptions(names) })
	}()
}

// read sets the rule's Observable, Site and WithinHours from the fields.
func (f *observableFields) read(r *app.NotifyRule) error {
	r.Observable, r.WithinHours, r.Site = 0, 0, ""
	for _, x := range []struct {
		what string
		e    *widget.Entry
		v    *float64
	}{{"observable percentage", f.pct, &r.Observable}, {"within hours", f.within, &r.WithinHours}} {
		text := strings.TrimSpace(x.e.Text)
		if text == "" {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(text, "%")), 64)
		if err != nil {
			return fmt.Errorf("%s: %q is not a number", x.what, x.e.Text)
		}
		*x.v = v
	}
	if r.Observable > 0 {
		r.Site = strings.TrimSpace(f.site.Text)
	}
	return nil
}
