package ui

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/starling-broker/starling/app"
)

// SubsPanel manages subscriptions to remote brokers.
type SubsPanel struct {
	u       *Window
	content fyne.CanvasObject

	Address *widget.Entry
	Filters *widget.Entry
	Add     *widget.Button
	Message *widget.Label
	List    *widget.List
	// AddKafka opens the "Add Kafka source" dialog; Kafka lists the sources.
	AddKafka *widget.Button
	Kafka    *KafkaView
	// Form is the last "Add Kafka source" dialog opened.
	Form *KafkaForm

	mu       sync.Mutex
	subs     []app.Subscription
	selected int64
}

func newSubsPanel(u *Window) *SubsPanel {
	p := &SubsPanel{u: u}
	p.Address = widget.NewEntry()
	p.Address.SetPlaceHolder("host:port of a broker's broadcaster, e.g. voevent.example.org:8099")
	p.Filters = widget.NewMultiLineEntry()
	p.Filters.SetPlaceHolder("optional XPath filters, one per line, e.g. //Param[@name='Packet_Type' and @value='61']")
	p.Filters.SetMinRowsVisible(2)
	p.Message = widget.NewLabel("Events from subscriptions are archived and, when the local broker runs, passed on to its subscribers.")
	p.Message.Wrapping = fyne.TextWrapWord
	p.Add = widget.NewButton("Subscribe", func() {
		addr := strings.TrimSpace(p.Address.Text)
		var filters []string
		for _, f := range strings.Split(p.Filters.Text, "\n") {
			if f = strings.TrimSpace(f); f != "" {
				filters = append(filters, f)
			}
		}
		go func() {
			ctx := u.ctx
			err := p.u.Core.Sources().AddSubscription(ctx, addr, filters)
			fyne.Do(func() {
				if err != nil {
					p.Message.SetText("Not added: " + err.Error())
					return
				}
				p.Message.SetText("Subscribed to " + addr + ".")
				p.Address.SetText("")
				p.Filters.SetText("")
			})
			p.refresh(ctx)
		}()
	})
	reconnect := widget.NewButton("Reconnect now", func() {
		p.mu.Lock()
		id := p.selected
		p.mu.Unlock()
		if id == 0 {
			p.Message.SetText("Select a subscription first.")
			return
		}
		p.u.run(func(ctx context.Context) error {
			err := p.u.Core.Sources().Reconnect(id)
			p.refresh(ctx)
			return err
		})
	})
	remove := widget.NewButton("Remove selected", func() {
		p.mu.Lock()
		id := p.selected
		p.mu.Unlock()
		if id == 0 {
			p.Message.SetText("Select a subscription first.")
			return
		}
		p.u.run(func(ctx context.Context) error {
			err := p.u.Core.Sources().RemoveSubscription(ctx, id)
			p.refresh(ctx)
			return err
		})
	})
	p.List = newLineList(&p.mu, &p.subs, subLine, "● connected  voevent.example.org:8099  2 filters  received 100")
	p.List.OnSelected = func(id widget.ListItemID) {
		p.mu.Lock()
		p.selected = p.subs[id].ID
		p.mu.Unlock()
	}
	p.Kafka = newKafkaView(u)
	p.AddKafka = widget.NewButton("Add Kafka source…", p.OpenKafkaForm)
	form := widget.NewForm(widget.NewFormItem("Broker", p.Address), widget.NewFormItem("Filters", p.Filters))
	top := container.NewVBox(form, container.NewHBox(p.Add, reconnect, remove, p.AddKafka), p.Message)
	kafkaBox := container.NewBorder(widget.NewLabelWithStyle("Kafka sources", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		nil, nil, nil, p.Kafka.content)
	split := container.NewVSplit(p.List, kafkaBox)
	split.Offset = 0.35
	p.content = container.NewBorder(top, nil, nil, nil, split)
	return p
}

func subLine(s app.Subscription) string { return subLineAt(s, time.Now()) }

// subLineAt words a subscription's state at now: connected since when, or
// the error and when the next attempt comes; the last event's age.
func subLineAt(s app.Subscription, now time.Time) string {
	if s.ID == 0 {
		return ""
	}
	st := s.State
	var state string
	switch {
	case st.Connected:
		state = "● connected since " + st.Since.Local().Format("15:04:05")
	case !st.NextAttempt.IsZero():
		wait := max(st.NextAttempt.Sub(now), 0).Round(time.Second)
		state = "○ " + orDash(st.LastError) + "; next try in " + wait.String()
	case st.LastError != "":
		state = "○ connecting (last: " + st.LastError + ")"
	default:
		state = "○ connecting"
	}
	last := "no event yet"
	if !st.LastEvent.IsZero() {
		last = "last event " + now.Sub(st.LastEvent).Round(time.Second).String() + " ago"
	}
	return fmt.Sprintf("%s  ·  %s  ·  %d filters  ·  received %d  ·  %s", state, s.Address, len(s.Filters), st.Received, last)
}

// OpenKafkaForm opens the "Add Kafka source" dialog.
func (p *SubsPanel) OpenKafkaForm() {
	p.Form = p.u.showKafkaForm(func(int64) {
		p.Message.SetText("Kafka source saved; its credentials are kept in a file only you can read.")
		p.Kafka.changed()
	})
}

func (p *SubsPanel) refresh(ctx context.Context) {
	p.Kafka.refresh(ctx)
	subs, err := p.u.Core.Sources().Subscriptions(ctx)
	if err != nil {
		return
	}
	p.mu.Lock()
	p.subs = subs
	p.mu.Unlock()
	fyne.Do(p.List.Refresh)
}

// Items returns the subscriptions shown; tests use it.
func (p *SubsPanel) Items() []app.Subscription {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]app.Subscription(nil), p.subs...)
}

// tick redraws the countdowns and "ago" texts from memory.
func (p *SubsPanel) tick(time.Time) {
	p.Kafka.refresh(p.u.ctx) // health from memory; the list only if it changed
	fyne.Do(p.List.Refresh)
}
