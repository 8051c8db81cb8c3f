//go:build cgo

package vtp

import (
	"testing"

	xsdvalidate "github.com/terminalstatic/go-xsd-validate"
)

func TestMessagesValidateAgainstTransportSchema(t *testing.T) {
	if err := xsdvalidate.Init(); err != nil {
		t.Fatal(err)
	}
	defer xsdvalidate.Cleanup()
	h, err := xsdvalidate.NewXsdHandlerUrl("testdata/transport-1.1.xsd", xsdvalidate.ParsErrDefault)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Free()
	msgs := map[string][]byte{
		"ack":          Ack("ivo://local/broker", "ivo://a/b#1"),
		"nak":          Nak("ivo://local/broker", "ivo://a/b#1", "Event rejected: Previously seen by this broker"),
		"iamalive":     IAmAlive("ivo://local/broker"),
		"iamalive-r":   IAmAliveResponse("ivo://local/sub", "ivo://local/broker"),
		"authenticate": Authenticate("ivo://local/broker"),
		"auth-r":       AuthenticateResponse("ivo://local/sub", "ivo://local/broker", []string{"//Param"}),
		"auth-r-empty": AuthenticateResponse("ivo://local/sub", "ivo://local/broker", nil),
	}
	for name, m := range msgs {
		if err := h.ValidateMem(m, xsdvalidate.ValidErrDefault); err != nil {
			t.Errorf("%s does not validate: %v\n%s", name, err, m)
		}
	}
}
