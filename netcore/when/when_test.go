package when

import (
	"strings"
	"testing"
	"time"
)

func TestStartAndEnd(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	utc := func(d, h, m, s int) time.Time { return time.Date(2026, 11, d, h, m, s, 0, time.UTC) }
	for _, c := range []struct {
		in         string
		start, end time.Time
	}{
		{"2026-11-30T22:41:07Z", utc(30, 22, 41, 7), utc(30, 22, 41, 7)},
		{"2026-11-30T22:41:07.25Z", utc(30, 22, 41, 7).Add(250 * time.Millisecond), utc(30, 22, 41, 7).Add(250 * time.Millisecond)},
		{"2026-11-30T23:41:07+01:00", utc(30, 22, 41, 7), utc(30, 22, 41, 7)},
		{"2026-11-30T22:41:07", utc(30, 22, 41, 7), utc(30, 22, 41, 7)},
		{"2026-11-30 22:41:07", utc(30, 22, 41, 7), utc(30, 22, 41, 7)},
		{"2026-11-30 22:41", utc(30, 22, 41, 0), utc(30, 22, 41, 0)},
		{"2026-11-30T22:41", utc(30, 22, 41, 0), utc(30, 22, 41, 0)},
		{"2026-11-30 22:41 UTC", utc(30, 22, 41, 0), utc(30, 22, 41, 0)},
		{" 2026-11-30 22:41Z ", utc(30, 22, 41, 0), utc(30, 22, 41, 0)},
		{"2026-11-30", utc(30, 0, 0, 0), time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)},
		{"2026-11-30 UT", utc(30, 0, 0, 0), time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)},
		{"now", now, now},
		{"90m", now.Add(-90 * time.Minute), now.Add(-90 * time.Minute)},
		{"3d", now.Add(-72 * time.Hour), now.Add(-72 * time.Hour)},
		{"2h ago", now.Add(-2 * time.Hour), now.Add(-2 * time.Hour)},
	} {
		s, err := Start(c.in, now)
		if err != nil || !s.Equal(c.start) {
			t.Errorf("Start(%q) = %v, %v; want %v", c.in, s, err, c.start)
		}
		e, err := End(c.in, now)
		if err != nil || !e.Equal(c.end) {
			t.Errorf("End(%q) = %v, %v; want %v", c.in, e, err, c.end)
		}
	}
}

func TestBadTimesSayWhatIsWanted(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for _, in := range []string{"", "yesterday", "2026-13-01", "2026-11-31", "2026-11-30 25:00", "-5h", "0s", "30/11/2026", "UTC"} {
		_, err := Start(in, now)
		if err == nil || !strings.Contains(err.Error(), "2026-11-30 22:41") {
			t.Errorf("Start(%q) error %v, want one giving examples", in, err)
		}
	}
	if _, err := Start("999999d", now); err == nil || !strings.Contains(err.Error(), "too far back") {
		t.Errorf("999999d: %v, want too far back (24 × the duration overflows)", err)
	}
}

func TestParseInALocalZone(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	got, day, err := Parse("2026-11-30 23:41", time.Time{}, paris)
	if err != nil || day || !got.Equal(time.Date(2026, 11, 30, 22, 41, 0, 0, time.UTC)) {
		t.Errorf("local 23:41 CET = %v %v %v", got, day, err)
	}
	if got, _, _ := Parse("2026-11-30 23:41Z", time.Time{}, paris); got.Hour() != 23 || got.UTC().Hour() != 23 {
		t.Errorf("an offset given wins over the zone: %v", got)
	}
}

func FuzzEndIsNeverBeforeStart(f *testing.F) {
	for _, s := range []string{"2026-11-30", "2026-11-30 22:41", "3d", "now", "9999999999d"} {
		f.Add(s)
	}
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		a, err1 := Start(s, now)
		b, err2 := End(s, now)
		if (err1 == nil) != (err2 == nil) || b.Before(a) {
			t.Fatalf("%q: start %v (%v), end %v (%v)", s, a, err1, b, err2)
		}
		if d, err := Ago(s); err == nil && d <= 0 {
			t.Fatalf("Ago(%q) = %v", s, d)
		}
	})
}

func TestTextReadsBack(t *testing.T) {
	for _, c := range []struct {
		t          time.Time
		start, end string
	}{
		{time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), "2026-12-01", "2026-11-30"},
		{time.Date(2026, 11, 30, 22, 41, 0, 0, time.UTC), "2026-11-30 22:41", "2026-11-30 22:41"},
		{time.Date(2026, 11, 30, 23, 41, 7, 5e8, time.FixedZone("CET", 3600)), "2026-11-30T22:41:07.5Z", "2026-11-30T22:41:07.5Z"},
	} {
		if got := Text(c.t, false); got != c.start {
			t.Errorf("Text(%v, start) = %q, want %q", c.t, got, c.start)
		}
		if got := Text(c.t, true); got != c.end {
			t.Errorf("Text(%v, end) = %q, want %q", c.t, got, c.end)
		}
		if s, _ := Start(Text(c.t, false), time.Time{}); !s.Equal(c.t) {
			t.Errorf("Start(Text(%v)) = %v", c.t, s)
		}
		if e, _ := End(Text(c.t, true), time.Time{}); !e.Equal(c.t) {
			t.Errorf("End(Text(%v)) = %v", c.t, e)
		}
	}
}
