package notice

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/starling-broker/starling/netcore/voevent"
)

// FuzzSummarize feeds Summarize mutations of the real notices: it must never
// panic, always give a sha256 key, and never claim an impossible position.
func FuzzSummarize(f *testing.F) {
	files, err := filepath.Glob(filepath.Join(noticeDir, "*", "*.json"))
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		if len(raw) > 8192 {
			// The big LVK alerts are sky maps in base64: keep their head,
			// so that mutations stay quick.
			raw = raw[:8192]
		}
		topic := "gcn.notices." + strings.Split(filepath.Base(file), ".")[0]
		f.Add(topic, raw)
	}
	f.Add("gcn.heartbeat", []byte(`{"alert_datetime": "2024-07-25T15:50:35.792451Z"}`))
	f.Add("igwn.gwalert", []byte(`{"superevent_id": "MS1", "alert_type": "UPDATE", "event": {"far": 1e-300, "classification": {"BNS": 1e308}}}`))
	f.Fuzz(func(t *testing.T, topic string, raw []byte) {
		s := Summarize(topic, raw)
		if !strings.HasPrefix(s.Key, "sha256:") || len(s.Key) != len("sha256:")+64 || s.Format != "json" {
			t.Fatalf("Key %q, Format %q", s.Key, s.Format)
		}
		if s.HasPosition && (math.IsNaN(s.RA) || s.Dec < -90 || s.Dec > 90) {
			t.Fatalf("position %v %v", s.RA, s.Dec)
		}
		if s.FAR < 0 || math.IsNaN(s.FAR) || math.IsInf(s.FAR, 0) {
			t.Fatalf("FAR %v", s.FAR)
		}
		if s.Retraction && s.Note != "" {
			t.Fatalf("retraction with note %q", s.Note)
		}
		if l, ok := ReadLVK(raw); ok && (l.FAR < 0 || math.IsNaN(l.FAR)) {
			t.Fatalf("LVK card FAR %v", l.FAR)
		}
	})
}

// FuzzSummarizeVOEvent feeds SummarizeVOEvent whatever voevent.Parse
// accepts of mutated real packets: it must never panic, keep the IVORN as
// the key and never claim an impossible position.
func FuzzSummarizeVOEvent(f *testing.F) {
	a, _ := filepath.Glob(filepath.Join(voeventDir, "*", "*.xml"))
	b, _ := filepath.Glob(filepath.Join(voeventDir, "public", "*", "*.xml"))
	for _, file := range append(a, b...) {
		raw, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		ev, err := voevent.Parse(raw)
		if err != nil {
			return
		}
		s := SummarizeVOEvent(ev)
		if s.Key != ev.IVORN || s.Format != "voevent" {
			t.Fatalf("Key %q, Format %q", s.Key, s.Format)
		}
		if s.HasPosition && (s.Dec < -90 || s.Dec > 90 || s.ErrorDeg < 0) {
			t.Fatalf("position %v %v ±%v", s.RA, s.Dec, s.ErrorDeg)
		}
		if s.Probability < 0 || s.Probability > 1 || s.FAR < 0 {
			t.Fatalf("Probability %v, FAR %v", s.Probability, s.FAR)
		}
	})
}
