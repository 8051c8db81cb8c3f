package ui

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/netcore/channel"
)

// channelsView is the Notifications panel's list of notification
// channels (Slack, Matrix, ntfy, email, a webhook), with their state.
type channelsView struct {
	u        *Window
	content  fyne.CanvasObject
	List     *widget.List
	states   []app.ChannelState // the UI goroutine's copy
	selected int
}

func newChannelsView(u *Window) *channelsView {
	v := &channelsView{u: u, selected: -1}
	v.List = widget.NewList(func() int { return len(v.states) },
		func() fyne.CanvasObject {
			errText := widget.NewLabel("")
			errText.Importance = widget.DangerImportance
			return container.NewHBox(widget.NewLabel("channel"), errText)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			box := o.(*fyne.Container)
			line, errText := channelLine(v.states[i])
			box.Objects[0].(*widget.Label).SetText(line)
			box.Objects[1].(*widget.Label).SetText(errText)
		})
	v.List.OnSelected = func(i widget.ListItemID) { v.selected = i }
	v.List.OnUnselected = func(widget.ListItemID) { v.selected = -1 }
	chosen := func(f func(app.ChannelState)) func() {
		return func() {
			if i := v.selected; i >= 0 && i < len(v.states) {
				f(v.states[i])
			}
		}
	}
	buttons := container.NewHBox(
		widget.NewButton("Add channel…", func() { v.edit(nil) }),
		widget.NewButton("Edit…", chosen(func(s app.ChannelState) { v.edit(&s) })),
		widget.NewButton("Test", chosen(v.test)),
		widget.NewButton("Remove", chosen(v.remove)),
	)
	top := container.NewVBox(widget.NewSeparator(),
		widget.NewLabel("Channels: rules that name one also send there, from this window or a starling broker on this data directory."),
		buttons)
	v.content = container.NewBorder(top, nil, nil, nil, v.List)
	return v
}

// channelLine is a channel's line in the list, and its error in words ("" for none).
func channelLine(s app.ChannelState) (line, errText string) {
	line = fmt.Sprintf("%s (%s) · %d pending · %d sent", s.Name, s.Kind, s.Pending, s.Sent)
	if s.Failed > 0 {
		line += fmt.Sprintf(" · %d failed", s.Failed)
	}
	if !s.LastSent.IsZero() {
		line += " · last " + s.LastSent.Local().Format("Jan 2 15:04")
	}
	if s.LastError != "" {
		errText = s.LastError
		if s.Failures > 1 {
			errText = fmt.Sprintf("%s (%d failures in a row)", errText, s.Failures)
		}
	}
	return line, errText
}

// refresh reads the channels' states; off the UI goroutine.
func (v *channelsView) refresh() {
	states, err := v.u.Core.Channels().States()
	if err != nil {
		return
	}
	fyne.Do(func() { v.show(states) })
}

// show shows the channels' states; on the UI goroutine.
func (v *channelsView) show(states []app.ChannelState) {
	v.states = states
	v.List.Refresh()
}

// test sends a test message off the UI goroutine and shows the answer.
func (v *channelsView) test(s app.ChannelState) {
	v.u.run(func(ctx context.Context) error {
		if err := v.u.Core.Channels().Test(ctx, s.Name); err != nil {
			return fmt.Errorf("channel %q: %w", s.Name, err)
		}
		fyne.Do(func() {
			dialog.ShowInformation("Test sent", fmt.Sprintf("The server of channel %q accepted the test message.", s.Name), v.u.Win)
		})
		return nil
	})
}

// remove asks, then removes a channel off the UI goroutine.
func (v *channelsView) remove(s app.ChannelState) {
	dialog.ShowConfirm("Remove channel", fmt.Sprintf("Remove the channel %q, its secret and its queued messages?", s.Name), func(ok bool) {
		if ok {
			v.u.run(func(context.Context) error { return v.u.Core.Channels().Remove(s.Name) })
		}
	}, v.u.Win)
}

// channelForm is the channel editor's fields.
type channelForm struct {
	kind                                                    *widget.Select
	name, url, room, host, port, user, from, to, ca, perMin *widget.Entry
	tls                                                     *widget.Select
	secret                                                  *widget.Entry
}

