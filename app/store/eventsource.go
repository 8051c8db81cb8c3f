package store

import (
	"context"
	"fmt"
	"strings"
)

// The source filter (EventQuery.Source) is a case-insensitive substring of
// an alert's source (peer, subscription) or Kafka topic. An archive holds
// few distinct (source, topic) pairs, so the filter first finds the pairs
// that match, by a loose scan of the index events_source (one seek per
// distinct source and per distinct topic of each, never a scan of the
// rows), and then selects the rows of those pairs through the same index:
// a count reads only the index entries of the matching pairs.
//
// The pairs are found inside the statement that uses them, so that a count
// and the newest id it covered (CountEventsAt) come from one snapshot. The
// case folding is SQLite's lower(), which folds ASCII letters only; the
// fallback below folds the same way.

// maxSourcePairs bounds the loose scan: how many distinct (source, topic)
// pairs, plus one per distinct source, it may walk. An archive with more (a
// VTP receiver names each author's connection, port included) falls back to
// a scan of the rows.
const maxSourcePairs = 500

// sourceDenseRows is how many matching rows make a source filter "dense": a
// page is then read in its sort order, checking each row's pair, rather
// than from the pairs' index entries and sorted.
const sourceDenseRows = 2000

// Plans for a source filter, chosen by Store.planSource. Each selects the
// same rows; they differ only in speed.
const (
	// sourceByPairs selects the rows of the matching pairs through events_source.
	sourceByPairs = iota + 1
	// sourceDense checks each row's pair without the index, for a page in sort order.
	sourceDense
	// sourceScan checks each row's source and topic, for archives with too many pairs.
	sourceScan
)

// pairsWith is a WITH clause whose table m holds the distinct (source,
// topic) pairs, as (s, t), whose source or topic contains the two
// arguments (the same text, folded to lower case). Its recursive tables walk
// events_source: s the distinct sources, p the distinct topics of each (and
// a NULL after the last). limit, if not "", bounds each walk.
func pairsWith(limit string) string {
	return `WITH RECURSIVE
	s(v) AS (SELECT min(source) FROM events
		UNION ALL SELECT (SELECT min(source) FROM events WHERE source > s.v) FROM s WHERE s.v IS NOT NULL` + limit + `),
	p(s, t) AS (SELECT v, (SELECT min(topic) FROM events WHERE source = v) FROM s WHERE v IS NOT NULL
		UNION ALL SELECT p.s, (SELECT min(topic) FROM events WHERE source = p.s AND topic > p.t) FROM p WHERE p.t IS NOT NULL` + limit + `),
	m(s, t) AS (SELECT s, t FROM p WHERE t IS NOT NULL AND (instr(lower(s), ?) > 0 OR instr(lower(t), ?) > 0))`
}

// matchingPairs is the subquery of the pairs that match a source filter.
var matchingPairs = pairsWith("") + ` SELECT s, t FROM m`

// foldASCII lowers ASCII letters only, as SQLite's lower() does.
func foldASCII(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

// sourceCond is the SQL condition of q's source filter and its arguments.
func (q EventQuery) sourceCond() (string, []any) {
	needle := foldASCII(q.Source)
	args := []any{needle, needle}
	switch q.sourcePlan {
	case sourceByPairs:
		return "(source, topic) IN (" + matchingPairs + ")", args
	case sourceDense:
		return "(+source, +topic) IN (" + matchingPairs + ")", args
	}
	return "(instr(lower(source), ?) > 0 OR instr(lower(topic), ?) > 0)", args
}

// planSource chooses the plan of q's source filter: through the pairs if
// the loose scan meets at most maxSourcePairs of them, and, for a page
// (listing), the dense plan if the matching pairs hold many rows.
func (s *Store) planSource(ctx context.Context, q *EventQuery, listing bool) error {
	if q.Source == "" {
		return nil
	}
	rows := "0"
	if listing {
		rows = fmt.Sprintf(`(SELECT count(*) FROM (SELECT 1 FROM events WHERE (source, topic) IN (SELECT s, t FROM m) LIMIT %d))`, sourceDenseRows)
	}
	needle := foldASCII(q.Source)
	var walked, matching int
	err := s.db.QueryRowContext(ctx, pairsWith(fmt.Sprintf(" LIMIT %d", maxSourcePairs+1))+` SELECT (SELECT count(*) FROM p), `+rows, needle, needle).Scan(&walked, &matching)
	if err != nil {
		return err
	}
	switch {
	case walked > maxSourcePairs:
		q.sourcePlan = sourceScan
	case matching >= sourceDenseRows:
		q.sourcePlan = sourceDense
	default:
		q.sourcePlan = sourceByPairs
	}
	return nil
}
