package ui

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/starling-broker/starling/app"
)

// SitesEditor edits the observing sites: add one from the presets or by
// its coordinates, remove one, choose the default. The event details'
// observability bars and the rules' "observable from" use them.
type SitesEditor struct {
	u       *Window
	content fyne.CanvasObject
	// List is the sites, the default starred.
	List *widget.List
	// Preset chooses a major observatory to add.
	Preset *widget.Select
	// Status says what is wrong, or that there are no sites.
	Status *widget.Label

	sites    app.SiteList // the UI goroutine's copy
	selected int
}

// newSitesEditor is the editor; it reads the sites at once.
func newSitesEditor(u *Window) *SitesEditor {
	e := &SitesEditor{u: u, selected: -1, Status: widget.NewLabel("")}
	e.List = widget.NewList(func() int { return len(e.sites.Sites) },
		func() fyne.CanvasObject { return widget.NewLabel("site") },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			s := e.sites.Sites[i]
			mark := ""
			if s.Name == e.sites.Default {
				mark = "★ "
			}
			o.(*widget.Label).SetText(mark + s.Describe())
		})
	e.List.OnSelected = func(i widget.ListItemID) { e.selected = i }
	e.List.OnUnselected = func(widget.ListItemID) { e.selected = -1 }
	var names []string
	for _, p := range app.SitePresets() {
		names = append(names, p.Name)
	}
	e.Preset = widget.NewSelect(names, nil)
	e.Preset.PlaceHolder = "a major observatory"
	addPreset := widget.NewButton("Add preset", func() {
		if p, ok := app.SitePreset(e.Preset.Selected); ok {
			e.change(func(ctx context.Context, s *app.Sites) error { _, err := s.Add(ctx, p, false); return err })
		}
	})
	custom := widget.NewButton("Add by coordinates…", func() { e.edit(app.NewSite("", 0, 0, 0)) })
	edit := widget.NewButton("Edit…", func() {
		if i := e.selected; i >= 0 && i < len(e.sites.Sites) {
			e.edit(e.sites.Sites[i])
		}
	})
	remove := widget.NewButton("Remove", func() {
		if i := e.selected; i >= 0 && i < len(e.sites.Sites) {
			name := e.sites.Sites[i].Name
			e.change(func(ctx context.Context, s *app.Sites) error { return s.Remove(ctx, name) })
		}
	})
	dflt := widget.NewButton("Make default", func() {
		if i := e.selected; i >= 0 && i < len(e.sites.Sites) {
			name := e.sites.Sites[i].Name
			e.change(func(ctx context.Context, s *app.Sites) error { return s.SetDefault(ctx, name) })
		}
	})
	top := container.NewVBox(
		widget.NewLabel("Observing sites: the event details show what each can observe of an alert in the next 24 h; ★ is the default."),
		container.NewBorder(nil, nil, nil, addPreset, e.Preset),
		container.NewHBox(custom, edit, remove, dflt))
	e.content = container.NewBorder(top, e.Status, nil, nil, e.List)
	e.reload()
	return e
}

// reload reads the sites off the UI goroutine and shows them.
func (e *SitesEditor) reload() {
	go func() {
		ctx, cancel := context.WithTimeout(e.u.ctx, 10*time.Second)
		defer cancel()
		l, err := e.u.Core.Sites().List(ctx)
		fyne.Do(func() { e.show(l, err) })
	}()
}

// show shows the sites; on the UI goroutine.
func (e *SitesEditor) show(l app.SiteList, err error) {
	if err != nil {
		e.Status.SetText(err.Error())
		return
	}
	e.sites = l
	if len(l.Sites) == 0 {
		e.Status.SetText("No sites yet: add a preset or a site by its coordinates.")
	} else {
		e.Status.SetText("")
	}
	e.List.UnselectAll()
	e.selected = -1
	e.List.Refresh()
}

// change runs f on the sites off the UI goroutine, then shows them again,
// or the error.
func (e *SitesEditor) change(f func(context.Context, *app.Sites) error) {
	e.u.run(func(ctx context.Context) error {
		if err := f(ctx, e.u.Core.Sites()); err != nil {
			return err
		}
		e.reload()
		return nil
	})
}

