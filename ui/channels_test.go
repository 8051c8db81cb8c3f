package ui

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/netcore/channel"
)

// The channel editor saves a webhook with its secret (shown again only as
// "set"), the panel lists it from the pushed change, a test reaches a real
// receiver, and the rule editor's picker sends a rule to it.
func TestChannelEditorAndPicker(t *testing.T) {
	u := newWindow(t)
	var got atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if r.Header.Get(channel.EventIDHeader) != "" {
			got.Add(1)
		}
	}))
	defer srv.Close()
	onUI(func() { u.Tabs.SelectIndex(notifyTab) })
	p := u.Notify
	var f *channelForm
	onUI(func() {
		f = newChannelForm(nil)
		f.name.SetText("team")
		f.url.SetText(srv.URL)
		f.secret.SetText("sign-me")
		f.room.SetText("!ignored:example.org") // not a webhook's field: not saved
	})
	onUI(func() { p.Channels.submit(f) })
	eventually(t, "the channel listed", u, func() bool { return len(p.Channels.states) == 1 })
	s := p.Channels.states[0]
	if s.Name != "team" || s.Kind != channel.Webhook || s.Room != "" || !s.SecretSet {
		t.Fatalf("saved %+v", s)
	}
	var edit *channelForm
	onUI(func() { edit = newChannelForm(&s) })
	if edit.secret.Text != "" || !strings.Contains(edit.secret.PlaceHolder, "set") || edit.url.Text != srv.URL {
		t.Errorf("editor: secret %q (%q), url %q", edit.secret.Text, edit.secret.PlaceHolder, edit.url.Text)
	}
	onUI(func() { p.Channels.test(s) })
	eventually(t, "the test message", u, func() bool { return got.Load() == 1 })

	var rf *ruleForm
	onUI(func() {
		rf = newRuleForm(app.NotifyRule{})
		rf.setChannels([]string{"team"})
		rf.name.SetText("GW")
		rf.chans.SetSelected([]string{"team"})
	})
	onUI(func() { p.submit(-1, rf) })
	eventually(t, "the rule", u, func() bool { return len(p.cfg.Rules) > 0 && p.cfg.Rules[len(p.cfg.Rules)-1].Name == "GW" })
	if r := p.cfg.Rules[len(p.cfg.Rules)-1]; len(r.Channels) != 1 || r.Channels[0] != "team" {
		t.Errorf("rule %+v", r)
	}
}
