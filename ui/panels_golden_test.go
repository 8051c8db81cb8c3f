package ui

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/netcore/kafka"
)

// TestBrokerDedupSubsGolden renders the Broker, Dedup and Subscriptions
// panels of a new data directory (broker off, nothing seen, no
// subscription), in light and dark.
func TestBrokerDedupSubsGolden(t *testing.T) {
	variants(t, func(t *testing.T, dark bool, name string) {
		u := goldenWindow(t, dark)
		ctx := context.Background()
		u.Broker.refresh(ctx)
		u.Dedup.refresh(ctx)
		u.Subs.refresh(ctx)
		for _, p := range []struct {
			golden  string
			content fyne.CanvasObject
		}{{"broker_", u.Broker.content}, {"dedup_", u.Dedup.content}, {"subs_", u.Subs.content}} {
			onUI(func() { p.content.Show(); p.content.Resize(goldenSize) })
			assertRenders(t, p.golden+name+".png", p.content)
		}
	})
}

// TestNotifyPanelGolden renders the Notifications panel with the rules a
// data directory holds and quiet hours set, in light and dark.
func TestNotifyPanelGolden(t *testing.T) {
	variants(t, func(t *testing.T, dark bool, name string) {
		u := goldenWindow(t, dark)
		cfg, err := u.Core.Settings().Rules()
		if err != nil {
			t.Fatal(err)
		}
		cfg.Rules = append(cfg.Rules,
			app.NotifyRule{Name: "Swift near M31", Source: "SWIFT", Cone: &app.Cone{RA: 10.68, Dec: 41.27, Radius: 5}, Sound: true},
			app.NotifyRule{Name: "All tests", IncludeTest: true, Disabled: true})
		cfg.QuietFrom, cfg.QuietTo = "23:00", "06:30"
		if err := u.Core.Settings().SaveRules(cfg); err != nil {
			t.Fatal(err)
		}
		u.Notify.refresh(context.Background())
		onUI(func() { u.Notify.content.Show(); u.Notify.content.Resize(goldenSize) })
		assertRenders(t, "notify_"+name+".png", u.Notify.content)
	})
}

// TestKafkaViewGolden renders the Kafka sources list with one source
// consuming (lag per topic, heartbeat) and one failing, at a fixed time.
func TestKafkaViewGolden(t *testing.T) {
	now := at(22, 41, 0)
	variants(t, func(t *testing.T, dark bool, name string) {
		u := goldenWindow(t, dark)
		v := u.Subs.Kafka
		v.show([]app.KafkaSource{
			{ID: 1, Name: "gcn", Preset: "gcn", Bootstrap: []string{"kafka.gcn.nasa.gov:9092"}, TLS: true, Auth: kafka.AuthOIDC,
				ClientID: "client", Topics: []string{"igwn.gwalert", "gcn.heartbeat", "gcn.classic.voevent.FERMI_GBM_FLT_POS"}, SecretSet: true},
			{ID: 2, Name: "hopskotch", Preset: "hopskotch", Bootstrap: []string{"kafka.scimma.org:9092"}, TLS: true, Auth: kafka.AuthScramSHA512,
				User: "astronomer", Topics: []string{"gcn.notice"}, SecretSet: true},
		})
		v.mu.Lock()
		v.health[1] = kafka.Health{Name: "gcn", State: kafka.StateConsuming, Since: now.Add(-time.Hour),
			Lag:         map[string]int64{"igwn.gwalert": 0, "gcn.heartbeat": 2, "gcn.classic.voevent.FERMI_GBM_FLT_POS": 0},
			LastMessage: now.Add(-800 * time.Millisecond), PerMinute: 61, LastHeartbeat: now.Add(-800 * time.Millisecond),
			Received: 3650, Stored: 3650}
		v.health[2] = kafka.Health{Name: "hopskotch", State: kafka.StateError, Since: now.Add(-5 * time.Minute),
			Error: "authentication refused: check the user name and password"}
		v.mu.Unlock()
		v.apply(now)
		onUI(func() { v.content.Show(); v.content.Resize(goldenSize) })
		assertRenders(t, "kafka_"+name+".png", v.content)
	})
}
