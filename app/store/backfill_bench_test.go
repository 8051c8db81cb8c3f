package store

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/starling-broker/starling/netcore/alert"
)

// backfillMix is every sample alert under 100 KB (92 VOEvents, 40 JSON
// notices; no sky maps), as schema version 2 archived them.
func backfillMix(b *testing.B) []v2Row {
	var rows []v2Row
	for _, root := range []string{sampleVOEvents, sampleNotices} {
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			fi, _ := d.Info()
			if fi.Size() >= 100<<10 {
				return nil
			}
			raw, _ := os.ReadFile(p)
			switch {
			case strings.HasSuffix(p, ".xml"):
				rows = append(rows, v2Row{key: "ivo://bench/" + p, role: "observation", format: alert.FormatVOEvent, raw: raw})
			case strings.HasSuffix(p, ".json"):
				rows = append(rows, v2Row{key: jsonKey(raw), format: alert.FormatJSON, raw: raw})
			}
			return nil
		})
	}
	if len(rows) < 100 {
		b.Fatalf("only %d samples", len(rows))
	}
	return rows
}

// benchBackfill times Open of a schema-2 archive of n alerts cycling
// through samples: migration 3 and the back-fill of every summary.
func benchBackfill(b *testing.B, samples []v2Row, n int) {
	rows := make([]v2Row, n)
	for i := range rows {
		rows[i] = samples[i%len(samples)]
	}
	var total time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dir := b.TempDir()
		createV2(b, dir, rows)
		b.StartTimer()
		start := time.Now()
		s, err := Open(context.Background(), dir, Options{})
		if err != nil {
			b.Fatal(err)
		}
		total += time.Since(start)
		b.StopTimer()
		if got, _ := s.CountEvents(ctx, EventQuery{}); got != int64(n) {
			b.Fatalf("%d events after the back-fill", got)
		}
		s.Close()
		os.RemoveAll(dir)
	}
	b.ReportMetric(float64(n*b.N)/total.Seconds(), "events/s")
}

// BenchmarkBackfill100k measures the back-fill of 100,000 archived alerts
// (VOEvents and JSON notices, the samples' mix) when a schema-2 archive is
// opened: go test -run '^$' -bench Backfill -benchtime 1x ./app/store/
func BenchmarkBackfill100k(b *testing.B) {
	benchBackfill(b, backfillMix(b), 100_000)
}

// BenchmarkBackfillSkymaps measures the back-fill of LVK alerts that embed a
// 1 MB sky map, which is decoded and summarised for each.
func BenchmarkBackfillSkymaps(b *testing.B) {
	raw := readSample(b, sampleNotices+"lvk-userguide/MS181101ab-preliminary.json")
	benchBackfill(b, []v2Row{{key: jsonKey(raw), format: alert.FormatJSON, topic: "igwn.gwalert", raw: raw}}, 200)
}
