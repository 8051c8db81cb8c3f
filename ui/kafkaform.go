package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/netcore/kafka"
)

// The preset choices and the kafka preset each stands for ("" is custom).
var presetChoices = []struct{ label, preset string }{
	{"GCN", "gcn"}, {"GCN test", "gcn-test"}, {"Hopskotch", "hopskotch"}, {"Custom", ""},
}

// KafkaForm is the "Add Kafka source" and "Edit Kafka source" dialog's content.
type KafkaForm struct {
	u       *Window
	content fyne.CanvasObject
	dialog  *dialog.CustomDialog
	// onSaved is called on the UI goroutine once the source is saved.
	onSaved func(id int64)
	// editing is the saved source being edited; 0 for a new one.
	editing int64

	Name      *widget.Entry
	Preset    *widget.Select
	Bootstrap *widget.Entry
	TLS       *widget.Check
	Insecure  *widget.Check
	Auth      *widget.Select
	TokenURL  *widget.Entry
	Scope     *widget.Entry
	User      *widget.Entry
	ClientID  *widget.Entry
	// Secret is the password or client secret: masked, cleared once saved.
	Secret *widget.Entry
	Topics *widget.Entry
	Search *widget.Entry
	Checks *TopicChecklist
	From   *fromPicker
	// Resume says, when editing, that the source goes on from its offsets.
	Resume  *widget.Label
	Message *widget.Label
	// Test connects with what the form says, without saving.
	Test *widget.Button
	Save *widget.Button

	rows map[string][2]fyne.CanvasObject // form rows by name: label, field
	grid *fyne.Container
}

func newKafkaForm(u *Window) *KafkaForm {
	f := &KafkaForm{u: u, rows: map[string][2]fyne.CanvasObject{}}
	f.Name = widget.NewEntry()
	f.Name.SetPlaceHolder("a name for the list (default: the preset's)")
	f.Bootstrap = widget.NewEntry()
	f.Bootstrap.SetPlaceHolder("host:port[,host:port]")
	f.TLS = widget.NewCheck("TLS", nil)
	f.TLS.SetChecked(true)
	f.Insecure = widget.NewCheck("skip certificate checks (insecure)", nil)
	var auths []string
	for _, a := range kafka.Auths {
		auths = append(auths, string(a))
	}
	f.Auth = widget.NewSelect(auths, func(string) { f.layoutFields() })
	f.TokenURL = widget.NewEntry()
	f.TokenURL.SetPlaceHolder("https://…/oauth2/token")
	f.Scope = widget.NewEntry()
	f.User = widget.NewEntry()
	f.ClientID = widget.NewEntry()
	f.Secret = widget.NewPasswordEntry()
	f.Topics = widget.NewMultiLineEntry()
	f.Topics.SetPlaceHolder("topic names or ^regular expressions, one a line or comma-separated")
	f.Topics.SetMinRowsVisible(4)
	f.Checks = newTopicChecklist(app.GCNTopicGroups())
	f.Search = widget.NewEntry()
	f.Search.SetPlaceHolder("search topics, e.g. fermi gbm")
	f.Search.OnChanged = f.Checks.Filter
	f.From = newFromPicker(fromLatest)
	f.Resume = widget.NewLabel("")
	f.Message = widget.NewLabel("")
	f.Message.Wrapping = fyne.TextWrapWord
	f.Message.Importance = widget.DangerImportance
	f.Save = widget.NewButton("Save and start", f.Submit)
	f.Save.Importance = widget.HighImportance
	f.Test = widget.NewButton("Test connection", f.TestConnection)

	grid := container.New(layout.NewFormLayout())
	f.grid = grid
	add := func(key, label string, field fyne.CanvasObject) {
		l := widget.NewLabel(label)
		f.rows[key] = [2]fyne.CanvasObject{l, field}
		grid.Add(l)
		grid.Add(field)
	}
	add("preset", "Cluster", f.presetSelect())
	add("name", "Name", f.Name)
	add("bootstrap", "Bootstrap", f.Bootstrap)
	add("tls", "", container.NewHBox(f.TLS, f.Insecure))
	add("auth", "Authentication", f.Auth)
	add("token", "Token URL", f.TokenURL)
	add("scope", "Scope", f.Scope)
	add("user", "User", f.User)
	add("client", "Client ID", f.ClientID)
	add("secret", "Password", f.Secret)
	add("topics", "Topics", f.Topics)
	add("from", "Start from", f.From.box)
	add("resume", "Goes on from", f.Resume)
	checklist := container.NewBorder(f.Search, nil, nil, nil, container.NewVScroll(f.Checks.content))
	f.rows["checklist"] = [2]fyne.CanvasObject{checklist, checklist}
	bottom := container.NewVBox(f.Message, container.NewHBox(f.Test, layout.NewSpacer(), widget.NewButton("Cancel", f.close), f.Save))
	f.content = container.NewBorder(grid, bottom, nil, nil, checklist)
	f.Preset.SetSelected("GCN")
	return f
}

