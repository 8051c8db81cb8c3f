package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/starling-broker/starling/app"
)

// sendRow shows one line of the send history: an icon for its state and the
// words, wrapped, never cut off.
type sendRow struct {
	Icon    *widget.Icon
	Text    *widget.Label
	content fyne.CanvasObject
}

func newSendRow() *sendRow {
	r := &sendRow{Icon: widget.NewIcon(nil), Text: widget.NewLabel("")}
	r.Text.Wrapping = fyne.TextWrapWord
	r.content = container.NewBorder(nil, nil, container.NewCenter(r.Icon), nil, r.Text)
	return r
}

// set shows ln; call it on the UI goroutine.
func (r *sendRow) set(ln app.SendLine) {
	res, imp := stateLook(ln.State)
	r.Icon.SetResource(res)
	r.Text.Importance = imp
	r.Text.SetText(lineText(ln))
}

// stateLook is the icon and colour of a line's state: green tick for acked,
// red error for refused or invalid, amber warning for what needs a look.
func stateLook(s app.SendState) (fyne.Resource, widget.Importance) {
	switch s {
	case app.SendAcked:
		return theme.NewSuccessThemedResource(theme.ConfirmIcon()), widget.SuccessImportance
	case app.SendRefused, app.SendInvalid, app.SendNotQueued:
		return theme.NewErrorThemedResource(theme.ErrorIcon()), widget.DangerImportance
	case app.SendFailed, app.SendDeclined, app.SendCancelled, app.SendDeleted:
		return theme.NewWarningThemedResource(theme.WarningIcon()), widget.WarningImportance
	case app.SendSending:
		return theme.NewPrimaryThemedResource(theme.MailSendIcon()), widget.HighImportance
	case app.SendQueued:
		return theme.HistoryIcon(), widget.MediumImportance
	case app.SendChecking:
		return theme.SearchIcon(), widget.MediumImportance
	}
	return theme.InfoIcon(), widget.MediumImportance
}

// lineText words a line: time, file, event, destination, then its state and
// the full reason.
func lineText(ln app.SendLine) string {
	var b strings.Builder
	if !ln.Time.IsZero() {
		b.WriteString(ln.Time.Local().Format("15:04:05") + "  ")
	}
	b.WriteString(ln.Name)
	if ln.IVORN != "" {
		b.WriteString("  " + ln.IVORN)
		if ln.Role != "" {
			b.WriteString(" (" + ln.Role + ")")
		}
	}
	if ln.Destination != "" {
		b.WriteString(" → " + ln.Destination)
	}
	b.WriteString(" — " + string(ln.State))
	if ln.Reason != "" {
		b.WriteString(": " + ln.Reason)
	}
	return b.String()
}

// Verdict is one line of the Send panel, with what the old checks asked.
type Verdict struct {
	app.SendLine
	// OK says the file is a valid VOEvent.
	OK bool
	// Queued says the event went to the outbox.
	Queued bool
	// Problem says why the file is not a valid VOEvent.
	Problem string
}

// Verdicts returns the panel's lines, newest first.
func (p *SendPanel) Verdicts() []Verdict {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]Verdict, len(p.lines))
	for i, ln := range p.lines {
		out[i] = Verdict{SendLine: ln, OK: ln.State != app.SendInvalid && ln.State != app.SendChecking, Queued: ln.EntryID != 0}
		if ln.State == app.SendInvalid {
			out[i].Problem = ln.Reason
		}
	}
	return out
}
