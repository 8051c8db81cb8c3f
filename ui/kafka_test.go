package ui

import (
	"bytes"
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/netcore/kafka"
)

func openKafkaForm(t *testing.T, u *Window) *KafkaForm {
	t.Helper()
	onUI(func() { test.Tap(u.Subs.AddKafka) })
	if u.Subs.Form == nil {
		t.Fatal("no dialog")
	}
	return u.Subs.Form
}

// TestKafkaFormGCN picks GCN topics through the checklist and its search and
// checks the spec the dialog builds, with the secret masked.
func TestKafkaFormGCN(t *testing.T) {
	u := newWindow(t)
	f := openKafkaForm(t, u)
	var spec app.KafkaSource
	var err error
	onUI(func() {
		if f.Preset.Selected != "GCN" || !f.Secret.Password || f.Bootstrap.Visible() || f.Topics.Visible() || !f.ClientID.Visible() || f.User.Visible() {
			t.Errorf("GCN form: preset %q, masked %v, bootstrap shown %v, topic entry shown %v, client id shown %v, user shown %v",
				f.Preset.Selected, f.Secret.Password, f.Bootstrap.Visible(), f.Topics.Visible(), f.ClientID.Visible(), f.User.Visible())
		}
		test.Type(f.ClientID, "my-client")
		test.Type(f.Secret, "s3cret")
		if m := test.RenderObjectToMarkup(f.Secret); strings.Contains(m, "s3cret") || !strings.Contains(m, "••••••") {
			t.Errorf("the secret is not masked:\n%s", m)
		}
		test.Type(f.Search, "fermi gbm flt")
		if got := f.Checks.Visible(); !slices.Equal(got, []string{"gcn.classic.voevent.FERMI_GBM_FLT_INTERNAL", "gcn.classic.voevent.FERMI_GBM_FLT_POS"}) {
			t.Errorf("search \"fermi gbm flt\" shows %v", got)
		}
		for _, g := range f.Checks.groups {
			if g.heading.Visible() != (g.mission == "Fermi") {
				t.Errorf("heading %s shown: %v", g.mission, g.heading.Visible())
			}
		}
		test.Tap(f.Checks.Checks["gcn.classic.voevent.FERMI_GBM_FLT_POS"])
		f.Search.SetText("")
		test.Type(f.Search, "GWALERT")
		if got := f.Checks.Visible(); !slices.Equal(got, []string{"igwn.gwalert"}) {
			t.Errorf("search \"GWALERT\" shows %v", got)
		}
		test.Tap(f.Checks.Checks["igwn.gwalert"])
		f.Search.SetText("")
		if n := len(f.Checks.Visible()); n != len(f.Checks.Checks) {
			t.Errorf("an empty search shows %d of %d topics", n, len(f.Checks.Checks))
		}
		f.From.Choice.SetSelected(fromDay)
		spec, err = f.Spec()
	})
	if err != nil {
		t.Fatal(err)
	}
	want := app.KafkaSource{Preset: "gcn", ClientID: "my-client", Secret: "s3cret",
		Topics: []string{"gcn.classic.voevent.FERMI_GBM_FLT_POS", "igwn.gwalert"}, From: "24h"}
	if spec.Preset != want.Preset || spec.ClientID != want.ClientID || spec.Secret != want.Secret || spec.From != want.From ||
		!slices.Equal(spec.Topics, want.Topics) || spec.Bootstrap != nil || spec.User != "" {
		t.Fatalf("spec %+v, want %+v", spec, want)
	}

	// Hopskotch: a user and a password, topics typed as names or ^patterns.
	onUI(func() {
		f.Preset.SetSelected("Hopskotch")
		if !f.User.Visible() || f.ClientID.Visible() || !f.Topics.Visible() || f.rows["checklist"][0].Visible() {
			t.Error("Hopskotch does not ask for a user, a password and typed topics")
		}
		f.User.SetText("me")
		f.Topics.SetText("^gcn\\..*\nsys.heartbeat, igwn.gwalert")
		f.From.Choice.SetSelected(fromEarliest)
		spec, err = f.Spec()
	})
	if err != nil || spec.Preset != "hopskotch" || spec.User != "me" || spec.ClientID != "" || spec.From != "earliest" ||
		!slices.Equal(spec.Topics, []string{"^gcn\\..*", "sys.heartbeat", "igwn.gwalert"}) {
		t.Fatalf("Hopskotch spec %+v, %v", spec, err)
	}
}

