package notice

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSummarizeHeartbeat(t *testing.T) {
	// The template of nasa-gcn/gcn.nasa.gov's SampleHeartbeat (see SOURCES.md).
	raw := []byte(`{"$schema": "https://gcn.nasa.gov/schema/main/gcn/notices/core/Alert.schema.json", "alert_datetime": "2024-07-25T15:50:35.792451Z"}`)
	for _, topic := range []string{"gcn.heartbeat", ""} {
		s := Summarize(topic, raw)
		if s.Mission != "GCN" || s.AlertType != "Heartbeat" || s.Note != "" || s.Trigger != "" || s.Test {
			t.Errorf("topic %q: %+v", topic, s)
		}
	}
}

func TestSummarizeInvalidJSON(t *testing.T) {
	for _, raw := range []string{"", "{", "[1,2]", `"text"`, `{"a":1} {"b":2}`, `{"a":1}x`, "\xff"} {
		s := Summarize("igwn.gwalert", []byte(raw))
		if !strings.HasPrefix(s.Note, NoteInvalidJSON) || !strings.HasPrefix(s.Key, "sha256:") {
			t.Errorf("%q: Note %q, Key %q", raw, s.Note, s.Key)
		}
	}
}

func TestSummarizeUnknownJSON(t *testing.T) {
	raw := []byte(`{"id": ["X1", 42], "time": "2025-01-02T03:04:05Z", "ra": 10.5, "dec": -20.25, "ra_dec_error": 2}`)
	s := Summarize("some.other.topic", raw)
	if s.Note != NoteUnrecognised || s.Trigger != "X1|42" || !s.HasPosition ||
		s.RA != 10.5 || s.Dec != -20.25 || s.ErrorDeg != 2 ||
		!s.EventTime.Equal(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)) {
		t.Errorf("%+v", s)
	}
	// A declination out of range is no position.
	s = Summarize("", []byte(`{"ra": 10, "dec": 95}`))
	if s.HasPosition {
		t.Errorf("dec 95 accepted: %+v", s)
	}
}

func TestSummarizeTestTopic(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(noticeDir, "gcn-schema/maxi.gsc.known.example.json"))
	if err != nil {
		t.Fatal(err)
	}
	if Summarize("gcn.notices.maxi.gsc.known", raw).Test {
		t.Error("real topic marked test")
	}
	if !Summarize("gcn.classic.json.MAXI_TEST", raw).Test {
		t.Error("_TEST topic not marked test")
	}
}

func TestSummarizeText(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(noticeDir, "lvk-userguide/MS181101ab-ext-update.json"))
	if err != nil {
		t.Fatal(err)
	}
	s := Summarize("igwn.gwalert", raw)
	for _, word := range []string{"MS181101ab", "gstlal", "CBC", "MDC", "H1", "V1", "BNS", "HasNS",
		"https://example.org/superevents/MS181101ab/view/", "Fermi"} {
		if !strings.Contains(s.Text, word) {
			t.Errorf("Text lacks %q: %q", word, s.Text)
		}
	}
	if strings.Contains(s.Text, "U0lNUExF") {
		t.Error("Text holds the sky map")
	}
	raw, err = os.ReadFile(filepath.Join(noticeDir, "gcn-schema/circulars.example.json"))
	if err != nil {
		t.Fatal(err)
	}
	s = Summarize("gcn.circulars", raw)
	if s.Description != "GCN 33603: GRB 230410A: Fermi GBM Final Real-time Localization" ||
		!strings.Contains(s.Text, "33603") {
		t.Errorf("circular: %q / %q", s.Description, s.Text)
	}
}

func TestFormatFAR(t *testing.T) {
	const year = 365.25 * 86400
	for _, c := range []struct {
		hz   float64
		want string
	}{
		{1 / (12 * year), "1 per 12 years"},
		{1 / year, "1 per 1 year"},
		{1 / (2.5 * year), "1 per 2.5 years"},
		{1 / (347818 * year), "1 per 350,000 years"},
		{1 / (61.2e6 * year), "1 per 61 million years"},
		{1 / (3.4e9 * year), "1 per 3.4 billion years"},
		{1 / (3 * 86400.0), "1 per 3 days"},
		{1 / 7200.0, "1 per 2 hours"},
		{0.2, "1 per 5 seconds"},
		{0, ""},
		{-1, ""},
	} {
		if got := FormatFAR(c.hz); got != c.want {
			t.Errorf("FormatFAR(%g) = %q, want %q", c.hz, got, c.want)
		}
	}
}

func TestEmbeddedSkymap(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(noticeDir, "lvk-userguide/MS181101ab-preliminary.json"))
	if err != nil {
		t.Fatal(err)
	}
	fits, err := os.ReadFile(filepath.Join(noticeDir, "lvk-userguide/bayestar.multiorder.fits"))
	if err != nil {
		t.Fatal(err)
	}
	got, ok := EmbeddedSkymap(raw)
	if !ok || !bytes.Equal(got, fits) {
		t.Errorf("EmbeddedSkymap: ok %v, %d bytes, want the %d bytes of bayestar.multiorder.fits", ok, len(got), len(fits))
	}
	for _, f := range []string{"lvk-userguide/MS181101ab-preliminary_displayexample.json",
		"gcn-schema/burstcube.alert.example.json", "gcn-schema/core.Localization.example.json"} {
		raw, err := os.ReadFile(filepath.Join(noticeDir, f))
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := EmbeddedSkymap(raw); ok {
			t.Errorf("%s: placeholder taken for a sky map", f)
		}
	}
}

func TestMockSuperevents(t *testing.T) {
	for id, want := range map[string]bool{"MS181101ab": true, "TS190425a": true, "S190425z": false, "": false} {
		raw := []byte(`{"superevent_id": "` + id + `", "alert_type": "PRELIMINARY", "event": null}`)
		if got := Summarize("igwn.gwalert", raw).Test; got != want {
			t.Errorf("%q: Test %v, want %v", id, got, want)
		}
	}
}

func TestGzippedSkymapCounts(t *testing.T) {
	var fits bytes.Buffer
	fits.WriteString("SIMPLE  =                    T")
	fits.Write(bytes.Repeat([]byte(" "), 2880*2-fits.Len()))
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	if _, err := w.Write(fits.Bytes()); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	// Pad the gzip stream with a second member's worth of noise so that the
	// text is as long as an uncompressed header block.
	body := append(gz.Bytes(), bytes.Repeat([]byte{0x5a}, 2880)...)
	for name, file := range map[string][]byte{"plain": fits.Bytes(), "gzip": body} {
		raw := []byte(`{"id": ["1"], "trigger_time": "2024-01-01T00:00:00Z", "mission": "X", "healpix_file": "` +
			base64.StdEncoding.EncodeToString(file) + `"}`)
		s := Summarize("gcn.notices.x", raw)
		got, ok := EmbeddedSkymap(raw)
		if !s.HasSkymap || !ok || !bytes.Equal(got, file) {
			t.Errorf("%s: HasSkymap %v, EmbeddedSkymap ok %v", name, s.HasSkymap, ok)
		}
	}
	raw := []byte(`{"healpix_file": "` + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte("x"), 4000)) + `"}`)
	if Summarize("", raw).HasSkymap {
		t.Error("base64 that is neither FITS nor gzip taken for a sky map")
	}
}
