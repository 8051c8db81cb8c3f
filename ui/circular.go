package ui

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/netcore/circular"
)

// draftSaveDelay is how long a draft must rest unchanged before it is
// saved: typing saves once a pause comes, not at every key.
const draftSaveDelay = 400 * time.Millisecond

// CircularDialog is "Draft a Circular" for one trigger: the subject, the
// authors and team, the paragraph, the observation log as a small
// editable table, the closing, and a preview of the plain text. The
// draft is saved for its trigger as it is edited (after draftSaveDelay,
// off the UI goroutine) and comes back when the dialog is opened again.
type CircularDialog struct {
	u       *Window
	trigger string
	draft   app.Draft // UI goroutine

	Subject, Authors, Team, Intro, Closing *widget.Entry
	// Log holds one row of entries per log line (time, filter, exposure,
	// limit or magnitude) and a button that removes it.
	Log    *fyne.Container
	AddRow *widget.Button
	// Preview is the Circular's text as it will be sent.
	Preview *widget.Label
	// OpenForm opens GCN's pre-filled form; Copy copies the text; SaveFile writes it to a file.
	OpenForm, Copy, SaveFile *widget.Button
	// Message says what happened (copied, too long for the form, an error).
	Message *widget.Label
	// TooLong asks to copy instead, when the form address would be too long
	// to open (circular.MaxFormURL); nil until then.
	TooLong *dialog.ConfirmDialog

	dialog *dialog.CustomDialog
	saver  *draftSaver
}

// draftSaver saves the latest draft it is given once draftSaveDelay has
// passed without another, on its own goroutine.
type draftSaver struct {
	u       *Window
	trigger string
	mu      sync.Mutex
	pending *app.Draft
	timer   *time.Timer
	onSaved func(error) // runs on the UI goroutine
}

// put schedules d to be saved.
func (s *draftSaver) put(d app.Draft) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending = &d
	if s.timer == nil {
		s.timer = time.AfterFunc(draftSaveDelay, s.save)
	} else {
		s.timer.Reset(draftSaveDelay)
	}
}

// save writes the pending draft, if any.
func (s *draftSaver) save() {
	s.mu.Lock()
	d := s.pending
	s.pending = nil
	s.mu.Unlock()
	if d == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := s.u.Core.Archive().SaveDraft(ctx, s.trigger, *d)
	if s.onSaved != nil {
		fyne.Do(func() { s.onSaved(err) })
	}
}

// flush saves what is pending now, off the UI goroutine.
func (s *draftSaver) flush() {
	s.mu.Lock()
	if s.timer != nil {
		s.timer.Stop()
	}
	s.mu.Unlock()
	go s.save()
}

// openCircularDraft reads the trigger's draft (saved, or new from its
// state) off the UI goroutine and opens the dialog with it.
func (d *eventDetail) openCircularDraft(trigger string) {
	u := d.p.u
	go func() {
		ctx, cancel := context.WithTimeout(u.ctx, 10*time.Second)
		defer cancel()
		draft, err := u.Core.Archive().Draft(ctx, trigger)
		fyne.Do(func() {
			if err != nil {
				dialog.ShowError(fmt.Errorf("cannot draft a Circular for %s: %w", trigger, err), u.Win)
				return
			}
			d.Circular = newCircularDialog(u, trigger, draft)
			d.Circular.dialog.Show()
		})
	}()
}