// TestKafkaFormErrors shows what is wrong, in words, in the dialog.
func TestKafkaFormErrors(t *testing.T) {
	u := newWindow(t)
	f := openKafkaForm(t, u)
	onUI(func() {
		test.Tap(f.Checks.Checks["igwn.gwalert"])
		test.Type(f.ClientID, "id-only")
		test.Tap(f.Save)
	})
	eventually(t, "the missing secret to be shown", u, func() bool {
		return strings.Contains(f.Message.Text, "client id and secret")
	})
	onUI(func() {
		f.Preset.SetSelected("Custom")
		if !f.Bootstrap.Visible() || !f.TLS.Visible() || !f.Auth.Visible() || !f.Topics.Visible() || f.rows["checklist"][0].Visible() {
			t.Error("custom does not show the cluster fields and the topic entry")
		}
		f.Auth.SetSelected(string(kafka.AuthOIDC))
		if !f.TokenURL.Visible() || !f.Scope.Visible() {
			t.Error("custom OIDC does not show the token URL and scope")
		}
		f.Auth.SetSelected(string(kafka.AuthNone))
		f.Bootstrap.SetText("nohost")
		f.Topics.SetText("t")
		test.Tap(f.Save)
	})
	eventually(t, "the bad bootstrap to be shown", u, func() bool { return strings.Contains(f.Message.Text, "not HOST:PORT") })
	onUI(func() {
		f.From.Choice.SetSelected(fromTime)
		f.From.Time.SetText("next tuesday")
		test.Tap(f.Save)
		if !strings.Contains(f.Message.Text, "is not a time") {
			t.Errorf("message %q", f.Message.Text)
		}
	})
	if ss, _ := u.Core.Sources().Kafka(context.Background()); len(ss) != 0 {
		t.Fatalf("saved %+v", ss)
	}
}

// TestKafkaHealthLines words a source's health: state, per-topic lag, and a
// visible warning when gcn.heartbeat is silent.
func TestKafkaHealthLines(t *testing.T) {
	u := newWindow(t)
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	s := app.KafkaSource{ID: 7, Name: "gcn", Bootstrap: []string{"kafka.gcn.nasa.gov:9092"}, Auth: kafka.AuthOIDC, SecretSet: true,
		Topics: []string{"igwn.gwalert", "gcn.heartbeat"}}
	h := kafka.Health{Name: "gcn", State: kafka.StateConsuming, Lag: map[string]int64{"igwn.gwalert": 3, "gcn.heartbeat": 0},
		LastMessage: now.Add(-2 * time.Second), LastHeartbeat: now.Add(-45 * time.Second), PerMinute: 58, Stored: 4}
	v := u.Subs.Kafka
	var r *KafkaRow
	onUI(func() { r = v.newRow(s) })
	v.mu.Lock()
	v.sources, v.rows[s.ID], v.health[s.ID] = []app.KafkaSource{s}, r, h
	v.mu.Unlock()
	v.apply(now)
	onUI(func() {
		for _, c := range []struct{ got, want string }{
			{r.Title.Text, "● consuming  ·  gcn  ·  (kafka.gcn.nasa.gov:9092)  ·  2 topics  ·  credentials saved"},
			{r.Lag.Text, "lag 3: igwn.gwalert 3, gcn.heartbeat 0"},
			{r.Activity.Text, "last message 2 s ago  ·  58 per minute  ·  gcn.heartbeat 45 s ago  ·  stored 4, duplicates 0, refused 0"},
			{r.Warning.Text, "⚠ gcn.heartbeat silent for 45 s (over 30 s): the cluster may be unreachable"},
		} {
			if c.got != c.want {
				t.Errorf("got %q, want %q", c.got, c.want)
			}
		}
		if !r.Warning.Visible() {
			t.Error("the heartbeat warning is hidden")
		}
	})
	v.mu.Lock()
	v.health[s.ID] = kafka.Health{State: kafka.StateError, Error: "authentication failed: check the client id and secret", LastHeartbeat: now.Add(-time.Second)}
	v.mu.Unlock()
	v.apply(now)
	onUI(func() {
		// The title keeps the source's name; the error wraps on the red line.
		if !strings.HasPrefix(r.Title.Text, "✕ error  ·  gcn") || !r.Warning.Visible() ||
			r.Warning.Text != "✕ authentication failed: check the client id and secret" || r.Lag.Text != "lag: not known yet" {
			t.Errorf("error row: %q, warning %q shown %v, %q", r.Title.Text, r.Warning.Text, r.Warning.Visible(), r.Lag.Text)
		}
	})
}

