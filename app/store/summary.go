package store

import (
	"encoding/json"
	"strings"

	"github.com/starling-broker/starling/netcore/alert"
	"github.com/starling-broker/starling/netcore/describe"
)

// summaryColumns are the events columns that an alert's summary fills, in
// the order of summaryValues.
const summaryColumns = `author, description, ra, dec, err, event_time, "trigger", alert_type, mission, retraction, test, far, significance, note, skymap, summary_version`

// summaryValues are sm's values for summaryColumns.
func summaryValues(sm alert.Summary) []any {
	var ra, dec, errDeg, eventTime, far, sky any
	if sm.HasPosition {
		ra, dec = sm.RA, sm.Dec
		if sm.ErrorDeg > 0 {
			errDeg = sm.ErrorDeg
		}
	}
	if !sm.EventTime.IsZero() {
		eventTime = sm.EventTime.UnixMilli()
	}
	if sm.FAR > 0 {
		far = sm.FAR
	}
	if sm.Skymap != nil {
		if b, err := json.Marshal(sm.Skymap); err == nil {
			sky = string(b)
		}
	}
	return []any{sm.Author, sm.Description, ra, dec, errDeg, eventTime, sm.Trigger, sm.AlertType, sm.Mission,
		sm.Retraction, sm.Test || sm.Role == "test", far, sm.Significance, sm.Note, sky, describe.Version}
}

// searchText is what the full-text index holds of an alert: its key, trigger,
// mission, type and author, and the summary's own text (ids, names, param
// names and values). Each white-space-separated word is kept once: a search
// matches words one by one (ftsQuery), so repeats ("false" thirty times in a
// GCN packet) only cost indexing time.
func searchText(key string, sm alert.Summary) string {
	parts := []string{key, sm.Trigger, sm.Mission, sm.AlertType, sm.Author, sm.Text}
	if sm.Test {
		parts = append(parts, "test")
	}
	var b strings.Builder
	seen := make(map[string]bool, 64)
	for _, p := range parts {
		for _, w := range strings.Fields(p) {
			if seen[w] {
				continue
			}
			seen[w] = true
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(w)
		}
	}
	return b.String()
}

// ftsQuery turns what a person typed into an FTS5 query: every
// white-space-separated word a quoted phrase, its last token a prefix, all
// of them required. ok is false when no word holds a letter or digit (the
// index has nothing to match) or the input is too short to be worth an
// index look-up; the caller then matches substrings of the key.
func ftsQuery(text string) (string, bool) {
	if len([]rune(strings.TrimSpace(text))) < minFTSInput {
		return "", false
	}
	var terms []string
	for _, w := range strings.Fields(text) {
		if !strings.ContainsFunc(w, isWordRune) {
			continue
		}
		terms = append(terms, `"`+strings.ReplaceAll(w, `"`, `""`)+`"*`)
	}
	if len(terms) == 0 {
		return "", false
	}
	return strings.Join(terms, " "), true
}

// minFTSInput is the shortest search text sent to the full-text index.
const minFTSInput = 3

// isWordRune reports whether the FTS5 unicode61 tokenizer keeps r in a token.
func isWordRune(r rune) bool {
	return r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 127
}
