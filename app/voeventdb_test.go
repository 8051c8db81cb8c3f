package app

import (
	"net/url"
	"testing"
	"time"
)

// TestParseISO8601: the forms voeventdb's iso8601.parse_date reads, UTC
// when no zone is named, and refusals of what is no date.
func TestParseISO8601(t *testing.T) {
	utc := func(y int, mo time.Month, d, h, mi, s, ns int) time.Time {
		return time.Date(y, mo, d, h, mi, s, ns, time.UTC)
	}
	for in, want := range map[string]time.Time{
		"2015-10":                       utc(2015, 10, 1, 0, 0, 0, 0),
		"2015-10-09":                    utc(2015, 10, 9, 0, 0, 0, 0),
		"2015-10-09T21:34:19":           utc(2015, 10, 9, 21, 34, 19, 0),
		"2015-10-09 21:34":              utc(2015, 10, 9, 21, 34, 0, 0),
		"2015-10-09T21:34:19.25Z":       utc(2015, 10, 9, 21, 34, 19, 250_000_000),
		"2015-10-09T21:34:19+02:00":     utc(2015, 10, 9, 19, 34, 19, 0),
		"2015-10-09T21:34:19-0130":      utc(2015, 10, 9, 23, 4, 19, 0),
		"2015-10-09T21:34:19.123456789": utc(2015, 10, 9, 21, 34, 19, 123_456_789),
	} {
		if got, ok := ParseISO8601(in); !ok || !got.Equal(want) {
			t.Errorf("%q: %v %v, want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "2015", "yesterday", "2015-13-01", "2015-02-30", "2015-10-09T25:00", "2015-10-09T21:34:19+2"} {
		if got, ok := ParseISO8601(in); ok {
			t.Errorf("%q read as %v", in, got)
		}
	}
}

// TestParseVdbQueryCombines: repeated keys combine as voeventdb's
// filters do, and page keys only matter to lists.
func TestParseVdbQueryCombines(t *testing.T) {
	v, _ := url.ParseQuery("dec_gt=10&dec_gt=20&role=test&role=utility&limit=5&order=-ivorn&offset=3")
	q, err := ParseVdbQuery(v, true)
	if err != nil || *q.DecGT != 10 || len(q.Role) != 2 || q.Limit != 5 || q.Order != "-ivorn" || q.Offset != 3 {
		t.Errorf("list: %+v, %v", q, err)
	}
	v.Set("order", "colour")
	if q, err = ParseVdbQuery(v, false); err != nil || q.Limit != 0 || q.Order != "" {
		t.Errorf("count ignores the page keys: %+v, %v", q, err)
	}
	v["dec_gt"] = []string{"10", "100"}
	if _, err = ParseVdbQuery(v, false); err == nil {
		t.Error("every value must be valid, not only the first")
	}
}
