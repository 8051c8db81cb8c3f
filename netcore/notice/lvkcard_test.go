package notice

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestReadLVK reads the card of real LVK alerts and checks it against the
// records themselves, decoded here with encoding/json.
func TestReadLVK(t *testing.T) {
	for _, name := range []string{"MS230425j-preliminary.json", "MS230425k-initial.json", "MS230425q-retraction.json"} {
		raw, err := os.ReadFile(filepath.Join(noticeDir, "lvk-gocart", name))
		if err != nil {
			t.Fatal(err)
		}
		var rec struct {
			Event *struct {
				FAR            float64            `json:"far"`
				Instruments    []string           `json:"instruments"`
				Pipeline       string             `json:"pipeline"`
				Classification map[string]float64 `json:"classification"`
				Properties     map[string]float64 `json:"properties"`
				Significant    bool               `json:"significant"`
			} `json:"event"`
			External *struct {
				Observatory string  `json:"observatory"`
				TimeDiff    float64 `json:"time_difference"`
				TimeFAR     float64 `json:"time_coincidence_far"`
				SkyFAR      float64 `json:"time_sky_position_coincidence_far"`
				Combined    string  `json:"combined_skymap"`
			} `json:"external_coinc"`
		}
		if err := json.Unmarshal(raw, &rec); err != nil {
			t.Fatal(err)
		}
		l, ok := ReadLVK(raw)
		if !ok {
			t.Fatalf("%s: not read as an LVK alert", name)
		}
		if ev := rec.Event; ev != nil {
			if l.FAR != ev.FAR || !slices.Equal(l.Instruments, ev.Instruments) || l.Pipeline != ev.Pipeline {
				t.Errorf("%s: FAR %g instruments %q pipeline %q; the record says %g %q %q", name, l.FAR, l.Instruments, l.Pipeline, ev.FAR, ev.Instruments, ev.Pipeline)
			}
			for class, p := range ev.Classification {
				if l.GW.Classification[class] != p {
					t.Errorf("%s: %s %g, the record says %g", name, class, l.GW.Classification[class], p)
				}
			}
			if l.GW.HasNS == nil || *l.GW.HasNS != ev.Properties["HasNS"] || l.GW.Significant == nil || *l.GW.Significant != ev.Significant {
				t.Errorf("%s: properties %+v", name, l.GW)
			}
		} else if l.FAR != 0 || l.Instruments != nil {
			t.Errorf("%s: a retraction read with an event: %+v", name, l)
		}
		switch x := rec.External; {
		case x == nil && l.External != nil:
			t.Errorf("%s: a coincidence read where there is none: %+v", name, l.External)
		case x != nil && l.External == nil:
			t.Errorf("%s: the coincidence with %s is missing", name, x.Observatory)
		case x != nil:
			c := l.External
			if c.Observatory != x.Observatory || c.TimeDifference != x.TimeDiff || c.TimeFAR != x.TimeFAR || c.SkyFAR != x.SkyFAR || c.CombinedSkymap != (x.Combined != "") {
				t.Errorf("%s: coincidence %+v, the record says %+v", name, c, x)
			}
		}
	}
	if _, ok := ReadLVK([]byte(`{"alert_datetime": "2026-12-01T00:00:00Z"}`)); ok {
		t.Error("a heartbeat read as an LVK alert")
	}
	if _, ok := ReadLVK([]byte(`not json`)); ok {
		t.Error("garbage read as an LVK alert")
	}
}