func (f *KafkaForm) presetSelect() *widget.Select {
	var labels []string
	for _, c := range presetChoices {
		labels = append(labels, c.label)
	}
	f.Preset = widget.NewSelect(labels, func(string) { f.applyPreset() })
	return f.Preset
}

// preset is the kafka preset chosen ("" for custom).
func (f *KafkaForm) preset() string {
	for _, c := range presetChoices {
		if c.label == f.Preset.Selected {
			return c.preset
		}
	}
	return ""
}

// applyPreset fills the cluster fields from the chosen preset.
func (f *KafkaForm) applyPreset() {
	if p, ok := kafka.FindPreset(f.preset()); ok {
		f.Bootstrap.SetText(strings.Join(p.Bootstrap, ","))
		f.TLS.SetChecked(true)
		f.Auth.SetSelected(string(p.Auth))
		f.TokenURL.SetText(p.TokenURL)
		f.Scope.SetText(p.Scope)
	} else if f.Auth.Selected == "" {
		f.Auth.SetSelected(string(kafka.AuthNone))
	}
	f.layoutFields()
}

// gcn reports whether a GCN preset is chosen: topics come from the checklist.
func (f *KafkaForm) gcn() bool { p := f.preset(); return p == "gcn" || p == "gcn-test" }

// layoutFields shows the fields the preset and the authentication need.
func (f *KafkaForm) layoutFields() {
	if f.Preset == nil {
		return
	}
	custom := f.preset() == ""
	auth := kafka.Auth(f.Auth.Selected)
	oidc := auth == kafka.AuthOIDC
	show := map[string]bool{
		"preset": true, "name": true, "from": f.editing == 0, "resume": f.editing > 0,
		"bootstrap": custom, "tls": custom, "auth": custom,
		"token": custom && oidc, "scope": custom && oidc,
		"user": !oidc && auth != kafka.AuthNone && auth != "", "client": oidc,
		"secret": auth != kafka.AuthNone && auth != "",
		"topics": !f.gcn(), "checklist": f.gcn(),
	}
	for key, row := range f.rows {
		for _, o := range row {
			if show[key] {
				o.Show()
			} else {
				o.Hide()
			}
		}
	}
	if oidc {
		f.rows["secret"][0].(*widget.Label).SetText("Client secret")
	} else {
		f.rows["secret"][0].(*widget.Label).SetText("Password")
	}
	f.grid.Refresh()
	if f.content != nil {
		f.content.Refresh()
	}
}

// Spec is the source the form describes.
func (f *KafkaForm) Spec() (app.KafkaSource, error) {
	s := app.KafkaSource{Name: f.Name.Text, Preset: f.preset(), Secret: f.Secret.Text}
	auth := kafka.Auth(f.Auth.Selected)
	if s.Preset == "" {
		s.Bootstrap = splitList(f.Bootstrap.Text)
		s.TLS, s.Insecure, s.Auth = f.TLS.Checked, f.Insecure.Checked, auth
		if auth == kafka.AuthOIDC {
			s.TokenURL, s.Scope = f.TokenURL.Text, f.Scope.Text
		}
	}
	if auth == kafka.AuthOIDC {
		s.ClientID = f.ClientID.Text
	} else {
		s.User = f.User.Text
	}
	if f.gcn() {
		s.Topics = f.Checks.Checked()
	} else {
		s.Topics = splitList(f.Topics.Text)
	}
	from, err := f.From.value()
	s.From = from
	return s, err
}

func splitList(s string) []string {
	var out []string
	for _, t := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' || r == ' ' || r == '\t' }) {
		out = append(out, t)
	}
	return out
}

