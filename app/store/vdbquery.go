package store

import (
	"context"
	"database/sql"
	"strings"
	"time"
)

// streamExpr is an alert's stream as voeventdb defines it: the IVORN
// before '#' without its first six characters ("ivo://"); a JSON alert's
// is its Kafka topic. Queries use this exact text, so that SQLite uses the
// index on it (migration 12).
const streamExpr = `(CASE WHEN format = 'voevent' THEN substr(ivorn, 7, CASE WHEN instr(ivorn, '#') > 0 THEN max(instr(ivorn, '#') - 7, 0) ELSE length(ivorn) END) ELSE topic END)`

// authoredExpr is a VOEvent's Who/Date in Unix milliseconds (UTC when it
// names no zone), NULL when absent or unreadable and for JSON alerts.
const authoredExpr = `(CASE WHEN format = 'voevent' AND event_date != '' THEN CAST(round((julianday(event_date) - 2440587.5) * 86400000.0) AS INTEGER) END)`

// VdbQuery selects archived alerts by voeventdb's filters (REST API v1);
// zero fields do not filter. Lists of values combine as voeventdb does:
// IvornContains all, the other lists any. Patterns are voeventdb's (SQL
// LIKE): case-sensitive, % any run of characters, _ any one character, a
// backslash escapes the next.
type VdbQuery struct {
	// VOEventsOnly leaves out the alerts of other formats (JSON).
	VOEventsOnly bool
	// AuthoredSince and AuthoredUntil bound Who/Date, inclusively.
	AuthoredSince, AuthoredUntil time.Time
	// Cited: any other archived VOEvent cites it (true) or none does (false).
	Cited *bool
	// Cone selects the alerts positioned inside it.
	Cone *Cone
	// Coord: it has a position (true) or none (false).
	Coord *bool
	// DecGT and DecLT bound the declination, exclusively.
	DecGT, DecLT *float64
	// IvornContains patterns, each in the IVORN.
	IvornContains []string
	// IvornPrefix patterns, one beginning the IVORN.
	IvornPrefix []string
	// RefAny: it cites another VOEvent (true) or none (false).
	RefAny *bool
	// RefContains patterns, one in a cited IVORN.
	RefContains []string
	// RefExact IVORNs, one of them cited.
	RefExact []string
	// Role values, one of them the alert's.
	Role []string
	// Stream values, one of them the alert's (see migration 12).
	Stream []string

	// Order is voeventdb's: "", "id", "-id", "ivorn", "-ivorn",
	// "author_datetime", "-author_datetime".
	Order string
	// Limit and Offset page a list (Limit 0: no bound; negative: no rows).
	Limit, Offset int
}

// likeGlob turns a voeventdb (PostgreSQL LIKE) pattern into a GLOB
// pattern with the same matches: GLOB is case-sensitive as LIKE is in
// PostgreSQL, where SQLite's LIKE is not.
func likeGlob(p string) string {
	var b strings.Builder
	rs := []rune(p)
	for i := 0; i < len(rs); i++ {
		switch r := rs[i]; r {
		case '%':
			b.WriteByte('*')
		case '_':
			b.WriteByte('?')
		case '\\':
			if i+1 < len(rs) {
				i++
				writeGlobLiteral(&b, rs[i])
			}
		default:
			writeGlobLiteral(&b, r)
		}
	}
	return b.String()
}

func writeGlobLiteral(b *strings.Builder, r rune) {
	switch r {
	case '*', '?', '[':
		b.WriteByte('[')
		b.WriteRune(r)
		b.WriteByte(']')
	default:
		b.WriteRune(r)
	}
}

// anyOf joins conditions with OR.
func anyOf(conds []string) string { return "(" + strings.Join(conds, " OR ") + ")" }

