package ui

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"fyne.io/fyne/v2/test"

	"github.com/starling-broker/starling/app/api"
)

// The HTTP API section: its switch starts the API off the UI goroutine
// and the state line says where; the setting is kept, so a new window
// starts it again; an address off this computer without a token is
// refused with the reason.
func TestAPISectionStartsStopsAndRemembers(t *testing.T) {
	u := newWindow(t)
	onUI(func() {
		u.API.Address.SetText("127.0.0.1:0")
		test.Tap(u.API.Toggle)
	})
	var state string
	eventually(t, "the API to run", u, func() bool {
		state = u.API.State.Text
		return strings.HasPrefix(state, "Running on http://")
	})
	url := strings.Fields(strings.TrimPrefix(state, "Running on "))[0]
	resp, err := http.Get(strings.TrimSuffix(url, "/apiv1/") + "/scs?RA=1&DEC=2&SR=3")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "QUERY_STATUS") {
		t.Fatalf("cone search through the window's API: %s %s", resp.Status, body)
	}
	if s := api.LoadSettings(context.Background(), u.Core); !s.On || s.Address != "127.0.0.1:0" {
		t.Errorf("saved %+v", s)
	}

	onUI(func() { test.Tap(u.API.Toggle) })
	eventually(t, "the API to stop", u, func() bool { return u.API.State.Text == "Stopped" && !u.API.Toggle.Checked })
	if _, err := http.Get(url); err == nil {
		t.Error("the API still answers after its switch went off")
	}
	if s := api.LoadSettings(context.Background(), u.Core); s.On {
		t.Errorf("saved %+v after the switch went off", s)
	}

	onUI(func() {
		u.API.Address.SetText("0.0.0.0:0")
		u.API.TokenFile.SetText("")
		test.Tap(u.API.Toggle)
	})
	eventually(t, "the refusal", u, func() bool {
		return strings.HasPrefix(u.API.State.Text, "Not started: ") && strings.Contains(u.API.State.Text, "token file") && !u.API.Toggle.Checked
	})
}

// A window opens with the API running when it ran before.
func TestAPISectionStartsWithTheWindow(t *testing.T) {
	u := newWindow(t)
	onUI(func() {
		u.API.Address.SetText("127.0.0.1:0")
		test.Tap(u.API.Toggle)
	})
	eventually(t, "the API to run", u, func() bool { return strings.HasPrefix(u.API.State.Text, "Running") })
	// Another window on the same core, as at the next launch.
	var w *Window
	onUI(func() {
		w = Create(context.Background(), fyne.CurrentApp(), fyne.CurrentApp().NewWindow("again"), u.Core, Options{ClockEvery: time.Hour})
	})
	defer w.Close()
	eventually(t, "the new window's API to run", w, func() bool {
		return w.API.Toggle.Checked && strings.HasPrefix(w.API.State.Text, "Running on http://127.0.0.1:")
	})
}
