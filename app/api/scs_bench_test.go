package api

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/app/apptest"
)

// BenchmarkConeSearch is one cone search of 1° over an archive of 100,000
// synthetic alerts, through a loopback server.
func BenchmarkConeSearch(b *testing.B) {
	dir := b.TempDir()
	apptest.Synthetic(b, dir, 100000, time.Now(), 30*24*time.Hour)
	c, err := app.Open(context.Background(), app.Options{DataDir: dir, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close(context.Background())
	base, _ := serve(b, ConeSearchHandler(c))
	rows := 0
	for b.Loop() {
		resp, err := http.Get(base + "/scs?RA=150&DEC=20&SR=1")
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		rows = len(body)
	}
	b.ReportMetric(float64(rows), "bytes/answer")
}