// where is q's WHERE clause over events (aliased e) and its arguments.
func (q VdbQuery) where() (string, []any) {
	var conds []string
	var args []any
	if q.VOEventsOnly {
		conds = append(conds, "e.format = 'voevent'")
	}
	if !q.AuthoredSince.IsZero() {
		conds = append(conds, authoredExpr+" >= ?")
		args = append(args, q.AuthoredSince.UnixMilli())
	}
	if !q.AuthoredUntil.IsZero() {
		conds = append(conds, authoredExpr+" <= ?")
		args = append(args, q.AuthoredUntil.UnixMilli())
	}
	if q.Cited != nil {
		c := "EXISTS (SELECT 1 FROM refs c WHERE c.ivorn = e.ivorn)"
		if !*q.Cited {
			c = "NOT " + c
		}
		conds = append(conds, c)
	}
	// The position filters read vdb_coords, voeventdb's positions of the
	// VOEvents; a JSON alert (only in a list of every format) has its
	// summary's position.
	var pos []string
	var posArgs []any
	if q.Cone != nil {
		c, a := coneWhere(*q.Cone)
		pos, posArgs = append(pos, c), append(posArgs, a...)
	}
	if q.DecGT != nil {
		pos, posArgs = append(pos, "dec > ?"), append(posArgs, *q.DecGT)
	}
	if q.DecLT != nil {
		pos, posArgs = append(pos, "dec < ?"), append(posArgs, *q.DecLT)
	}
	if len(pos) > 0 || q.Coord != nil && *q.Coord {
		if len(pos) == 0 {
			pos = []string{"1"}
		}
		// The window authored again, on vdb_coords' copy: with a cone,
		// one range of the index vdb_coords_sky answers both.
		inCoords, inArgs := append([]string(nil), pos...), append([]any(nil), posArgs...)
		if !q.AuthoredSince.IsZero() {
			inCoords, inArgs = append(inCoords, "authored >= ?"), append(inArgs, q.AuthoredSince.UnixMilli())
		}
		if !q.AuthoredUntil.IsZero() {
			inCoords, inArgs = append(inCoords, "authored <= ?"), append(inArgs, q.AuthoredUntil.UnixMilli())
		}
		c := "e.id IN (SELECT event_id FROM vdb_coords WHERE " + strings.Join(inCoords, " AND ") + ")"
		args = append(args, inArgs...)
		if !q.VOEventsOnly {
			c = "(" + c + " OR e.format != 'voevent' AND e.dec IS NOT NULL AND " + strings.Join(pos, " AND ") + ")"
			args = append(args, posArgs...)
		}
		conds = append(conds, c)
	}
	if q.Coord != nil && !*q.Coord {
		c := "e.id NOT IN (SELECT event_id FROM vdb_coords)"
		if !q.VOEventsOnly {
			c = "(e.format = 'voevent' AND " + c + " OR e.format != 'voevent' AND e.dec IS NULL)"
		}
		conds = append(conds, c)
	}
	for _, p := range q.IvornContains {
		conds = append(conds, "e.ivorn GLOB ?")
		args = append(args, "*"+likeGlob(p)+"*")
	}
	if len(q.IvornPrefix) > 0 {
		var or []string
		for _, p := range q.IvornPrefix {
			or = append(or, "e.ivorn GLOB ?")
			args = append(args, likeGlob(p)+"*")
		}
		conds = append(conds, anyOf(or))
	}
	if q.RefAny != nil {
		c := "EXISTS (SELECT 1 FROM refs r WHERE r.event_id = e.id)"
		if !*q.RefAny {
			c = "NOT " + c
		}
		conds = append(conds, c)
	}
	if len(q.RefContains) > 0 {
		var or []string
		for _, p := range q.RefContains {
			or = append(or, "r.ivorn GLOB ?")
			args = append(args, "*"+likeGlob(p)+"*")
		}
		conds = append(conds, "EXISTS (SELECT 1 FROM refs r WHERE r.event_id = e.id AND "+anyOf(or)+")")
	}
	if len(q.RefExact) > 0 {
		conds = append(conds, "e.id IN (SELECT r.event_id FROM refs r WHERE r.ivorn IN (?"+strings.Repeat(",?", len(q.RefExact)-1)+"))")
		for _, v := range q.RefExact {
			args = append(args, v)
		}
	}
	if len(q.Role) > 0 {
		conds = append(conds, "e.role IN (?"+strings.Repeat(",?", len(q.Role)-1)+")")
		for _, v := range q.Role {
			args = append(args, v)
		}
	}
	if len(q.Stream) > 0 {
		conds = append(conds, streamExpr+" IN (?"+strings.Repeat(",?", len(q.Stream)-1)+")")
		for _, v := range q.Stream {
			args = append(args, v)
		}
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// orderPage is q's ORDER BY, LIMIT and OFFSET, with the id as the
// tie-breaker as in voeventdb; authored_datetime puts alerts without a
// Who/Date last ascending and first descending, as PostgreSQL does.
func (q VdbQuery) orderPage() (string, []any) {
	var o string
	switch q.Order {
	case "ivorn":
		o = " ORDER BY e.ivorn, e.id"
	case "-ivorn":
		o = " ORDER BY e.ivorn DESC, e.id"
	case "author_datetime":
		o = " ORDER BY " + authoredExpr + " IS NULL, " + authoredExpr + ", e.id"
	case "-author_datetime":
		o = " ORDER BY " + authoredExpr + " IS NOT NULL, " + authoredExpr + " DESC, e.id"
	case "-id":
		o = " ORDER BY e.id DESC"
	default:
		o = " ORDER BY e.id"
	}
	limit := q.Limit
	switch {
	case limit == 0:
		limit = -1
	case limit < 0:
		limit = 0
	}
	return o + " LIMIT ? OFFSET ?", []any{limit, max(q.Offset, 0)}
}

// VdbCount counts the archived alerts that q selects.
func (s *Store) VdbCount(ctx context.Context, q VdbQuery) (n int64, err error) {
	defer s.note(&err)
	where, args := q.where()
	err = s.db.QueryRowContext(ctx, `SELECT count(*) FROM events e`+where, args...).Scan(&n)
	return n, err
}

// VdbIVORN is one row of a voeventdb IVORN list: the IVORN and, when
// asked for, how many archived VOEvents cite it (ncites) or how many it
// cites (nrefs).
type VdbIVORN struct {
	IVORN string
	Count int64
}

// The counts a VdbIVORNs list can carry.
const (
	VdbNoCount = ""
	VdbNCites  = "ncites"
	VdbNRefs   = "nrefs"
)

// VdbIVORNs lists the IVORNs that q selects, in q's order and page, with
// the count named (VdbNoCount, VdbNCites, VdbNRefs).
func (s *Store) VdbIVORNs(ctx context.Context, q VdbQuery, count string) (out []VdbIVORN, err error) {
	defer s.note(&err)
	col := "0"
	switch count {
	case VdbNCites:
		col = "(SELECT count(*) FROM refs c WHERE c.ivorn = e.ivorn)"
	case VdbNRefs:
		col = "(SELECT count(*) FROM refs r WHERE r.event_id = e.id)"
	}
	where, args := q.where()
	page, pargs := q.orderPage()
	rows, err := s.db.QueryContext(ctx, `SELECT e.ivorn, `+col+` FROM events e`+where+page, append(args, pargs...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var r VdbIVORN
		if err := rows.Scan(&r.IVORN, &r.Count); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// VdbEvents returns the archived alerts that q selects, in q's order and page.
func (s *Store) VdbEvents(ctx context.Context, q VdbQuery) (_ []EventRow, err error) {
	defer s.note(&err)
	where, args := q.where()
	page, pargs := q.orderPage()
	rows, err := s.db.QueryContext(ctx, `SELECT `+eventColumns+` FROM events e`+where+page, append(args, pargs...)...)
	return s.markRetracted(ctx, rows, err)
}

// VdbGroup is one group of a voeventdb map: its keys (a month "2006-01",
// a role, a stream; Null when the month is unknown) and its count.
type VdbGroup struct {
	Key, Key2 string
	Null      bool
	Count     int64
}

// The groupings of VdbGroups.
const (
	VdbByMonth      = "month"
	VdbByRole       = "role"
	VdbByStream     = "stream"
	VdbByStreamRole = "stream_role"
)

// VdbGroups counts the alerts that q selects by month authored (UTC), role,
// stream, or stream and role.
func (s *Store) VdbGroups(ctx context.Context, q VdbQuery, by string) (out []VdbGroup, err error) {
	defer s.note(&err)
	var keys string
	switch by {
	case VdbByMonth:
		keys = "strftime('%Y-%m', " + authoredExpr + " / 1000.0, 'unixepoch'), ''"
	case VdbByRole:
		keys = "e.role, ''"
	case VdbByStream:
		keys = streamExpr + ", ''"
	default:
		keys = streamExpr + ", e.role"
	}
	where, args := q.where()
	rows, err := s.db.QueryContext(ctx, `SELECT `+keys+`, count(*) FROM events e`+where+` GROUP BY 1, 2 ORDER BY 1, 2`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var g VdbGroup
		var k sql.NullString
		if err := rows.Scan(&k, &g.Key2, &g.Count); err != nil {
			return nil, err
		}
		g.Key, g.Null = k.String, !k.Valid
		out = append(out, g)
	}
	return out, rows.Err()
}

// Ref is one Citations/EventIVORN of an archived VOEvent.
type Ref struct {
	IVORN, CiteType string
}

// VdbCoord is an archived VOEvent's position as voeventdb keeps it, in degrees.
type VdbCoord struct {
	RA, Dec, Err float64
}

// EventCoords returns the archived alert id's voeventdb position, if any.
func (s *Store) EventCoords(ctx context.Context, id int64) (_ []VdbCoord, err error) {
	defer s.note(&err)
	var c VdbCoord
	var e sql.NullFloat64
	err = s.db.QueryRowContext(ctx, `SELECT ra, dec, err FROM vdb_coords WHERE event_id = ?`, id).Scan(&c.RA, &c.Dec, &e)
	if err == sql.ErrNoRows {
		return nil, nil
	}
	c.Err = e.Float64
	return []VdbCoord{c}, err
}

// EventRefs returns the citations recorded for the archived alert id, in document order.
func (s *Store) EventRefs(ctx context.Context, id int64) (out []Ref, err error) {
	defer s.note(&err)
	rows, err := s.db.QueryContext(ctx, `SELECT ivorn, cite_type FROM refs WHERE event_id = ? ORDER BY rowid`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var r Ref
		if err := rows.Scan(&r.IVORN, &r.CiteType); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
