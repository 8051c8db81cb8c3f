// Package when reads times as people write them on a command line or in a
// form: ISO 8601 / RFC 3339 at the precision they care for, or a duration ago.
package when

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// Examples is what the error messages offer, for people to copy.
const Examples = "2026-11-30T22:41:07Z, 2026-11-30 22:41, 2026-11-30, or a duration ago such as 90m, 2h, 3d"

// layouts are read in this order; a space may stand for the T.
var layouts = []string{
	time.RFC3339, "2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02T15",
}

// dateLayout is a date alone: a whole day.
const dateLayout = "2006-01-02"

// Parse reads s in loc unless s gives an offset (Z, +01:00): a date and
// time, a date alone (day true), "now", or a duration ago read by Ago.
// A trailing "UTC" or "UT" means UTC.
func Parse(s string, now time.Time, loc *time.Location) (t time.Time, day bool, err error) {
	s = strings.TrimSpace(s)
	for _, z := range []string{" UTC", " UT", "UTC", "UT"} {
		if rest, ok := strings.CutSuffix(s, z); ok && rest != "" {
			s, loc = strings.TrimSpace(rest), time.UTC
			break
		}
	}
	if strings.EqualFold(s, "now") {
		return now, false, nil
	}
	if t, err := time.ParseInLocation(dateLayout, s, loc); err == nil {
		return t, true, nil
	}
	iso := s
	if len(iso) > 10 && iso[10] == ' ' {
		iso = iso[:10] + "T" + strings.TrimSpace(iso[11:])
	}
	for _, l := range layouts {
		if t, err := time.ParseInLocation(l, iso, loc); err == nil {
			return t, false, nil
		}
	}
	d, err := Ago(s)
	if err != nil {
		if errors.Is(err, ErrTooFar) {
			return time.Time{}, false, err
		}
		return time.Time{}, false, fmt.Errorf("%q is not a time such as %s", s, Examples)
	}
	return now.Add(-d), false, nil
}

// Start reads s as the start of a range, in UTC unless s gives an offset:
// a date alone starts at its midnight.
func Start(s string, now time.Time) (time.Time, error) {
	t, _, err := Parse(s, now, time.UTC)
	return t, err
}

// End reads s as the (exclusive) end of a range, in UTC unless s gives an
// offset: a date alone ends at the next midnight, so its whole day is in.
func End(s string, now time.Time) (time.Time, error) {
	t, day, err := Parse(s, now, time.UTC)
	if day {
		t = t.AddDate(0, 0, 1)
	}
	return t, err
}

// ErrTooFar is the error of a duration in days that overflows.
var ErrTooFar = errors.New("too far back")

// Ago reads a positive duration as time.ParseDuration does, with d for
// days (3d, 1.5d) and an optional trailing "ago".
func Ago(s string) (time.Duration, error) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "ago"))
	d, days := s, strings.HasSuffix(s, "d")
	if days {
		d = strings.TrimSuffix(s, "d") + "h"
	}
	dur, err := time.ParseDuration(d)
	if err != nil || dur <= 0 {
		return 0, fmt.Errorf("%q is not a duration such as 90m, 2h or 3d", s)
	}
	if days {
		if dur > math.MaxInt64/24 {
			return 0, fmt.Errorf("%q: %w", s, ErrTooFar)
		}
		dur *= 24
	}
	return dur, nil
}

// Text writes t in UTC as Start (end false) or End (end true) reads it
// back: a date alone for a midnight, minutes when there are no seconds.
func Text(t time.Time, end bool) string {
	t = t.UTC()
	switch {
	case t.Equal(t.Truncate(24 * time.Hour)):
		if end {
			t = t.AddDate(0, 0, -1)
		}
		return t.Format(dateLayout)
	case t.Equal(t.Truncate(time.Minute)):
		return t.Format("2006-01-02 15:04")
	}
	return t.Format(time.RFC3339Nano)
}
