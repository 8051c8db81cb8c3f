package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// KafkaDestForm is the form that saves a Kafka topic as a destination: a
// name, one of the saved Kafka sources (whose cluster and credentials it
// uses) and the topic.
type KafkaDestForm struct {
	Name   *widget.Entry
	Source *widget.Select
	Topic  *widget.Entry
}

// newKafkaDestination lists the saved Kafka sources, off the UI goroutine,
// then asks for a Kafka destination and saves it.
func (p *SendPanel) newKafkaDestination() {
	p.u.run(func(ctx context.Context) error {
		ks, err := p.u.Core.Sources().Kafka(ctx)
		if err != nil {
			return err
		}
		names := make([]string, len(ks))
		for i, k := range ks {
			names[i] = k.Name
		}
		fyne.Do(func() { p.showKafkaDestForm(names) })
		return nil
	})
}

// showKafkaDestForm shows the form over the saved sources' names; on the UI goroutine.
func (p *SendPanel) showKafkaDestForm(sources []string) {
	if len(sources) == 0 {
		dialog.ShowInformation("No Kafka source", "A Kafka destination uses a saved Kafka source's cluster and credentials: add one first (Subscriptions → Add Kafka source…).", p.u.Win)
		return
	}
	f := &KafkaDestForm{Name: widget.NewEntry(), Source: widget.NewSelect(sources, nil), Topic: widget.NewEntry()}
	f.Name.SetPlaceHolder("a name, e.g. our-alerts")
	f.Topic.SetPlaceHolder("a topic, e.g. mygroup.voevent")
	f.Source.SetSelected(sources[0])
	p.mu.Lock()
	p.kafkaForm = f
	p.mu.Unlock()
	dialog.ShowForm("New Kafka destination", "Save", "Cancel", []*widget.FormItem{
		widget.NewFormItem("Name", f.Name), widget.NewFormItem("Kafka source", f.Source), widget.NewFormItem("Topic", f.Topic),
	}, func(ok bool) {
		if !ok {
			return
		}
		n, src, topic := strings.TrimSpace(f.Name.Text), f.Source.Selected, strings.TrimSpace(f.Topic.Text)
		p.saveAndSelect(n, func(ctx context.Context) error {
			return p.u.Core.Outbox().SaveKafkaDestination(ctx, n, src, topic)
		})
	}, p.u.Win)
}
