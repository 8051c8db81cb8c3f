package voevent

import (
	"strings"
	"testing"
	"time"
)

func TestTestEvent(t *testing.T) {
	at := time.Date(2024, 3, 9, 17, 4, 5, 999, time.FixedZone("CET", 3600))
	raw := TestEvent("ivo://starling.test/broker", at)
	c := &Checker{Schema: loadSchema(t)}
	ev, err := c.Check(raw)
	if err != nil {
		t.Fatalf("Check: %v\n%s", err, raw)
	}
	if ev.Role != "test" || ev.Version != "2.0" || ev.Namespace != NamespaceV20 {
		t.Errorf("role %q version %q namespace %q", ev.Role, ev.Version, ev.Namespace)
	}
	if want := "ivo://starling.test/broker#TestEvent-2024-03-09T16:04:05Z"; ev.IVORN != want {
		t.Errorf("ivorn %q, want %q", ev.IVORN, want)
	}
	if !strings.HasPrefix(ev.IVORN, "ivo://starling.test/broker#") {
		t.Errorf("ivorn %q lacks the local IVO", ev.IVORN)
	}
	s := ReadFields(ev)
	if s.Author != "ivo://starling.test/broker" || s.Date != "2024-03-09T16:04:05Z" || s.Description != TestEventDescription {
		t.Errorf("summary %+v", s)
	}
	f, _ := CompileFilter(`/*[local-name()="VOEvent" and @role!="test"]`)
	if f.Match(ev) {
		t.Error("Comet's not-a-test filter lets the test event through")
	}
	if f, _ := CompileFilter("//What/Reference/@uri = '" + StarlingURL + "'"); !f.Match(ev) {
		t.Error("no What/Reference to Starling")
	}
}

func TestTestEventEscapes(t *testing.T) {
	raw := TestEvent(`ivo://a.b/c"<&>`, time.Unix(0, 0))
	ev := mustParse(t, raw)
	if ev.IVORN != `ivo://a.b/c"<&>#TestEvent-1970-01-01T00:00:00Z` {
		t.Errorf("ivorn %q", ev.IVORN)
	}
	if CheckIVORN(ev.IVORN) == nil {
		t.Error("a bad local IVO gave a valid IVORN")
	}
}
