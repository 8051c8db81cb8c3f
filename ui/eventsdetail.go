package ui

import (
	"context"
	"fmt"
	"github.com/starling-broker/starling/netcore/alert"
	"net/url"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/starling-broker/starling/app"
)

// eventDetail shows the selected alert: a summary with its timeline and
// links, its params (groups included) and its raw text, highlighted.
type eventDetail struct {
	p       *EventsPanel
	content fyne.CanvasObject

	// Title and Text say what, when, where and how sure; their text is
	// selectable.
	Title    *widget.Label
	Text     *widget.Label
	GW       *gwCard
	Banner   *fyne.Container // the retraction warning
	Timeline *fyne.Container
	Links    *fyne.Container
	Params   *widget.Table
	Raw      *widget.RichText
	// CopyID copies the trigger's id (a superevent, a GRB trigger), else
	// the alert's key; CopyPosition the position, a sky map's most
	// probable one; ShowOnSky shows the alert on the sky map.
	CopyID, CopyPosition, CopyRaw, ShowOnSky *widget.Button
	// FollowUp, Retract and Supersede open the composer with a template
	// citing a VOEvent (ui/compose.go).
	FollowUp, Retract, Supersede *widget.Button
	// Obs is the observability per site (obsbar.go).
	Obs *obsBars
	// Circulars lists the GCN Circulars that name the trigger, each a
	// button that shows it; DraftCircular opens Circular, the "Draft a
	// Circular" dialog of the shown alert's trigger (circular.go).
	Circulars     *fyne.Container
	DraftCircular *widget.Button
	Circular      *CircularDialog

	summary *fyne.Container
	shown   app.EventDetail
	params  [][4]string
}

func newEventDetail(p *EventsPanel) *eventDetail {
	d := &eventDetail{p: p}
	d.Title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	d.Title.Selectable = true
	d.Title.Wrapping = fyne.TextWrapWord
	d.Text = widget.NewLabel("Select an event to see its details.")
	d.Text.Selectable = true
	d.Text.Wrapping = fyne.TextWrapWord
	d.GW = newGWCard()
	warn := widget.NewIcon(theme.NewErrorThemedResource(theme.WarningIcon()))
	d.Banner = container.NewHBox(warn, widget.NewRichText(&widget.TextSegment{Text: "RETRACTED: this trigger was withdrawn",
		Style: widget.RichTextStyle{ColorName: theme.ColorNameError, TextStyle: fyne.TextStyle{Bold: true}, Inline: true}}))
	d.Banner.Hide()
	d.Timeline = container.NewHBox()
	d.Circulars = container.NewVBox()
	d.Circulars.Hide() // no padding for an empty list
	d.DraftCircular = widget.NewButtonWithIcon("Draft a Circular", theme.DocumentCreateIcon(), func() {
		if t := d.shown.Row.Trigger; t != "" {
			d.openCircularDraft(t)
		}
	})
	d.DraftCircular.Disable()
	d.Links = container.NewHBox()
	clip := func(text func() string) func() {
		return func() { fyne.CurrentApp().Clipboard().SetContent(text()) }
	}
	d.CopyID = widget.NewButtonWithIcon("ID", theme.ContentCopyIcon(), clip(func() string { return orWord(d.shown.Row.Trigger, d.shown.Row.IVORN) }))
	d.CopyPosition = widget.NewButtonWithIcon("Position", theme.ContentCopyIcon(), clip(func() string { return coordsText(d.shown.Row) }))
	d.CopyRaw = widget.NewButtonWithIcon("Raw", theme.ContentCopyIcon(), clip(func() string { return rawText(d.shown.Raw) }))
	d.ShowOnSky = widget.NewButtonWithIcon("Show on sky map", theme.SearchIcon(), func() { p.u.showOnSky(d.shown.Row.ID) })
	compose := func(kind string) func() { return func() { p.u.composeFrom(kind, d.shown.Row.IVORN) } }
	d.FollowUp = widget.NewButtonWithIcon("Follow up this alert", theme.DocumentCreateIcon(), compose("followup"))
	d.Retract = widget.NewButtonWithIcon("Retract this alert", theme.CancelIcon(), compose("retraction"))
	d.Supersede = widget.NewButtonWithIcon("Supersede this alert", theme.ViewRefreshIcon(), compose("supersedes"))
	for _, b := range []*widget.Button{d.CopyID, d.CopyPosition, d.CopyRaw, d.ShowOnSky, d.FollowUp, d.Retract, d.Supersede} {
		b.Disable()
	}
	d.Params = widget.NewTableWithHeaders(
		func() (int, int) { return len(d.params), 4 },
		func() fyne.CanvasObject { l := widget.NewLabel(""); l.Truncation = fyne.TextTruncateEllipsis; return l },
		func(id widget.TableCellID, o fyne.CanvasObject) {
			text := ""
			if id.Row < len(d.params) {
				text = d.params[id.Row][id.Col]
			}
			o.(*widget.Label).SetText(text)
		})
	d.Params.ShowHeaderColumn = false
	d.Params.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Row < 0 && id.Col >= 0 && id.Col < 4 {
			o.(*widget.Label).SetText([]string{"Group", "Name", "Value", "Unit"}[id.Col])
		}
	}
	for i, w := range []float32{160, 200, 280, 80} {
		d.Params.SetColumnWidth(i, w)
	}
	d.Raw = widget.NewRichText()
	copyRow := container.NewHBox(widget.NewLabel("Copy:"), d.CopyID, d.CopyPosition, d.CopyRaw, d.ShowOnSky)
	d.Obs = newObsBars(p.u, p.Selected)
	composeRow := container.NewHBox(widget.NewLabel("Compose:"), d.FollowUp, d.Retract, d.Supersede, d.DraftCircular)
	d.summary = container.NewVBox(d.Banner, d.Title, d.Timeline, d.Circulars, d.GW.content, d.Text, d.Obs.box, d.Links, copyRow, composeRow)
	d.content = container.NewAppTabs(
		container.NewTabItem("Summary", container.NewVScroll(d.summary)),
		container.NewTabItem("Params", d.Params),
		container.NewTabItem("Raw", container.NewScroll(d.Raw)),
	)
	return d
}

