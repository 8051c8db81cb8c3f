package describe

import (
	"os"
	"testing"
	"time"

	"github.com/starling-broker/starling/netcore/seen"
	"github.com/starling-broker/starling/netcore/voevent"
)

// BenchmarkReceiverSummary compares, on a typical GCN packet, the summary a
// receiver computed per event before the one event model (voevent.ReadFields)
// with the one it computes now (VOEvent, the §8 summary). Both run after the
// receiver's parse and schema check, before the store commit.
func BenchmarkReceiverSummary(b *testing.B) {
	raw, err := os.ReadFile("../../testdata/voevents/voevent-parse/SWIFT_bat_position_v2.0_example.xml")
	if err != nil {
		b.Fatal(err)
	}
	ev, err := voevent.Parse(raw)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("voevent.ReadFields", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			voevent.ReadFields(ev)
		}
	})
	b.Run("describe.VOEvent", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			VOEvent(ev, false)
		}
	})
	b.Run("voevent.Parse", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			voevent.Parse(raw)
		}
	})
}

// BenchmarkNewRecord measures everything the receiver now computes per
// event before the commit (seen.NewRecord: digest, summary, date, params).
func BenchmarkNewRecord(b *testing.B) {
	raw, err := os.ReadFile("../../testdata/voevents/voevent-parse/SWIFT_bat_position_v2.0_example.xml")
	if err != nil {
		b.Fatal(err)
	}
	ev, err := voevent.Parse(raw)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		seen.NewRecord(ev, "127.0.0.1:1", time.Now())
	}
}

// BenchmarkJSONSkymap measures the summary of an LVK alert that embeds a
// 1 MB multi-order sky map: the JSON parse, the map's base64 and FITS
// decode, its summary and its compact form.
func BenchmarkJSONSkymap(b *testing.B) {
	raw, err := os.ReadFile("../../testdata/notices/lvk-userguide/MS181101ab-preliminary.json")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if s := JSON("igwn.gwalert", raw, false); s.Skymap == nil {
			b.Fatal("no sky map summary")
		}
	}
}
