package ui

import (
	"testing"
	"time"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/netcore/broker"
)

func TestSubscriptionLines(t *testing.T) {
	now := time.Date(2026, 12, 1, 22, 0, 0, 0, time.Local)
	sub := func(st broker.UpstreamState) app.Subscription {
		return app.Subscription{ID: 1, Address: "voevent.example.org:8099", Filters: []string{"//x"}, State: st}
	}
	for _, c := range []struct {
		s    app.Subscription
		want string
	}{
		{sub(broker.UpstreamState{Connected: true, Since: now.Add(-time.Hour), Received: 12, LastEvent: now.Add(-90 * time.Second)}),
			"● connected since 21:00:00  ·  voevent.example.org:8099  ·  1 filters  ·  received 12  ·  last event 1m30s ago"},
		{sub(broker.UpstreamState{LastError: "connection refused", NextAttempt: now.Add(12 * time.Second)}),
			"○ connection refused; next try in 12s  ·  voevent.example.org:8099  ·  1 filters  ·  received 0  ·  no event yet"},
		{sub(broker.UpstreamState{LastError: "upstream closed the connection"}),
			"○ connecting (last: upstream closed the connection)  ·  voevent.example.org:8099  ·  1 filters  ·  received 0  ·  no event yet"},
		{app.Subscription{}, ""},
	} {
		if got := subLineAt(c.s, now); got != c.want {
			t.Errorf("got  %q\nwant %q", got, c.want)
		}
	}
}
