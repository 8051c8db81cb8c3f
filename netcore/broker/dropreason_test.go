package broker

import "testing"

func TestDropReasonWords(t *testing.T) {
	for _, c := range []struct {
		r           DropReason
		detail, log string
		words       string
	}{
		{DropDead, "", "Peer appears to be dead; dropping connection", "missed an iamalive"},
		{DropNotAcking, "", "Peer is not acknowledging events; dropping connection", "not acknowledging events"},
		{DropSlow, "1024", "Subscriber is not keeping up (1024 packets queued); dropping connection", "not keeping up"},
		{DropWriteFailed, "broken pipe", "Write to subscriber failed (broken pipe); dropping connection", "write failed"},
		{DropTooLarge, "frame of 9 bytes declared, limit is 4", "Length limit exceeded from 1.2.3.4:5: frame of 9 bytes declared, limit is 4; dropping connection", "frame over the length limit"},
		{DropNak, "", "Nak received from 1.2.3.4:5; terminating", "nak received"},
		{DropShutdown, "", "Broker shutting down; closing connection", "broker shutting down"},
		{DropNone, "", "", "closed by the subscriber"},
	} {
		if got := c.r.logLine("1.2.3.4:5", c.detail); got != c.log {
			t.Errorf("%d: log line %q, want %q", c.r, got, c.log)
		}
		if got := c.r.String(); got != c.words {
			t.Errorf("%d: String %q, want %q", c.r, got, c.words)
		}
	}
}
