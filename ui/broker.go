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
	"fyne.io/fyne/v2/widget"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/netcore/broker"
)

// maxActivity is how many lines of recent activity the broker panel keeps.
const maxActivity = 200

// BrokerPanel starts and stops the local test broker and shows its figures.
type BrokerPanel struct {
	u       *Window
	content fyne.CanvasObject

	Toggle        *widget.Check
	IVO           *widget.Entry
	ReceivePort   *widget.Entry
	BroadcastPort *widget.Entry
	AllInterfaces *widget.Check
	State         *widget.Label
	Received      *widget.Label
	Accepted      *widget.Label
	Refused       *widget.Label
	Subscribers   *widget.Label
	Activity      *widget.List

	mu       sync.Mutex
	activity []broker.Activity // newest first
	// quiet suppresses the toggle's callback while the panel sets it itself.
	quiet bool
}

func newBrokerPanel(u *Window) *BrokerPanel {
	p := &BrokerPanel{u: u}
	s := u.Core.Settings().Broker(u.ctx)
	p.IVO = widget.NewEntry()
	p.IVO.SetText(s.LocalIVO)
	p.ReceivePort = widget.NewEntry()
	p.ReceivePort.SetText(strconv.Itoa(s.ReceivePort))
	p.BroadcastPort = widget.NewEntry()
	p.BroadcastPort.SetText(strconv.Itoa(s.BroadcastPort))
	p.AllInterfaces = widget.NewCheck("listen on all interfaces (not only this computer)", nil)
	p.AllInterfaces.SetChecked(s.AllInterfaces)
	p.State = widget.NewLabel("Stopped")
	p.State.Wrapping = fyne.TextWrapWord
	p.Toggle = widget.NewCheck("Local test broker on", func(on bool) {
		if !p.quiet {
			p.SetRunning(on)
		}
	})
	p.Received, p.Accepted, p.Refused, p.Subscribers = widget.NewLabel("0"), widget.NewLabel("0"), widget.NewLabel("0"), widget.NewLabel("0")
	card := func(title string, l *widget.Label) fyne.CanvasObject {
		l.TextStyle = fyne.TextStyle{Bold: true}
		return widget.NewCard("", title, l)
	}
	p.Activity = newLineList(&p.mu, &p.activity, activityLine, "00:00:00  nak  ivo://example.org/stream#event  from 127.0.0.1:50000")
	form := widget.NewForm(
		widget.NewFormItem("Local IVO", p.IVO),
		widget.NewFormItem("Receive port", p.ReceivePort),
		widget.NewFormItem("Broadcast port", p.BroadcastPort),
		widget.NewFormItem("", p.AllInterfaces),
	)
	top := container.NewVBox(
		p.Toggle, p.State, form,
		container.NewGridWithColumns(4, card("received", p.Received), card("accepted", p.Accepted), card("refused", p.Refused), card("subscribers", p.Subscribers)),
		widget.NewLabelWithStyle("Recent activity", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
	)
	p.content = container.NewBorder(top, nil, nil, nil, p.Activity)
	return p
}

func activityLine(a broker.Activity) string {
	if a.Time.IsZero() {
		return ""
	}
	parts := []string{a.Time.Format("15:04:05"), fmt.Sprintf("%-5s", a.Kind)}
	if a.IVORN != "" {
		parts = append(parts, a.IVORN)
	}
	if a.Peer != "" {
		parts = append(parts, "from "+a.Peer)
	}
	if a.Reason != "" {
		parts = append(parts, "— "+a.Reason)
	}
	return strings.Join(parts, "  ")
}

// settings reads the form; it returns an error in words for a bad field.
func (p *BrokerPanel) settings() (app.BrokerSettings, error) {
	s := app.DefaultBrokerSettings()
	s.LocalIVO = strings.TrimSpace(p.IVO.Text)
	s.AllInterfaces = p.AllInterfaces.Checked
	for _, f := range []struct {
		name  string
		entry *widget.Entry
		into  *int
	}{{"receive port", p.ReceivePort, &s.ReceivePort}, {"broadcast port", p.BroadcastPort, &s.BroadcastPort}} {
		n, err := strconv.Atoi(strings.TrimSpace(f.entry.Text))
		if err != nil || n < 1 || n > 65535 {
			return s, fmt.Errorf("the %s must be a number from 1 to 65535", f.name)
		}
		*f.into = n
	}
	if s.ReceivePort == s.BroadcastPort {
		return s, fmt.Errorf("the receive and broadcast ports must differ")
	}
	return s, nil
}

func (p *BrokerPanel) setToggle(on bool) {
	p.quiet = true
	p.Toggle.SetChecked(on)
	p.quiet = false
	for _, w := range []fyne.Disableable{p.IVO, p.ReceivePort, p.BroadcastPort, p.AllInterfaces} {
		if on {
			w.Disable()
		} else {
			w.Enable()
		}
	}
}

// SetRunning starts or stops the local broker; it returns at once and the
// state label tells how it went. Call it on the UI goroutine.
func (p *BrokerPanel) SetRunning(on bool) {
	if !on {
		p.State.SetText("Stopping…")
		go func() {
			ctx, cancel := context.WithTimeout(p.u.ctx, 5*time.Second)
			defer cancel()
			p.u.Core.Brokers().Stop(ctx)
			fyne.Do(func() {
				p.setToggle(false)
				p.State.SetText("Stopped")
				p.u.setTitle("local broker stopped")
			})
		}()
		return
	}
	s, err := p.settings()
	if err != nil {
		p.setToggle(false)
		p.State.SetText("Not started: " + err.Error())
		return
	}
	p.setToggle(true)
	p.State.SetText("Starting…")
	go func() {
		// Settings are saved only once the broker runs on them: a port
		// that cannot be bound must not break the next launch too.
		lb, err := p.u.Core.Brokers().Start(s.Config())
		var saveErr error
		if err == nil {
			saveErr = p.u.Core.Settings().SaveBroker(p.u.ctx, s)
		}
		fyne.Do(func() {
			if err != nil {
				p.setToggle(false)
				p.State.SetText("Error: " + err.Error())
				p.u.setTitle("local broker stopped (error)")
				return
			}
			recv, bcast := lb.Addresses()
			state := "Running: receiving on " + recv + ", broadcasting on " + bcast + " as " + s.LocalIVO
			if saveErr != nil {
				state += " (these settings could not be saved for the next launch: " + saveErr.Error() + ")"
			}
			p.State.SetText(state)
			p.u.setTitle("local broker running on " + recv + " / " + bcast)
		})
	}()
}

func (p *BrokerPanel) record(a broker.Activity) {
	p.mu.Lock()
	p.activity = append([]broker.Activity{a}, p.activity...)
	if len(p.activity) > maxActivity {
		p.activity = p.activity[:maxActivity]
	}
	p.mu.Unlock()
}

func (p *BrokerPanel) refresh(ctx context.Context) {
	lb := p.u.Core.Brokers().Running()
	var c broker.Counters
	subs := 0
	if lb != nil {
		c = lb.Counters()
		subs = lb.Subscribers()
	}
	fyne.Do(func() {
		p.Received.SetText(strconv.FormatUint(c.Received, 10))
		p.Accepted.SetText(strconv.FormatUint(c.Accepted, 10))
		p.Refused.SetText(strconv.FormatUint(c.Refused, 10))
		p.Subscribers.SetText(strconv.Itoa(subs))
		p.Activity.Refresh()
	})
}

func showError(w fyne.Window, err error) {
	dialog.ShowError(err, w)
}
