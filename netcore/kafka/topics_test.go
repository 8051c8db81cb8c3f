package kafka

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func TestListTopics(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(2, "gcn.heartbeat"), kfake.SeedTopics(1, "igwn.gwalert"),
		kfake.EnableSASL(), kfake.Superuser("SCRAM-SHA-512", "alice", "right-password"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cfg := Config{Name: "test", Bootstrap: c.ListenAddrs(), Auth: AuthScramSHA512, Credentials: Credentials{User: "alice", Password: "right-password"}}
	prodOpts := append(clientOptions(cfg, nil, &lastError{}), kgo.DefaultProduceTopic("gcn.heartbeat"))
	prod, err := kgo.NewClient(prodOpts...)
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close()
	stamp := time.Date(2026, 11, 30, 22, 0, 0, 0, time.UTC)
	for i := range 3 {
		r := &kgo.Record{Value: []byte(`{"alert_datetime":"x"}`), Timestamp: stamp.Add(time.Duration(i) * time.Second), Partition: int32(i % 2)}
		if err := prod.ProduceSync(context.Background(), r).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	topics, err := ListTopics(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(topics) != 2 || topics[0].Name != "gcn.heartbeat" || topics[1].Name != "igwn.gwalert" {
		t.Fatalf("topics %+v", topics)
	}
	hb := topics[0]
	if hb.Partitions != 2 || hb.Messages != 3 || !hb.Newest.Equal(stamp.Add(2*time.Second)) {
		t.Errorf("gcn.heartbeat: %+v, want 2 partitions, 3 messages, newest %s", hb, stamp.Add(2*time.Second))
	}
	if gw := topics[1]; gw.Messages != 0 || !gw.Newest.IsZero() {
		t.Errorf("igwn.gwalert: %+v, want empty", gw)
	}

	// kfake drops the connection on a wrong password; a real cluster answers
	// SASL_AUTHENTICATION_FAILED, as this hook does.
	cfg.Credentials.Password = "wrong-password"
	ctx1, cancel1 := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel1()
	_, err = ListTopics(ctx1, cfg)
	if err == nil || strings.Contains(Explain(err), "wrong-password") {
		t.Fatalf("wrong password gave %v (%s)", err, Explain(err))
	}
	c.ControlKey(int16(kmsg.SASLAuthenticate), func(req kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		resp := req.(*kmsg.SASLAuthenticateRequest).ResponseKind().(*kmsg.SASLAuthenticateResponse)
		resp.ErrorCode = kerr.SaslAuthenticationFailed.Code
		msg := "Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512"
		resp.ErrorMessage = &msg
		return resp, nil, true
	})
	ctx2, cancel2 := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel2()
	start := time.Now()
	_, err = ListTopics(ctx2, cfg)
	t.Logf("a refused authentication took %s", time.Since(start))
	if e := Explain(err); !strings.Contains(e, "authentication refused: wrong user, password or token") || strings.Contains(e, "wrong-password") {
		t.Fatalf("a refused authentication gave %v (%s)", err, e)
	}
}
