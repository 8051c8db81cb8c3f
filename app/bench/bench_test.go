package bench

import (
	"strings"
	"testing"
	"time"
)

func TestSummarise(t *testing.T) {
	var ds []time.Duration
	for i := 100; i >= 1; i-- {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	l := Summarise(ds)
	if l.Count != 100 || l.Min != time.Millisecond || l.Max != 100*time.Millisecond ||
		l.P50 != 50*time.Millisecond || l.P90 != 90*time.Millisecond || l.P99 != 99*time.Millisecond {
		t.Fatalf("%+v", l)
	}
	if (Summarise(nil) != Latencies{}) {
		t.Fatal("empty input must give zero latencies")
	}
}

func TestTemplate(t *testing.T) {
	raw := []byte(`<?xml version="1.0"?><voe:VOEvent xmlns:voe="x" role="test" ivorn='ivo://a.b/c#orig' version="2.0"><Who/></voe:VOEvent>`)
	tp, err := NewTemplate(raw, "run7")
	if err != nil {
		t.Fatal(err)
	}
	ev, ivorn := tp.Event(42)
	if ivorn != "ivo://a.b/c#run7-42" {
		t.Fatalf("ivorn %q", ivorn)
	}
	if !strings.Contains(string(ev), `ivorn='ivo://a.b/c#run7-42'`) || !strings.HasSuffix(string(ev), "<Who/></voe:VOEvent>") {
		t.Fatalf("event %s", ev)
	}
	if _, err := NewTemplate([]byte("<x/>"), "t"); err == nil {
		t.Fatal("a template without ivorn must be refused")
	}
}