// Submit saves the source off the UI goroutine; an error stays in the
// dialog in words, success closes it and forgets the secret.
func (f *KafkaForm) Submit() {
	spec, err := f.Spec()
	if err != nil {
		f.Message.SetText(err.Error())
		return
	}
	f.Message.SetText("Saving…")
	f.Save.Disable()
	go func() {
		ctx, cancel := context.WithTimeout(f.u.ctx, 30*time.Second)
		defer cancel()
		id := f.editing
		var err error
		if id > 0 {
			err = f.u.Core.Sources().UpdateKafka(ctx, id, spec)
		} else {
			id, err = f.u.Core.Sources().AddKafka(ctx, spec)
		}
		fyne.Do(func() {
			f.Save.Enable()
			if err != nil {
				f.Message.SetText("Not saved: " + err.Error())
				return
			}
			f.Secret.SetText("")
			f.Message.SetText("")
			f.close()
			if f.onSaved != nil {
				f.onSaved(id)
			}
		})
	}()
}

// TestConnection connects as the form says, off the UI goroutine, and says
// what it found, or why it failed, in the dialog; nothing is saved.
func (f *KafkaForm) TestConnection() {
	spec, err := f.Spec()
	if err != nil {
		f.say(err.Error(), widget.DangerImportance)
		return
	}
	f.say("Connecting…", widget.MediumImportance)
	f.Test.Disable()
	id := f.editing
	go func() {
		ctx, cancel := context.WithTimeout(f.u.ctx, 20*time.Second)
		defer cancel()
		res, err := f.u.Core.Sources().TestKafka(ctx, id, spec)
		fyne.Do(func() {
			f.Test.Enable()
			if err != nil {
				f.say("Connection failed: "+err.Error(), widget.DangerImportance)
				return
			}
			msg := fmt.Sprintf("Connected: these credentials see %d topics.", res.Topics)
			if len(res.Missing) > 0 {
				msg += " Not on the cluster (yet; a quiet or new topic is normal): " + strings.Join(res.Missing, ", ") + "."
			}
			f.say(msg, widget.SuccessImportance)
		})
	}()
}

// say shows msg under the form with the importance given.
func (f *KafkaForm) say(msg string, imp widget.Importance) {
	f.Message.Importance = imp
	f.Message.SetText(msg)
}

// fill shows a saved source for editing: its secret stays unshown (an empty
// field keeps it), and it goes on from its committed offsets.
func (f *KafkaForm) fill(s app.KafkaSource) {
	f.editing = s.ID
	for _, c := range presetChoices {
		if c.preset == s.Preset {
			f.Preset.SetSelected(c.label) // fills the preset's cluster fields
		}
	}
	f.Name.SetText(s.Name)
	f.Bootstrap.SetText(strings.Join(s.Bootstrap, ","))
	f.TLS.SetChecked(s.TLS)
	f.Insecure.SetChecked(s.Insecure)
	f.Auth.SetSelected(string(s.Auth))
	f.TokenURL.SetText(s.TokenURL)
	f.Scope.SetText(s.Scope)
	f.User.SetText(s.User)
	f.ClientID.SetText(s.ClientID)
	if s.SecretSet {
		f.Secret.SetPlaceHolder("saved: leave empty to keep it")
	}
	if f.gcn() {
		for _, t := range s.Topics {
			if ch := f.Checks.Checks[t]; ch != nil {
				ch.SetChecked(true)
			}
		}
	} else {
		f.Topics.SetText(strings.Join(s.Topics, "\n"))
	}
	f.Resume.SetText("its committed offsets (consumer group " + s.Group + ")")
	f.Save.SetText("Save and restart")
	f.layoutFields()
}

// close hides the dialog and forgets a secret typed but not saved.
func (f *KafkaForm) close() {
	f.Secret.SetText("")
	if f.dialog != nil {
		f.dialog.Hide()
	}
}

// showKafkaForm opens the "Add Kafka source" dialog over the window.
func (u *Window) showKafkaForm(onSaved func(id int64)) *KafkaForm {
	f := newKafkaForm(u)
	f.onSaved = onSaved
	f.dialog = dialog.NewCustomWithoutButtons("Add Kafka source", f.content, u.Win)
	f.dialog.Resize(fyne.NewSize(680, 640))
	f.dialog.Show()
	return f
}

// showKafkaEdit opens the "Edit Kafka source" dialog for a saved source.
func (u *Window) showKafkaEdit(s app.KafkaSource, onSaved func(id int64)) *KafkaForm {
	f := newKafkaForm(u)
	f.onSaved = onSaved
	f.fill(s)
	f.dialog = dialog.NewCustomWithoutButtons("Edit Kafka source "+s.Name, f.content, u.Win)
	f.dialog.Resize(fyne.NewSize(680, 640))
	f.dialog.Show()
	return f
}