// TestKafkaSourceInWindow adds a custom source through the dialog against an
// in-process cluster: the list shows it consuming with "credentials saved",
// its events reach the Events panel by push, and pause and remove work.
func TestKafkaSourceInWindow(t *testing.T) {
	const topic, user, secret = "gcn.classic.voevent.SWIFT_BAT_GRB_POS_ACK", "starling", "ui-Secret-9b1"
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, topic), kfake.EnableSASL(),
		kfake.Superuser("SCRAM-SHA-512", user, secret))
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	u := newWindow(t)
	f := openKafkaForm(t, u)
	onUI(func() {
		f.Preset.SetSelected("Custom")
		f.Name.SetText("local kfake")
		f.Bootstrap.SetText(strings.Join(cluster.ListenAddrs(), ","))
		f.TLS.SetChecked(false)
		f.Auth.SetSelected(string(kafka.AuthScramSHA512))
		test.Type(f.User, user)
		test.Type(f.Secret, secret)
		f.Topics.SetText(topic)
		f.From.Choice.SetSelected(fromEarliest)
		test.Tap(f.Save)
	})
	var row *KafkaRow
	eventually(t, "the source consuming in the list", u, func() bool {
		for _, r := range u.Subs.Kafka.Rows() {
			row = r
		}
		return row != nil && strings.Contains(row.Title.Text, "consuming")
	})
	// The form is cleared once the save returns, which may be after the
	// source's first push reached the list.
	eventually(t, "the form cleared after saving", u, func() bool { return f.Secret.Text == "" && f.Message.Text == "" })
	onUI(func() {
		if !strings.Contains(row.Title.Text, "credentials saved") || strings.Contains(row.Title.Text, secret) {
			t.Errorf("title %q", row.Title.Text)
		}
		u.Tabs.SelectIndex(4)
		u.Events.Filters.ShowTest.SetChecked(true) // the event is role=test
	})
	eventually(t, "the events panel to load", u, func() bool { return true })

	raw, _ := os.ReadFile("testdata/voevent.xml")
	prod, err := kgo.NewClient(kgo.SeedBrokers(cluster.ListenAddrs()...), kgo.DefaultProduceTopic(topic),
		kgo.SASL(scram.Auth{User: user, Pass: secret}.AsSha512Mechanism()))
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close()
	if err := prod.ProduceSync(context.Background(), &kgo.Record{Value: raw}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	// No u.Refresh here: the event must arrive by the core's push.
	deadline := time.Now().Add(15 * time.Second)
	rows := func() (r []app.EventRow) { onUI(func() { r = u.Events.Rows() }); return r }
	for len(rows()) != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the Kafka event never reached the Events panel")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if r := rows()[0]; r.Topic != topic || !bytes.Contains(raw, []byte(r.IVORN)) {
		t.Fatalf("event row %+v", r)
	}

	onUI(func() { test.Tap(row.Pause) })
	eventually(t, "the source paused", u, func() bool {
		return strings.HasPrefix(row.Title.Text, "‖ paused") && row.Pause.Text == "Resume"
	})
	u.Subs.Kafka.Remove(row.ID)
	eventually(t, "the source removed", u, func() bool { return len(u.Subs.Kafka.Rows()) == 0 && u.Subs.Kafka.Empty.Visible() })
}