// newCircularDialog builds the dialog for a trigger's draft; UI goroutine.
func newCircularDialog(u *Window, trigger string, draft app.Draft) *CircularDialog {
	c := &CircularDialog{u: u, trigger: trigger, draft: draft}
	c.saver = &draftSaver{u: u, trigger: trigger, onSaved: func(err error) {
		if err != nil {
			c.Message.SetText("Not saved: " + err.Error())
		}
	}}
	entry := func(text string, multi bool, set func(string)) *widget.Entry {
		var e *widget.Entry
		if multi {
			e = widget.NewMultiLineEntry()
			e.Wrapping = fyne.TextWrapWord
			e.SetMinRowsVisible(3)
		} else {
			e = widget.NewEntry()
		}
		e.SetText(text)
		e.OnChanged = func(s string) { set(s); c.changed() }
		return e
	}
	c.Subject = entry(draft.SubjectLine(), false, func(s string) {
		if s != c.draft.SubjectLine() {
			c.draft.Subject = s
		}
	})
	c.Authors = entry(draft.Authors, false, func(s string) { c.draft.Authors = s })
	c.Team = entry(draft.Team, false, func(s string) {
		c.draft.Team = s
		if c.draft.Subject == "" && c.Subject.Text != c.draft.SubjectLine() {
			c.Subject.SetText(c.draft.SubjectLine())
		}
	})
	c.Intro = entry(draft.Intro, true, func(s string) { c.draft.Intro = s })
	c.Closing = entry(draft.Closing, true, func(s string) { c.draft.Closing = s })
	c.Log = container.NewVBox()
	c.AddRow = widget.NewButtonWithIcon("Add row", theme.ContentAddIcon(), func() {
		c.draft.Log = append(c.draft.Log, app.DraftRow{})
		c.buildLog()
		c.changed()
	})
	c.buildLog()
	c.Preview = widget.NewLabel("")
	c.Preview.TextStyle = fyne.TextStyle{Monospace: true}
	c.Preview.Selectable = true
	c.Message = widget.NewLabel("")
	c.Message.Wrapping = fyne.TextWrapWord
	c.OpenForm = widget.NewButtonWithIcon("Open GCN form", theme.ComputerIcon(), c.openForm)
	c.Copy = widget.NewButtonWithIcon("Copy", theme.ContentCopyIcon(), func() {
		fyne.CurrentApp().Clipboard().SetContent(c.text())
		c.Message.SetText("Copied the subject and body to the clipboard.")
	})
	c.SaveFile = widget.NewButtonWithIcon("Save…", theme.DocumentSaveIcon(), c.saveFile)
	c.preview()

	form := widget.NewForm(
		widget.NewFormItem("Subject", c.Subject),
		widget.NewFormItem("Authors", c.Authors),
		widget.NewFormItem("Team", c.Team),
		widget.NewFormItem("Paragraph", c.Intro),
	)
	logHead := container.NewGridWithColumns(5, bold("Time (UT)"), bold("Filter"), bold("Exposure (s)"), bold("Limit / mag."), widget.NewLabel(""))
	closing := widget.NewForm(widget.NewFormItem("Closing", c.Closing))
	edit := container.NewVBox(form, widget.NewLabelWithStyle("Observation log", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		logHead, c.Log, container.NewHBox(c.AddRow), closing)
	split := container.NewHSplit(container.NewVScroll(edit), container.NewScroll(c.Preview))
	split.Offset = 0.55
	buttons := container.NewHBox(c.OpenForm, c.Copy, c.SaveFile)
	content := container.NewBorder(nil, container.NewVBox(c.Message, buttons), nil, nil, split)
	c.dialog = dialog.NewCustom("Draft a Circular: "+trigger, "Close", content, u.Win)
	c.dialog.SetOnClosed(c.saver.flush)
	c.dialog.Resize(fyne.NewSize(1100, 700))
	return c
}

func bold(s string) *widget.Label {
	return widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

// buildLog shows the draft's log rows as entries; UI goroutine.
func (c *CircularDialog) buildLog() {
	c.Log.Objects = nil
	for i := range c.draft.Log {
		r := &c.draft.Log[i]
		field := func(text, hint string, set func(string)) *widget.Entry {
			e := widget.NewEntry()
			e.SetPlaceHolder(hint)
			e.SetText(text)
			e.OnChanged = func(s string) { set(s); c.changed() }
			return e
		}
		remove := widget.NewButtonWithIcon("", theme.DeleteIcon(), func() {
			c.draft.Log = append(c.draft.Log[:i:i], c.draft.Log[i+1:]...)
			c.buildLog()
			c.changed()
		})
		c.Log.Add(container.NewGridWithColumns(5,
			field(r.Time, "2025-12-05 21:04:05", func(s string) { c.draft.Log[i].Time = s }),
			field(r.Filter, "r", func(s string) { c.draft.Log[i].Filter = s }),
			field(r.Exposure, "300", func(s string) { c.draft.Log[i].Exposure = s }),
			field(r.Value, "> 21.3", func(s string) { c.draft.Log[i].Value = s }),
			remove))
	}
	c.Log.Refresh()
}

// LogEntry is the entry of log row row, column col (0 time, 1 filter, 2
// exposure, 3 limit or magnitude); UI goroutine.
func (c *CircularDialog) LogEntry(row, col int) *widget.Entry {
	return c.Log.Objects[row].(*fyne.Container).Objects[col].(*widget.Entry)
}

// Draft is the draft as edited; UI goroutine.
func (c *CircularDialog) Draft() app.Draft { return c.draft }

// changed shows the new text and schedules the save; UI goroutine.
func (c *CircularDialog) changed() {
	if c.Preview == nil {
		return // still being built
	}
	c.preview()
	c.saver.put(c.draft)
}

// preview shows the Circular's text; UI goroutine.
func (c *CircularDialog) preview() { c.Preview.SetText(c.text()) }

// text is the subject and body as one plain text.
func (c *CircularDialog) text() string {
	subject, body := c.draft.Text()
	return "SUBJECT: " + subject + "\n\n" + body
}

// openForm opens GCN's form with the draft filled in, or, when its
// address is too long for a browser, offers to copy the text instead.
func (c *CircularDialog) openForm() {
	if c.draft.TooLong() {
		msg := fmt.Sprintf("The draft makes a form address of %d characters, more than browsers reliably open (%d).\n"+
			"Copy the text and paste it into GCN's form instead?", len(c.draft.FormURL()), circular.MaxFormURL)
		c.TooLong = dialog.NewConfirm("Draft too long for the form", msg, func(ok bool) {
			if ok {
				fyne.CurrentApp().Clipboard().SetContent(c.text())
				c.Message.SetText("Copied. Paste it into " + circular.FormAddress)
			}
		}, c.u.Win)
		c.TooLong.SetConfirmText("Copy")
		c.TooLong.Show()
		return
	}
	u, err := url.Parse(c.draft.FormURL())
	if err == nil {
		err = fyne.CurrentApp().OpenURL(u)
	}
	if err != nil {
		c.Message.SetText("Cannot open the browser: " + err.Error())
		return
	}
	c.Message.SetText("Opened GCN's form in the browser; sign in there to send it.")
}

// saveFile writes the draft's text to a file the user picks.
func (c *CircularDialog) saveFile() {
	text := c.text()
	d := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil || wc == nil {
			return
		}
		_, werr := wc.Write([]byte(text))
		if cerr := wc.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			c.Message.SetText("Not saved: " + werr.Error())
			return
		}
		c.Message.SetText("Saved to " + wc.URI().Path())
	}, c.u.Win)
	name := strings.NewReplacer(" ", "_", "/", "_", "|", "_").Replace(c.draft.Name)
	d.SetFileName(name + "_circular.txt")
	d.Show()
}