func newChannelForm(s *app.ChannelState) *channelForm {
	e := func(hint string) *widget.Entry {
		w := widget.NewEntry()
		w.SetPlaceHolder(hint)
		return w
	}
	var kinds []string
	for _, k := range channel.Kinds {
		kinds = append(kinds, string(k))
	}
	f := &channelForm{kind: widget.NewSelect(kinds, nil), name: e("team-slack"),
		url: e("webhook or ntfy topic address; Matrix homeserver"), room: e("!abc:example.org (Matrix)"),
		host: e("smtp.example.org (email)"), port: e("587; empty: the TLS mode's"), user: e("SMTP login (email)"),
		from: e("starling@example.org"), to: e("a@example.org, b@example.org"), ca: e("PEM file; empty: the system's"),
		perMin: e("empty: the kind's default"), tls: widget.NewSelect([]string{"starttls", "tls", "none"}, nil),
		secret: widget.NewPasswordEntry()}
	f.kind.SetSelected(string(channel.Webhook))
	f.tls.SetSelected("starttls")
	f.secret.SetPlaceHolder("token, password, Slack webhook address or signing key")
	if s != nil {
		c := s.Config
		f.kind.SetSelected(string(c.Kind))
		f.name.SetText(c.Name)
		f.name.Disable()
		f.url.SetText(c.URL)
		f.room.SetText(c.Room)
		f.host.SetText(c.SMTPHost)
		if c.SMTPPort != 0 {
			f.port.SetText(strconv.Itoa(c.SMTPPort))
		}
		f.user.SetText(c.Username)
		f.from.SetText(c.From)
		f.to.SetText(strings.Join(c.To, ", "))
		f.ca.SetText(c.CAFile)
		if c.PerMinute > 0 {
			f.perMin.SetText(strconv.FormatFloat(c.PerMinute, 'g', -1, 64))
		}
		if c.TLS != "" {
			f.tls.SetSelected(c.TLS)
		}
		if s.SecretSet {
			f.secret.SetPlaceHolder("•••• set (type to replace)")
		}
	}
	return f
}

func (f *channelForm) items() []*widget.FormItem {
	return []*widget.FormItem{
		widget.NewFormItem("Kind", f.kind), widget.NewFormItem("Name", f.name), widget.NewFormItem("Secret", f.secret),
		widget.NewFormItem("URL", f.url), widget.NewFormItem("Matrix room", f.room),
		widget.NewFormItem("SMTP host", f.host), widget.NewFormItem("SMTP port", f.port), widget.NewFormItem("SMTP TLS", f.tls),
		widget.NewFormItem("SMTP user", f.user), widget.NewFormItem("From", f.from), widget.NewFormItem("To", f.to),
		widget.NewFormItem("CA file", f.ca), widget.NewFormItem("Messages per minute", f.perMin),
	}
}

// config reads the fields the kind uses, or says what is wrong.
func (f *channelForm) config() (channel.Config, error) {
	c := channel.Config{Name: strings.TrimSpace(f.name.Text), Kind: channel.Kind(f.kind.Selected), CAFile: strings.TrimSpace(f.ca.Text)}
	if s := strings.TrimSpace(f.perMin.Text); s != "" {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return c, fmt.Errorf("messages per minute: %q is not a number", s)
		}
		c.PerMinute = v
	}
	switch c.Kind {
	case channel.Webhook, channel.Ntfy:
		c.URL = strings.TrimSpace(f.url.Text)
	case channel.Matrix:
		c.URL, c.Room = strings.TrimSpace(f.url.Text), strings.TrimSpace(f.room.Text)
	case channel.Email:
		c.SMTPHost, c.TLS, c.Username, c.From = strings.TrimSpace(f.host.Text), f.tls.Selected, strings.TrimSpace(f.user.Text), strings.TrimSpace(f.from.Text)
		if s := strings.TrimSpace(f.port.Text); s != "" {
			p, err := strconv.Atoi(s)
			if err != nil {
				return c, fmt.Errorf("SMTP port: %q is not a number", s)
			}
			c.SMTPPort = p
		}
		for _, t := range strings.Split(f.to.Text, ",") {
			if t = strings.TrimSpace(t); t != "" {
				c.To = append(c.To, t)
			}
		}
	}
	return c, nil
}

// edit opens the editor for a channel (nil: a new one).
func (v *channelsView) edit(s *app.ChannelState) {
	f := newChannelForm(s)
	title := "New notification channel"
	if s != nil {
		title = "Edit " + s.Name
	}
	d := dialog.NewForm(title, "Save", "Cancel", f.items(), func(ok bool) {
		if ok {
			v.submit(f)
		}
	}, v.u.Win)
	d.Resize(fyne.NewSize(560, 640))
	d.Show()
}

// submit saves the form off the UI goroutine (the change is pushed back).
func (v *channelsView) submit(f *channelForm) {
	cfg, err := f.config()
	if err != nil {
		showError(v.u.Win, err)
		return
	}
	secret := f.secret.Text
	v.u.run(func(context.Context) error { return v.u.Core.Channels().Save(cfg, secret) })
}