// TestKafkaSourceTestAndEdit: "Test connection" says in words why a wrong
// password fails and that the right one connects, before anything is saved;
// a source saved with a wrong password is mended with Edit (the saved
// secret replaced, its group kept) and then consumes, with no retyping.
func TestKafkaSourceTestAndEdit(t *testing.T) {
	const topic, user, secret = "gcn.classic.voevent.SWIFT_BAT_GRB_POS_ACK", "starling", "ui-Secret-7c2"
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, topic), kfake.EnableSASL(),
		kfake.Superuser("SCRAM-SHA-512", user, secret))
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	u := newWindow(t)
	f := openKafkaForm(t, u)
	onUI(func() {
		f.Preset.SetSelected("Custom")
		f.Name.SetText("kfake")
		f.Bootstrap.SetText(strings.Join(cluster.ListenAddrs(), ","))
		f.TLS.SetChecked(false)
		f.Auth.SetSelected(string(kafka.AuthScramSHA512))
		test.Type(f.User, user)
		test.Type(f.Secret, "wrong-password")
		f.Topics.SetText(topic + "\nnot.yet.a.topic")
		test.Tap(f.Test)
	})
	eventually(t, "the failed test in words", u, func() bool { return strings.HasPrefix(f.Message.Text, "Connection failed: ") })
	onUI(func() {
		if strings.Contains(f.Message.Text, "wrong-password") || f.Message.Importance != widget.DangerImportance {
			t.Errorf("message %q (importance %v)", f.Message.Text, f.Message.Importance)
		}
		if n := len(u.Subs.Kafka.Rows()); n != 0 {
			t.Errorf("a test saved %d sources", n)
		}
		f.Secret.SetText(secret)
		test.Tap(f.Test)
	})
	eventually(t, "the test connected", u, func() bool { return strings.HasPrefix(f.Message.Text, "Connected: ") })
	onUI(func() {
		if !strings.Contains(f.Message.Text, "not.yet.a.topic") || strings.Contains(f.Message.Text, topic+",") {
			t.Errorf("message %q", f.Message.Text)
		}
		f.Secret.SetText("wrong-password") // saved wrong after all
		test.Tap(f.Save)
	})
	var row *KafkaRow
	eventually(t, "the source failing in the list", u, func() bool {
		for _, r := range u.Subs.Kafka.Rows() {
			row = r
		}
		return row != nil && strings.HasPrefix(row.Title.Text, "✕ error") && row.Warning.Visible()
	})
	srcs, err := u.Core.Sources().Kafka(context.Background())
	if err != nil || len(srcs) != 1 {
		t.Fatalf("sources %v %v", srcs, err)
	}
	group := srcs[0].Group

	onUI(func() { test.Tap(row.Edit) })
	e := u.Subs.Kafka.Form
	onUI(func() {
		if e == nil || e.editing != row.ID || e.Name.Text != "kfake" || e.User.Text != user || e.Secret.Text != "" ||
			e.Resume.Hidden || e.From.box.Visible() {
			t.Fatalf("edit form not filled: %+v", e)
		}
		// An empty secret keeps the saved (wrong) one: the test still fails.
		test.Tap(e.Test)
	})
	eventually(t, "the edit's test with the saved secret", u, func() bool { return strings.HasPrefix(e.Message.Text, "Connection failed: ") })
	onUI(func() {
		test.Type(e.Secret, secret)
		test.Tap(e.Save)
	})
	eventually(t, "the edited source consuming", u, func() bool {
		r := u.Subs.Kafka.Rows()[row.ID]
		return r != nil && strings.Contains(r.Title.Text, "consuming") && !r.Warning.Visible()
	})
	srcs, err = u.Core.Sources().Kafka(context.Background())
	if err != nil || len(srcs) != 1 || srcs[0].Group != group || srcs[0].Topics[1] != "not.yet.a.topic" {
		t.Fatalf("after the edit: %+v %v (group was %s)", srcs, err, group)
	}
}
