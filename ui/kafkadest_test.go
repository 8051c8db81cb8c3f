package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/netcore/compose"
)

// TestKafkaDestinationInCompose saves a Kafka destination through the Send
// panel's form (a saved Kafka source, a topic), finds it in the Compose
// tab's "Send to", and queues a composed event for it: an outbox entry for
// the topic, which the worker publishes to the (in-process) cluster.
func TestKafkaDestinationInCompose(t *testing.T) {
	const topic = "starling.ui.out"
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, topic))
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	u := newWindow(t)
	setTheme(test.Theme())
	ctx := context.Background()
	if _, err := u.Core.Sources().AddKafka(ctx, app.KafkaSource{Name: "lab", Bootstrap: cluster.ListenAddrs(), Topics: []string{"gcn.heartbeat"}, Paused: true}); err != nil {
		t.Fatal(err)
	}

	onUI(func() { test.Tap(u.Send.AddKafkaDest) })
	var f *KafkaDestForm
	eventually(t, "the Kafka destination form", u, func() bool {
		u.Send.mu.Lock()
		f = u.Send.kafkaForm
		u.Send.mu.Unlock()
		return f != nil
	})
	onUI(func() {
		if f.Source.Selected != "lab" || len(f.Source.Options) != 1 {
			t.Errorf("sources offered %v, chosen %q", f.Source.Options, f.Source.Selected)
		}
		test.Type(f.Name, "lab-out")
		test.Type(f.Topic, topic)
	})
	onUI(func() {
		_, buttons := overlayText(u.Win)
		if buttons["Save"] == nil {
			t.Error("no Save button on the form")
			return
		}
		test.Tap(buttons["Save"])
	})
	label := "lab-out (kafka: " + topic + " on lab)"
	eventually(t, "the Send panel offers it", u, func() bool { return u.Send.Destination.Selected == label })

	c := u.Compose
	onUI(func() { u.Tabs.SelectIndex(composeTab) })
	eventually(t, "Compose offers it", u, func() bool {
		for _, o := range c.Destination.Options {
			if o == label {
				return true
			}
		}
		return false
	})
	onUI(func() {
		c.Fill(compose.Draft{Stream: "example.org/kafka", ID: "ui-1", Role: "test", Description: "sent to a Kafka topic"}, "")
		c.Destination.SetSelected(label)
	})
	eventually(t, "the draft valid", u, func() bool { return strings.Contains(c.Status.Text, "valid") })
	onUI(func() { test.Tap(c.SendButton) })
	eventually(t, "the outbox entry for the topic, sent", u, func() bool {
		es, _ := u.Core.Outbox().List(ctx, "", 10)
		return len(es) == 1 && es[0].IVORN == "ivo://example.org/kafka#ui-1" && es[0].Destination == "kafka:lab/"+topic && es[0].State == app.OutboxSent
	})
}
