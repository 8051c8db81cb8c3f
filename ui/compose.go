package ui

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/netcore/compose"
)

// composeTab is the Compose tab's index.
const composeTab = 8

// composeDebounce is how long the composer waits after the last keystroke
// before checking the draft again.
const composeDebounce = 300 * time.Millisecond

// Sections of the composer's form, each with its own error line; the keys
// are the compose.FieldError fields' first words.
var composeSections = []string{"IVORN", "Who", "What", "WhereWhen", "How", "Why", "Citations", "Description", "Document"}

// ComposePanel writes a VOEvent: the fields of compose.Draft, a role switch
// (test by default), live validation with the receiver's own checks
// (errors under their section), an XML preview, and Send (to the outbox,
// for any saved destination) or Save.
type ComposePanel struct {
	u       *Window
	content fyne.CanvasObject

	Template                                *widget.Label // what the draft cites, from a template
	Stream, ID                              *widget.Entry
	IVORN                                   *widget.Label // the IVORN and whether it is free
	Role                                    *widget.RadioGroup
	RoleWarning                             *widget.Label
	Author, ShortName, ContactName, Email   *widget.Entry
	Params                                  *fyne.Container // one paramRow each
	Groups                                  *fyne.Container // one groupRow each, under the params
	RA, Dec, ErrorRadius, Time, Observatory *widget.Entry
	How, HowRef                             *widget.Entry
	Importance                              *widget.Entry
	Inferences                              *fyne.Container // one inferenceRow each
	Citations                               *fyne.Container // one citationRow each
	CitationDescription                     *widget.Entry
	AddParam, AddGroup                      *widget.Button
	AddInference, AddCitation               *widget.Button
	Description                             *widget.Entry
	Preview                                 *widget.Label
	Errors                                  map[string]*widget.Label // by section
	Destination                             *widget.Select
	SendButton, SaveButton, NewButton       *widget.Button
	Status                                  *widget.Label
	params                                  *paramTable
	groups                                  []*groupRow
	inferences                              []*inferenceRow
	citations                               []*citationRow
	base                                    compose.Draft // a template's draft: what the form does not show is kept
	setting                                 bool          // the form is being filled: no change events

	mu      sync.Mutex
	pending compose.Draft
	gen     int
	checked int // the generation last checked
	kick    chan struct{}
	dests   []app.Destination
	// checkedHook, when set, is called on the UI goroutine after each check (tests).
	checkedHook func()
}

