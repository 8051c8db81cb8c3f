//go:build cgo

package vtp_test

import (
	"strings"
	"testing"

	"github.com/starling-broker/starling/netcore/voevent"
	"github.com/starling-broker/starling/netcore/vtp"
)

// TestMessagesValidateAgainstTransportSchema validates every Transport
// message Starling builds against Comet's transport-1.1.xsd with libxml2 (the
// project's own validation, in package voevent), and checks that the check
// can fail: a message with its children out of order does not validate.
func TestMessagesValidateAgainstTransportSchema(t *testing.T) {
	msgs := map[string][]byte{
		"ack":          vtp.Ack("ivo://local/broker", "ivo://a/b#1"),
		"nak":          vtp.Nak("ivo://local/broker", "ivo://a/b#1", "Event rejected: Previously seen by this broker"),
		"iamalive":     vtp.IAmAlive("ivo://local/broker"),
		"iamalive-r":   vtp.IAmAliveResponse("ivo://local/sub", "ivo://local/broker"),
		"authenticate": vtp.Authenticate("ivo://local/broker"),
		"auth-r":       vtp.AuthenticateResponse("ivo://local/sub", "ivo://local/broker", []string{"//Param"}),
		"auth-r-empty": vtp.AuthenticateResponse("ivo://local/sub", "ivo://local/broker", nil),
	}
	for name, m := range msgs {
		if err := voevent.ValidateTransport(m); err != nil {
			t.Errorf("%s does not validate: %v\n%s", name, err, m)
		}
	}
	ack := string(msgs["ack"])
	i, j := strings.Index(ack, "<Origin>"), strings.Index(ack, "</Origin>")+len("</Origin>")
	swapped := ack[:i] + strings.Replace(ack[j:], "</TimeStamp>", "</TimeStamp>"+ack[i:j], 1)
	if err := voevent.ValidateTransport([]byte(swapped)); err == nil || !strings.Contains(err.Error(), "Origin") {
		t.Errorf("an ack with Origin after TimeStamp: %v\n%s", err, swapped)
	}
	if err := voevent.ValidateTransport([]byte(`<trn:Transport xmlns:trn="http://www.telescope-networks.org/xml/Transport/v1.1" role="gossip" version="1.0"><Origin>ivo://a/b</Origin><TimeStamp>2026-01-01T00:00:00Z</TimeStamp></trn:Transport>`)); err == nil {
		t.Error("a role outside the schema's list validates")
	}
}