// load reads an alert's details off the UI goroutine and shows them if it
// is still the one selected.
func (d *eventDetail) load(id int64) {
	go func() {
		ctx, cancel := context.WithTimeout(d.p.u.ctx, 10*time.Second)
		defer cancel()
		ed, err := d.p.u.Core.Archive().Detail(ctx, id)
		var params [][4]string
		var raw []widget.RichTextSegment
		if err == nil {
			params = paramRows(ed)
			raw = highlight(ed.Raw)
		}
		fyne.Do(func() {
			if d.p.selID != id {
				return
			}
			if err != nil {
				d.Text.SetText(fmt.Sprintf("Cannot show event %d: %v", id, err))
				return
			}
			d.show(ed, params, raw)
		})
	}()
}

// show fills the widgets with one alert; it runs on the UI goroutine.
func (d *eventDetail) show(ed app.EventDetail, params [][4]string, raw []widget.RichTextSegment) {
	d.shown, d.params = ed, params
	title, text := summaryText(ed.Row)
	if lines := ed.Context().Lines(); len(lines) > 0 {
		text += "\n" + strings.Join(lines, "\n")
	}
	d.Title.SetText(title)
	d.Text.SetText(text)
	d.GW.show(ed)
	d.p.Triggers.mark(ed.Row.Trigger)
	d.Obs.load(ed.Row)
	retracted := ed.Row.Retraction
	d.Timeline.Objects = nil
	if len(ed.Timeline) > 0 {
		d.Timeline.Add(widget.NewLabelWithStyle("Timeline:", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	}
	for i, s := range ed.Timeline {
		if i > 0 {
			d.Timeline.Add(widget.NewLabel("→"))
		}
		b := widget.NewButton(s.Type, nil)
		id := s.Row.ID
		b.OnTapped = func() { d.p.SelectEvent(id) }
		if s.Row.Retraction || s.Type == "Retraction" {
			retracted = true
			b.Importance = widget.DangerImportance
			b.Icon = theme.WarningIcon()
		} else if id == ed.Row.ID {
			b.Importance = widget.HighImportance
		}
		d.Timeline.Add(b)
	}
	d.Timeline.Refresh()
	d.Circulars.Objects = nil
	if len(ed.Circulars) > 0 {
		d.Circulars.Add(widget.NewLabelWithStyle("Circulars:", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	}
	for _, ci := range ed.Circulars {
		id := ci.ID
		b := widget.NewButton(circularLabel(ci), func() { d.p.SelectEvent(id) })
		b.Alignment = widget.ButtonAlignLeading
		if id == ed.Row.ID {
			b.Importance = widget.HighImportance
		}
		d.Circulars.Add(b)
	}
	d.Circulars.Hidden = len(ed.Circulars) == 0
	d.Circulars.Refresh()
	if ed.Row.Trigger != "" {
		d.DraftCircular.Enable()
	} else {
		d.DraftCircular.Disable()
	}
	d.Banner.Hidden = !retracted
	d.Banner.Refresh()
	d.Links.Objects = nil
	for _, l := range ed.Links {
		if u, err := url.Parse(l.URL); err == nil {
			d.Links.Add(widget.NewHyperlink(linkLabel(l), u))
		}
	}
	d.Links.Refresh()
	for _, b := range []*widget.Button{d.CopyID, d.CopyRaw} {
		b.Enable()
	}
	for _, b := range []*widget.Button{d.FollowUp, d.Retract, d.Supersede} {
		if ed.Row.Format == "voevent" && ed.Row.IVORN != "" {
			b.Enable()
		} else {
			b.Disable()
		}
	}
	if _, _, ok := bestPosition(ed.Row); ok {
		d.CopyPosition.Enable()
		d.ShowOnSky.Enable()
	} else {
		d.CopyPosition.Disable()
		d.ShowOnSky.Disable()
	}
	d.Params.Refresh()
	d.Raw.Segments = raw
	d.Raw.Refresh()
	d.summary.Refresh() // lay out the summary's new heights
}

// linkLabel names a link: GraceDB, Sky map, or its field and host.
func linkLabel(l app.Link) string {
	low := strings.ToLower(l.Label + " " + l.URL)
	switch {
	case strings.Contains(low, "gracedb") || strings.Contains(low, "superevents"):
		return "GraceDB"
	case strings.Contains(low, "skymap") || strings.Contains(low, ".fits"):
		return "Sky map"
	}
	host := l.URL
	if u, err := url.Parse(l.URL); err == nil {
		host = u.Host
	}
	return l.Label + ": " + host
}

// bestPosition is an alert's position: its own, else its sky map's most
// probable point; ok false when it has neither.
func bestPosition(r app.EventRow) (ra, dec float64, ok bool) {
	if r.HasPosition {
		return r.RA, r.Dec, true
	}
	if m := r.Skymap; m != nil {
		return m.RA, m.Dec, true
	}
	return 0, 0, false
}

// coordsText is what the position's copy button copies.
func coordsText(r app.EventRow) string {
	ra, dec, _ := bestPosition(r)
	return fmt.Sprintf("%s %s (%.5f %.5f)", sexaRA(ra), sexaDec(dec), ra, dec)
}

// summaryText is the summary's title and text: what, when, where, how sure.
func summaryText(r app.EventRow) (title, text string) {
	what := typeText(r)
	if r.AlertType != "" {
		what = alert.Title(r.Mission, r.AlertType) // "Swift BAT position", never "Swift BAT · BAT position"
	}
	title = strings.Join(nonEmpty(r.Trigger, what, r.Significance), " · ")
	var lines []string
	line := func(k, v string) {
		if v != "" {
			lines = append(lines, k+": "+v)
		}
	}
	if !r.EventTime.IsZero() {
		line("Event time", r.EventTime.UTC().Format("2006-01-02 15:04:05.000")+" UTC")
	}
	line("Received", r.Received.UTC().Format("2006-01-02 15:04:05")+" UTC from "+orDash(sourceText(r)))
	if r.HasPosition {
		line("Position", fmt.Sprintf("RA %s, Dec %s  (%s, %s)", sexaRA(r.RA), sexaDec(r.Dec), decimalDeg(r.RA), decimalDeg(r.Dec)))
		line("Error", errorText(r.ErrorRadius))
	}
	if m := r.Skymap; m != nil {
		line("Sky map", fmt.Sprintf("most probable RA %s, Dec %s; 90%% area %.4g deg², 50%% area %.4g deg²", sexaRA(m.RA), sexaDec(m.Dec), m.Area90, m.Area50))
		line("Distance", distanceText(m.DistMean, m.DistStd))
	}
	line("Role", roleText(r))
	line("Key", r.IVORN)
	line("Author", r.Author)
	line("Note", r.Note)
	if r.Description != "" {
		lines = append(lines, r.Description)
	}
	return title, strings.Join(lines, "\n")
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// circularLabel names a linked Circular: its number and subject, the
// subject cut to a line.
func circularLabel(c app.Circular) string {
	subject := c.Subject
	if r := []rune(subject); len(r) > 90 {
		subject = string(r[:89]) + "…"
	}
	if c.Number == "" {
		return subject
	}
	return "GCN " + c.Number + ": " + subject
}