func newComposePanel(u *Window) *ComposePanel {
	p := &ComposePanel{u: u, kick: make(chan struct{}, 1), Errors: map[string]*widget.Label{}}
	entry := func(placeholder string) *widget.Entry {
		e := widget.NewEntry()
		e.SetPlaceHolder(placeholder)
		e.OnChanged = func(string) { p.changed() }
		return e
	}
	p.Template = widget.NewLabel("")
	p.Template.Wrapping = fyne.TextWrapWord
	p.Template.Hide()
	p.Stream = entry("AUTHORITY/STREAM, e.g. example.org/alerts")
	p.ID = entry("event ID (after #)")
	p.IVORN = widget.NewLabel("")
	p.IVORN.Wrapping = fyne.TextWrapWord
	p.Role = widget.NewRadioGroup(compose.Roles, func(string) { p.roleChanged(); p.changed() })
	p.Role.Horizontal = true
	p.Role.Required = true
	p.Role.Selected = "test"
	p.RoleWarning = widget.NewLabelWithStyle("OBSERVATION: everyone subscribed will take this for a real alert", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.RoleWarning.Importance = widget.WarningImportance
	p.RoleWarning.Hide()
	p.Author = entry("ivo://example.org/contact")
	p.ShortName = entry("short name")
	p.ContactName = entry("contact name")
	p.Email = entry("name@example.org")
	p.Params = container.NewVBox()
	p.params = &paramTable{Box: p.Params, changed: p.changed}
	p.Groups = container.NewVBox()
	p.Inferences = container.NewVBox()
	p.Citations = container.NewVBox()
	p.RA = entry("RA °")
	p.Dec = entry("Dec °")
	p.ErrorRadius = entry("error °")
	p.Time = entry("2026-12-06T17:00:00.0 (UTC)")
	p.Observatory = entry("GEOSURFACE")
	p.How = entry("instrument, method")
	p.HowRef = entry("https://… (reference)")
	p.Importance = entry("importance 0–1")
	p.CitationDescription = entry("description of the citations")
	p.Description = widget.NewMultiLineEntry()
	p.Description.SetMinRowsVisible(2)
	p.Description.OnChanged = func(string) { p.changed() }
	p.Preview = widget.NewLabel("")
	p.Preview.TextStyle = fyne.TextStyle{Monospace: true}
	p.Preview.Selectable = true
	for _, s := range composeSections {
		l := widget.NewLabel("")
		l.Importance = widget.DangerImportance
		l.Wrapping = fyne.TextWrapWord
		l.Hide()
		p.Errors[s] = l
	}
	p.Destination = widget.NewSelect(nil, nil)
	p.Destination.PlaceHolder = "choose where to send"
	p.SendButton = widget.NewButtonWithIcon("Send", theme.MailSendIcon(), p.send)
	p.SaveButton = widget.NewButtonWithIcon("Save…", theme.DocumentSaveIcon(), p.save)
	p.NewButton = widget.NewButton("New", func() { p.Fill(compose.Draft{}, "") })
	p.Status = widget.NewLabel("")
	p.Status.Wrapping = fyne.TextWrapWord
	p.AddParam = widget.NewButtonWithIcon("Add param", theme.ContentAddIcon(), func() { p.params.add(compose.Param{}); p.changed() })
	p.AddGroup = widget.NewButtonWithIcon("Add group", theme.ContentAddIcon(), func() { p.addGroup(compose.Group{}).Params.add(compose.Param{}); p.changed() })
	p.AddInference = widget.NewButtonWithIcon("Add inference", theme.ContentAddIcon(), func() {
		p.addInference(compose.Inference{Relation: "associated"})
		p.changed()
	})
	p.AddCitation = widget.NewButtonWithIcon("Add citation", theme.ContentAddIcon(), func() {
		p.addCitation(compose.Citation{Cite: compose.CiteFollowup})
		p.changed()
	})

	row := func(objs ...fyne.CanvasObject) fyne.CanvasObject {
		return container.NewGridWithColumns(len(objs), objs...)
	}
	section := func(title string, key string, objs ...fyne.CanvasObject) fyne.CanvasObject {
		head := widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		return container.NewVBox(append(append([]fyne.CanvasObject{head}, objs...), p.Errors[key])...)
	}
	roleHead := widget.NewLabelWithStyle("Role", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	form := container.NewVBox(
		p.Template,
		container.NewHBox(roleHead, p.Role), p.RoleWarning,
		section("Identifier", "IVORN", row(p.Stream, p.ID), p.IVORN),
		section("Who", "Who", row(p.Author, p.ShortName), row(p.ContactName, p.Email)),
		section("What (name, value, unit, UCD, dataType, description)", "What", p.Params, container.NewHBox(p.AddParam, p.AddGroup), p.Groups),
		section("Where and when (ICRS, degrees; UTC)", "WhereWhen", row(p.RA, p.Dec, p.ErrorRadius), row(p.Time, p.Observatory)),
		section("How", "How", row(p.How, p.HowRef)),
		section("Why (importance; inferences: probability, relation, name, concept, description)", "Why",
			container.NewBorder(nil, nil, nil, p.AddInference, p.Importance), p.Inferences),
		section("Citations (IVORN, cite type; one description for all)", "Citations", p.Citations,
			container.NewBorder(nil, nil, nil, p.AddCitation, p.CitationDescription)),
		section("Description", "Description", p.Description),
		p.Errors["Document"],
	)
	actions := container.NewBorder(nil, nil, widget.NewLabel("Send to"), container.NewHBox(p.SendButton, p.SaveButton, p.NewButton), p.Destination)
	preview := container.NewBorder(widget.NewLabelWithStyle("XML preview", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), nil, nil, nil, container.NewScroll(p.Preview))
	split := container.NewHSplit(container.NewVScroll(form), preview)
	split.Offset = 0.55
	p.content = container.NewBorder(nil, container.NewVBox(actions, p.Status), nil, nil, split)
	go p.checkLoop(u.stop)
	p.changed()
	return p
}

// refresh lists the destinations; it runs off the UI goroutine.
func (p *ComposePanel) refresh(ctx context.Context) {
	dests, err := p.u.Core.Outbox().Destinations(ctx)
	p.mu.Lock()
	p.dests = dests
	p.mu.Unlock()
	labels := make([]string, len(dests))
	for i, d := range dests {
		labels[i] = d.Label()
	}
	fyne.Do(func() {
		if err != nil {
			p.Status.SetText("Cannot list the saved destinations: " + err.Error())
		}
		p.Destination.SetOptions(labels)
		if p.Destination.Selected == "" && len(labels) > 0 {
			p.Destination.SetSelected(labels[0])
		}
	})
}

// roleChanged shows the warning for a role other than test.
func (p *ComposePanel) roleChanged() {
	if p.Role.Selected == "observation" {
		p.RoleWarning.Show()
	} else {
		p.RoleWarning.Hide()
	}
}

// Fill puts a draft in the form (a template's, or an empty one); template
// says what it is ("Retraction of …"), "" for none. On the UI goroutine.
func (p *ComposePanel) Fill(d compose.Draft, template string) {
	p.setting = true
	defer func() { p.setting = false; p.changed() }()
	p.base = d
	if template != "" {
		p.Template.SetText(template)
		p.Template.Show()
	} else {
		p.Template.Hide()
	}
	p.Stream.SetText(d.Stream)
	p.ID.SetText(d.ID)
	role := d.Role
	if role == "" {
		role = "test"
	}
	p.Role.SetSelected(role)
	p.roleChanged()
	p.Author.SetText(d.AuthorIVORN)
	p.ShortName.SetText(d.ShortName)
	p.ContactName.SetText(d.ContactName)
	p.Email.SetText(d.ContactEmail)
	p.params.clear()
	for _, pa := range d.Params {
		p.params.add(pa)
	}
	p.groups = nil
	p.Groups.RemoveAll()
	for _, g := range d.Groups {
		p.addGroup(g)
	}
	fnum := func(ok bool, f float64) string {
		if !ok {
			return ""
		}
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	p.RA.SetText(fnum(d.HasPosition, d.RA))
	p.Dec.SetText(fnum(d.HasPosition, d.Dec))
	p.ErrorRadius.SetText(fnum(d.HasPosition, d.ErrorRadius))
	p.Time.SetText(d.Time)
	p.Observatory.SetText(d.ObservatoryLocation)
	p.How.SetText(d.HowDescription)
	p.HowRef.SetText(strings.Join(d.HowReferences, " "))
	p.Importance.SetText(fnum(d.HasImportance, d.Importance))
	p.inferences = nil
	p.Inferences.RemoveAll()
	for _, in := range d.Inferences {
		p.addInference(in)
	}
	p.citations = nil
	p.Citations.RemoveAll()
	for _, c := range d.Citations {
		p.addCitation(c)
	}
	p.CitationDescription.SetText(d.CitationDescription)
	p.Description.SetText(d.Description)
}

// Draft reads the form; on the UI goroutine. A number that does not read
// is kept as NaN, so that the check names its field.
func (p *ComposePanel) Draft() compose.Draft {
	d := p.base
	d.Stream, d.ID = strings.TrimSpace(p.Stream.Text), strings.TrimSpace(p.ID.Text)
	d.Role = p.Role.Selected
	d.AuthorIVORN, d.ShortName = strings.TrimSpace(p.Author.Text), p.ShortName.Text
	d.ContactName, d.ContactEmail = p.ContactName.Text, strings.TrimSpace(p.Email.Text)
	d.Params = p.params.params()
	d.Groups = nil
	for _, g := range p.groups {
		d.Groups = append(d.Groups, g.group())
	}
	num := func(s string) (float64, bool) {
		s = strings.TrimSpace(s)
		if s == "" {
			return 0, false
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nan(), true
		}
		return f, true
	}
	ra, hasRA := num(p.RA.Text)
	dec, hasDec := num(p.Dec.Text)
	er, _ := num(p.ErrorRadius.Text)
	d.HasPosition, d.RA, d.Dec, d.ErrorRadius = hasRA || hasDec, ra, dec, er
	if d.HasPosition && !(hasRA && hasDec) {
		d.RA = nan() // one of the two is missing: the check says so at WhereWhen
	}
	d.Time, d.ObservatoryLocation = strings.TrimSpace(p.Time.Text), strings.TrimSpace(p.Observatory.Text)
	d.HowDescription = p.How.Text
	d.HowReferences = strings.Fields(p.HowRef.Text)
	d.Importance, d.HasImportance = num(p.Importance.Text)
	d.Inferences = nil
	for _, r := range p.inferences {
		d.Inferences = append(d.Inferences, r.inference())
	}
	d.Citations = nil
	for _, r := range p.citations {
		d.Citations = append(d.Citations, r.citation())
	}
	d.CitationDescription = p.CitationDescription.Text
	d.Description = p.Description.Text
	return d
}

// changed queues a check of the form as it is now; on the UI goroutine.
func (p *ComposePanel) changed() {
	if p.setting || p.Stream == nil || p.Description == nil || p.CitationDescription == nil || p.params == nil {
		return
	}
	d := p.Draft()
	p.IVORN.SetText(d.IVORN())
	p.mu.Lock()
	p.pending = d
	p.gen++
	p.mu.Unlock()
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// composeCheck is what a check found.
type composeCheck struct {
	raw    []byte
	errs   []compose.FieldError
	taken  bool
	gen    int
	ivorn  string
	failed error
}

// checkLoop checks the latest draft, composeDebounce after the last change,
// off the UI goroutine, and shows the result if no newer change came.
func (p *ComposePanel) checkLoop(stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			return
		case <-p.kick:
		}
		t := time.NewTimer(composeDebounce)
	wait:
		for {
			select {
			case <-stop:
				t.Stop()
				return
			case <-p.kick:
				t.Reset(composeDebounce)
			case <-t.C:
				break wait
			}
		}
		p.mu.Lock()
		d, gen := p.pending, p.gen
		p.mu.Unlock()
		res := p.check(d)
		res.gen = gen
		fyne.Do(func() { p.showCheck(res) })
	}
}

// check lays the draft out and checks it: its fields, the receiver's libxml2
// pass, and whether the archive holds its IVORN already.
func (p *ComposePanel) check(d compose.Draft) composeCheck {
	raw := d.Document(time.Now())
	res := composeCheck{raw: raw, errs: d.Check(raw), ivorn: d.IVORN()}
	ctx, cancel := context.WithTimeout(p.u.ctx, 5*time.Second)
	defer cancel()
	res.taken, res.failed = p.u.Core.Archive().Taken(ctx, res.ivorn)
	return res
}

// sectionOf is the form section a field error belongs to.
func sectionOf(field string) string {
	first, _, _ := strings.Cut(field, " ")
	switch first {
	case "Stream", "ID", "Role":
		return "IVORN"
	case "Param", "Group":
		return "What"
	}
	for _, s := range composeSections {
		if s == first {
			return s
		}
	}
	return "Document"
}

// showCheck shows a check's result; on the UI goroutine.
func (p *ComposePanel) showCheck(res composeCheck) {
	p.mu.Lock()
	stale := res.gen != p.gen
	if !stale {
		p.checked = res.gen
	}
	p.mu.Unlock()
	if stale {
		return
	}
	p.Preview.SetText(string(res.raw))
	by := map[string][]string{}
	rows := p.rowErrors()
	atRow := map[*widget.Label][]string{}
	for _, e := range res.errs {
		if ls := rows[e.Field]; len(ls) > 0 {
			for _, l := range ls {
				atRow[l] = append(atRow[l], e.Message)
			}
			continue
		}
		s := sectionOf(e.Field)
		msg := e.Message
		if e.Field != s {
			msg = e.Field + ": " + msg
		}
		by[s] = append(by[s], msg)
	}
	if res.taken {
		by["IVORN"] = append(by["IVORN"], res.ivorn+" is already in the archive: receivers would drop it as a duplicate; change the ID")
	}
	for s, l := range p.Errors {
		if msgs := by[s]; len(msgs) > 0 {
			l.SetText(strings.Join(msgs, "\n"))
			l.Show()
		} else {
			l.Hide()
		}
	}
	for _, ls := range rows {
		for _, l := range ls {
			if msgs := atRow[l]; len(msgs) > 0 {
				l.SetText(strings.Join(msgs, "\n"))
				l.Show()
			} else {
				l.Hide()
			}
		}
	}
	switch {
	case res.failed != nil:
		p.IVORN.SetText(res.ivorn + " (cannot check the archive: " + res.failed.Error() + ")")
	case res.taken:
		p.IVORN.SetText(res.ivorn + " (taken)")
	default:
		p.IVORN.SetText(res.ivorn + " (new)")
	}
	if len(res.errs) == 0 && !res.taken {
		p.Status.SetText("The event is valid VOEvent 2.0.")
	} else {
		p.Status.SetText(fmt.Sprintf("%d problem(s), shown under their fields.", len(res.errs)+boolInt(res.taken)))
	}
	if p.checkedHook != nil {
		p.checkedHook()
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// built is the draft as a finished document, or the reason it is not one;
// off the UI goroutine.
func (p *ComposePanel) built(d compose.Draft) ([]byte, string) {
	raw, err := d.Build()
	if err != nil {
		return nil, "Not sent: " + strings.ReplaceAll(err.Error(), "\n", "; ")
	}
	ctx, cancel := context.WithTimeout(p.u.ctx, 5*time.Second)
	defer cancel()
	if taken, err := p.u.Core.Archive().Taken(ctx, d.IVORN()); err != nil {
		return nil, "Cannot check the archive: " + err.Error()
	} else if taken {
		return nil, d.IVORN() + " is already in the archive; change the ID"
	}
	return raw, ""
}

// send queues the event for the chosen destination, through the Send
// panel's log so that its line follows the outbox entry; a non-test event
// to a broker other than the local one is confirmed first.
func (p *ComposePanel) send() {
	d := p.Draft()
	sel := p.Destination.Selected
	go func() {
		raw, why := p.built(d)
		if why != "" {
			fyne.Do(func() { p.Status.SetText(why) })
			return
		}
		p.mu.Lock()
		dests := p.dests
		p.mu.Unlock()
		var dest app.Destination
		found := false
		for _, x := range dests {
			if x.Label() == sel {
				dest, found = x, true
			}
		}
		if !found {
			fyne.Do(func() { p.Status.SetText("Choose where to send it.") })
			return
		}
		queue := func() {
			ln := p.u.Core.Sends().Add(app.SendLine{Name: "composed " + d.IVORN(), IVORN: d.IVORN(), Role: d.Fill(time.Now()).Role, State: app.SendChecking})
			ctx, cancel := context.WithTimeout(p.u.ctx, 30*time.Second)
			defer cancel()
			if _, err := p.u.Core.Sends().Queue(ctx, ln, dest, raw); err != nil {
				fyne.Do(func() { p.Status.SetText("Not queued: " + err.Error()) })
				return
			}
			fyne.Do(func() {
				p.Status.SetText("Queued " + d.IVORN() + " for " + dest.Label() + "; follow it on the Send tab.")
			})
		}
		if dest.Local || d.Fill(time.Now()).Role == "test" {
			queue()
			return
		}
		fyne.Do(func() {
			c := dialog.NewConfirm("Send a real event?", fmt.Sprintf("Send %s, role %s, to %s?\nEveryone subscribed there will receive it.", d.IVORN(), d.Role, dest.Label()),
				func(yes bool) {
					if yes {
						go queue()
					}
				}, p.u.Win)
			c.SetConfirmText("Send")
			c.SetDismissText("Cancel")
			c.Show()
		})
	}()
}

// save writes the event to a file the person chooses.
func (p *ComposePanel) save() {
	d := p.Draft()
	go func() {
		raw, why := p.built(d)
		if why != "" {
			fyne.Do(func() { p.Status.SetText(strings.Replace(why, "Not sent", "Not saved", 1)) })
			return
		}
		fyne.Do(func() {
			fd := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
				if err != nil || w == nil {
					return
				}
				path := w.URI().Path()
				go func() {
					_, werr := w.Write(raw)
					if cerr := w.Close(); werr == nil {
						werr = cerr
					}
					fyne.Do(func() {
						if werr != nil {
							p.Status.SetText("Not saved: " + werr.Error())
						} else {
							p.Status.SetText("Saved " + d.IVORN() + " to " + path)
						}
					})
				}()
			}, p.u.Win)
			fd.SetFileName(safeFileName(d.ID) + ".xml")
			fd.Show()
		})
	}()
}

// safeFileName keeps letters, digits, '-', '_' and '.'.
func safeFileName(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return r
		}
		return '_'
	}, s)
	if s == "" {
		return "voevent"
	}
	return s
}

// composeFrom opens the composer with a template of an archived event:
// kind is followup, retraction or supersedes. It reads the event off the
// UI goroutine.
func (u *Window) composeFrom(kind, ivorn string) {
	if ivorn == "" {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(u.ctx, 10*time.Second)
		defer cancel()
		d, found, err := u.Core.Archive().Template(ctx, kind, ivorn)
		fyne.Do(func() {
			u.Tabs.SelectIndex(composeTab)
			if err != nil {
				u.Compose.Status.SetText("Cannot start a " + kind + ": " + err.Error())
				return
			}
			what := map[string]string{compose.CiteFollowup: "Follow-up of ", compose.CiteRetraction: "Retraction of ", compose.CiteSupersedes: "Supersession of "}[kind] + ivorn
			if !found {
				what += " (not in the archive: filled from its IVORN alone)"
			}
			if d.ID == "" {
				d.ID = kind + "-" + time.Now().UTC().Format("20060102T150405Z")
			}
			u.Compose.Fill(d, what)
		})
	}()
}

// nan is a number that fails every range check.
func nan() float64 { f, _ := strconv.ParseFloat("NaN", 64); return f }
