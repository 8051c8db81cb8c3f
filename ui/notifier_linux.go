package ui

import (
	"errors"
	"sync"

	"fyne.io/fyne/v2"
	"github.com/godbus/dbus/v5"
)

// The freedesktop notification service (Desktop Notifications
// Specification 1.2), which every Linux desktop and dunst provide.
const (
	fdoName  = "org.freedesktop.Notifications"
	fdoPath  = "/org/freedesktop/Notifications"
	fdoIface = "org.freedesktop.Notifications"
	// fdoShow is the Show action's key; "default" is a click on the body.
	fdoShow = "show"
)

// fdoNotifier sends notifications over the session bus with a Show action
// and the critical urgency for retractions, and runs a notification's Show
// when the user picks it.
type fdoNotifier struct {
	conn    *dbus.Conn
	signals chan *dbus.Signal
	mu      sync.Mutex
	shows   map[uint32]func() // by notification id, until it closes
}

// newDesktopNotifier connects to the session bus's notification service;
// an error when there is none (no session bus, no server).
func newDesktopNotifier() (desktopNotifier, error) {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return nil, err
	}
	var owner string
	if err := conn.BusObject().Call("org.freedesktop.DBus.GetNameOwner", 0, fdoName).Store(&owner); err != nil || owner == "" {
		conn.Close()
		return nil, errors.New("no notification server on the session bus")
	}
	for _, member := range []string{"ActionInvoked", "NotificationClosed"} {
		if err := conn.AddMatchSignal(dbus.WithMatchInterface(fdoIface), dbus.WithMatchMember(member)); err != nil {
			conn.Close()
			return nil, err
		}
	}
	n := &fdoNotifier{conn: conn, signals: make(chan *dbus.Signal, 16), shows: map[uint32]func(){}}
	conn.Signal(n.signals)
	go n.listen()
	return n, nil
}

// notify sends one notification: "Show" (and a click on it) runs n.Show.
func (f *fdoNotifier) notify(n desktopNote) error {
	urgency := byte(1) // normal
	if n.Critical {
		urgency = 2
	}
	var actions []string
	if n.Show != nil {
		actions = []string{"default", "Show", fdoShow, "Show"}
	}
	hints := map[string]dbus.Variant{"urgency": dbus.MakeVariant(urgency)}
	var id uint32
	err := f.conn.Object(fdoName, fdoPath).Call(fdoIface+".Notify", 0,
		"Starling", uint32(0), "", n.Title, n.Body, actions, hints, int32(-1)).Store(&id)
	if err != nil {
		return err
	}
	if n.Show != nil {
		f.mu.Lock()
		f.shows[id] = n.Show
		f.mu.Unlock()
	}
	return nil
}

// listen runs the Show of each notification whose action the user picks,
// on the UI goroutine, and forgets the closed ones, until the connection
// closes.
func (f *fdoNotifier) listen() {
	for s := range f.signals {
		if len(s.Body) < 1 {
			continue
		}
		id, ok := s.Body[0].(uint32)
		if !ok {
			continue
		}
		f.mu.Lock()
		show := f.shows[id]
		if s.Name == fdoIface+".NotificationClosed" {
			delete(f.shows, id)
		}
		f.mu.Unlock()
		if s.Name != fdoIface+".ActionInvoked" || show == nil || len(s.Body) < 2 {
			continue
		}
		if key, _ := s.Body[1].(string); key == fdoShow || key == "default" {
			fyne.Do(show)
		}
	}
}

// close ends the connection (and listen).
func (f *fdoNotifier) close() { f.conn.Close() }