// siteForm is the site editor's fields.
type siteForm struct {
	name, lat, lon, height, airmass, sun, moon *widget.Entry
	makeDefault                                *widget.Check
}

func newSiteForm(s app.Site) *siteForm {
	num := func(v float64, hint string) *widget.Entry {
		w := widget.NewEntry()
		if v != 0 {
			w.SetText(strconv.FormatFloat(v, 'g', -1, 64))
		}
		w.SetPlaceHolder(hint)
		return w
	}
	name := widget.NewEntry()
	name.SetText(s.Name)
	name.SetPlaceHolder("My telescope")
	f := &siteForm{name: name, lat: num(s.Lat, "degrees, north +"), lon: num(s.Lon, "degrees, east +"), height: num(s.Height, "metres"),
		airmass: num(s.MaxAirmass, "2.5"), sun: num(s.SunAlt, "−18 astronomical, −12 nautical, −6 civil"), moon: num(s.MoonDistance, "degrees; empty: no limit"),
		makeDefault: widget.NewCheck("the default site", nil)}
	return f
}

// site reads the fields, or says what is wrong.
func (f *siteForm) site() (app.Site, error) {
	s := app.NewSite(strings.TrimSpace(f.name.Text), 0, 0, 0)
	for _, x := range []struct {
		what     string
		e        *widget.Entry
		v        *float64
		required bool
	}{{"latitude", f.lat, &s.Lat, true}, {"longitude", f.lon, &s.Lon, true}, {"height", f.height, &s.Height, false},
		{"airmass limit", f.airmass, &s.MaxAirmass, false}, {"Sun altitude limit", f.sun, &s.SunAlt, false}, {"Moon distance", f.moon, &s.MoonDistance, false}} {
		text := strings.ReplaceAll(strings.TrimSpace(x.e.Text), "−", "-")
		if text == "" {
			if x.required {
				return s, fmt.Errorf("give the %s", x.what)
			}
			continue
		}
		v, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return s, fmt.Errorf("%s: %q is not a number", x.what, x.e.Text)
		}
		*x.v = v
	}
	return s, s.Check()
}

// edit opens the form for a site (a new one when its name is empty).
func (e *SitesEditor) edit(s app.Site) {
	f := newSiteForm(s)
	f.makeDefault.SetChecked(s.Name != "" && s.Name == e.sites.Default)
	title := "New observing site"
	if s.Name != "" {
		title = "Edit " + s.Name
	}
	old := s.Name
	d := dialog.NewForm(title, "Save", "Cancel", []*widget.FormItem{
		widget.NewFormItem("Name", f.name), widget.NewFormItem("Latitude", f.lat), widget.NewFormItem("Longitude", f.lon),
		widget.NewFormItem("Height", f.height), widget.NewFormItem("Airmass at most", f.airmass),
		widget.NewFormItem("Sun altitude at most", f.sun), widget.NewFormItem("Moon distance at least", f.moon),
		widget.NewFormItem("", f.makeDefault),
	}, func(ok bool) {
		if !ok {
			return
		}
		site, err := f.site()
		if err != nil {
			showError(e.u.Win, err)
			return
		}
		makeDefault := f.makeDefault.Checked
		e.change(func(ctx context.Context, s *app.Sites) error {
			if _, err := s.Add(ctx, site, makeDefault); err != nil {
				return err
			}
			if old != "" && !strings.EqualFold(old, site.Name) {
				return s.Remove(ctx, old) // renamed: added first, so nothing is lost to an error
			}
			return nil
		})
	}, e.u.Win)
	d.Resize(fyne.NewSize(480, 460))
	d.Show()
}

// showSitesEditor opens the sites editor in a dialog.
func showSitesEditor(u *Window) {
	e := newSitesEditor(u)
	d := dialog.NewCustom("Observing sites", "Close", e.content, u.Win)
	d.Resize(fyne.NewSize(720, 480))
	d.Show()
}
