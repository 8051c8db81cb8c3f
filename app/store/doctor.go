package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/url"
	"os"
	"strings"
	"time"
)

// openFile opens the SQLite file at path for the doctor's tools: no schema
// change, no writer; with readOnly, SQLite's query_only. It refuses a path
// that does not exist rather than create an empty database there.
func openFile(path string, readOnly bool) (*sql.DB, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, err
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	}
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// CheckFile runs SQLite's integrity_check (full: every page, every index
// entry) or quick_check on the database at path and returns the problems
// found, none when it is sound. A file SQLite cannot read at all is a
// problem too ("file is not a database"), not an error; the error is for
// a file that cannot be opened.
func CheckFile(ctx context.Context, path string, full bool) ([]string, error) {
	db, err := openFile(path, true)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	pragma := "quick_check"
	if full {
		pragma = "integrity_check"
	}
	problems, err := checkDB(ctx, func(ctx context.Context, q string) (rowsLike, error) { return db.QueryContext(ctx, q) }, pragma)
	if IsCorrupt(err) {
		return append(problems, corruptDetail(err)), nil
	}
	if err != nil {
		return nil, err
	}
	if len(problems) == 0 {
		// A sound SQLite file, but is it Starling's?
		var v int
		if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
			return nil, err
		}
		if v > SchemaVersion {
			return nil, fmt.Errorf("%s has schema version %d, newer than this Starling knows (%d): use a newer Starling", path, v, SchemaVersion)
		}
		var n int
		db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN ('seen', 'events')`).Scan(&n)
		if v > 0 && n != 2 {
			return nil, fmt.Errorf("%s is an SQLite database, but not Starling's", path)
		}
	}
	return problems, nil
}

// TableRecovery is what Recover copied of one table.
type TableRecovery struct {
	Table string
	// Copied rows; Lost rows could not be read (rows of a damaged page or of
	// a page below a damaged one, one by one).
	Copied, Lost int64
	// Missing is the table itself, when the damaged file no longer lists it.
	Missing bool
	// Note says more, in words ("scanned up to the first damage and back
	// from the end", …).
	Note string
}

// Recovery is what Recover did.
type Recovery struct {
	Tables []TableRecovery
	// SeenRebuilt is how many seen-list entries were rebuilt from the
	// recovered archive (their own rows were lost).
	SeenRebuilt int64
	// Orphans are raw texts whose archive row was lost (dropped), and
	// NoRaw archive rows whose raw text was lost (kept: their summaries
	// stay listed).
	Orphans, NoRaw int64
	// Took is how long it took.
	Took time.Duration
}

// Table returns the recovery of table name.
func (r Recovery) Table(name string) TableRecovery {
	for _, t := range r.Tables {
		if t.Table == name {
			return t
		}
	}
	return TableRecovery{Table: name}
}

// recoverWindow is how many rowids a recovery reads at once; a window
// with damage in it is read again row by row.
const recoverWindow = 256

// Recover copies everything that can still be read from the database at
// src into a new database at dst with the current schema, table by table
// and row by row, skipping what cannot be read and counting it; the
// seen-list is completed from the recovered archive and the search index
// built again. dst must not exist. It only reads src, so it may run beside
// a Starling that has src open.
func Recover(ctx context.Context, src, dst string, log *slog.Logger) (Recovery, error) {
	start := time.Now()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var rep Recovery
	if _, err := os.Stat(dst); err == nil {
		return rep, fmt.Errorf("%s exists already: name a new file", dst)
	}
	in, err := openFile(src, true)
	if err != nil {
		return rep, err
	}
	defer in.Close()
	out, err := sql.Open("sqlite", "file:"+dst+"?"+url.Values{"_pragma": {"journal_mode(WAL)", "synchronous(OFF)"}}.Encode())
	if err != nil {
		return rep, err
	}
	out.SetMaxOpenConns(1)
	ok := false
	defer func() {
		out.Close()
		if !ok {
			os.Remove(dst)
			os.Remove(dst + "-wal")
			os.Remove(dst + "-shm")
		}
	}()
	w := &Store{db: out, log: log, noBackfill: true}
	if err := w.migrate(ctx); err != nil {
		return rep, fmt.Errorf("creating %s: %w", dst, err)
	}
	var tables []string
	rows, err := out.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'events_fts%' ORDER BY rootpage`)
	if err != nil {
		return rep, err
	}
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	if err := rows.Close(); err != nil {
		return rep, err
	}
	// One transaction (on the one connection) for the copy: a commit per
	// row would cost more than the reading.
	if _, err := out.ExecContext(ctx, "BEGIN"); err != nil {
		return rep, err
	}
	for _, t := range tables {
		var tr TableRecovery
		key, kerr := withoutRowidKey(ctx, in, t)
		switch {
		case kerr != nil:
			err = kerr
		case key != "": // the seen-list, the subscribers' cursors
			tr, err = recoverByKey(ctx, in, out, t, key)
		default:
			tr, err = recoverByRowid(ctx, in, out, t)
		}
		if err != nil {
			return rep, fmt.Errorf("recovering table %s: %w", t, err)
		}
		log.Info("Recovered table", "table", t, "rows", tr.Copied, "lost", tr.Lost)
		rep.Tables = append(rep.Tables, tr)
	}
	if err := tidyRecovered(ctx, out, &rep); err != nil {
		return rep, err
	}
	// The voeventdb API's citations and positions are made again from the
	// recovered raw bytes at the next Open (backfillRefs): a damaged file
	// may have kept them for rows it lost, or lost them for rows it kept.
	if _, err := out.ExecContext(ctx, `DELETE FROM refs; DELETE FROM vdb_coords;
		UPDATE settings SET value = (SELECT ifnull(max(id), 0) + 1 FROM events) WHERE key = '`+refsBackfillKey+`'`); err != nil {
		return rep, err
	}
	if _, err := out.ExecContext(ctx, "COMMIT"); err != nil {
		return rep, err
	}
	out.SetMaxOpenConns(2) // catchUpIndex reads on one and writes on another
	conn, err := out.Conn(ctx)
	if err != nil {
		return rep, err
	}
	err = w.catchUpIndex(ctx, conn)
	conn.Close()
	if err != nil {
		return rep, fmt.Errorf("indexing the recovered archive for search: %w", err)
	}
	problems, err := checkDB(ctx, func(ctx context.Context, q string) (rowsLike, error) { return out.QueryContext(ctx, q) }, "integrity_check")
	if err != nil || len(problems) > 0 {
		return rep, fmt.Errorf("the recovered database fails its own check (%v %s)", err, strings.Join(problems, "; "))
	}
	if _, err := out.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		return rep, err
	}
	rep.Took = time.Since(start)
	ok = true
	return rep, nil
}

// columns lists table's columns in db; nil when db has no such table.
func columns(ctx context.Context, db *sql.DB, table string) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT name FROM pragma_table_info(?)`, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		cols = append(cols, c)
	}
	return cols, rows.Err()
}

// copyPlan is the columns both databases have, quoted, and the statements
// that read and write them.
type copyPlan struct {
	cols   string
	n      int
	insert *sql.Stmt
}

func planCopy(ctx context.Context, in, out *sql.DB, table string) (*copyPlan, error) {
	have, err := columns(ctx, in, table)
	if err != nil || len(have) == 0 {
		return nil, err
	}
	want, err := columns(ctx, out, table)
	if err != nil {
		return nil, err
	}
	var both []string
	for _, c := range want {
		for _, h := range have {
			if strings.EqualFold(c, h) {
				both = append(both, `"`+c+`"`)
			}
		}
	}
	p := &copyPlan{cols: strings.Join(both, ", "), n: len(both)}
	p.insert, err = out.PrepareContext(ctx, `INSERT OR IGNORE INTO "`+table+`"(`+p.cols+`) VALUES(`+strings.TrimSuffix(strings.Repeat("?,", len(both)), ",")+`)`)
	return p, err
}

// copyRows reads rows (a first column to skip, then p's columns) into out;
// it returns how many it copied and the first error met reading.
func (p *copyPlan) copyRows(ctx context.Context, rows *sql.Rows) (n int64, err error) {
	defer rows.Close()
	vals := make([]any, p.n+1)
	ptrs := make([]any, p.n+1)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		if _, err := p.insert.ExecContext(ctx, vals[1:]...); err != nil {
			return n, fmt.Errorf("writing: %w", err)
		}
		n++
	}
	return n, rows.Err()
}

// recoverByRowid copies table, window by window of rowids; a window that
// meets damage is read again row by row, and the rows that cannot be read
// are counted as lost. Damaged pages can hold rowids out of order: reading
// by window keeps one wild rowid from ending the copy.
func recoverByRowid(ctx context.Context, in, out *sql.DB, table string) (TableRecovery, error) {
	tr := TableRecovery{Table: table}
	p, err := planCopy(ctx, in, out, table)
	if err != nil {
		return tr, err
	}
	if p == nil {
		tr.Missing = true
		return tr, nil
	}
	defer p.insert.Close()
	q := `"` + table + `"`
	var lo, hi int64 = 1, math.MaxInt64
	var v sql.NullInt64
	if in.QueryRowContext(ctx, `SELECT min(rowid) FROM `+q).Scan(&v) == nil {
		if !v.Valid {
			return tr, nil // empty
		}
		lo = v.Int64
	}
	if in.QueryRowContext(ctx, `SELECT max(rowid) FROM `+q).Scan(&v) == nil && v.Valid {
		hi = v.Int64
	}
	window, err := in.PrepareContext(ctx, `SELECT rowid, `+p.cols+` FROM `+q+` WHERE rowid >= ? AND rowid < ? ORDER BY rowid`)
	if err != nil {
		return tr, err
	}
	defer window.Close()
	one, err := in.PrepareContext(ctx, `SELECT rowid, `+p.cols+` FROM `+q+` WHERE rowid = ?`)
	if err != nil {
		return tr, err
	}
	defer one.Close()
	next, err := in.PrepareContext(ctx, `SELECT rowid FROM `+q+` WHERE rowid >= ? ORDER BY rowid LIMIT 1`)
	if err != nil {
		return tr, err
	}
	defer next.Close()
	idle := 0 // windows in a row that copied nothing
	for a := lo; a <= hi && a >= lo; {
		if err := ctx.Err(); err != nil {
			return tr, err
		}
		b := a + recoverWindow
		if b < a {
			b = math.MaxInt64
		}
		n, err := func() (int64, error) {
			rows, err := window.QueryContext(ctx, a, b)
			if err != nil {
				return 0, err
			}
			return p.copyRows(ctx, rows)
		}()
		if err != nil && strings.HasPrefix(err.Error(), "writing: ") {
			return tr, err
		}
		if err != nil {
			// Again row by row: INSERT OR IGNORE skips those copied already.
			n = 0
			for id := a; id < b; id++ {
				rows, err := one.QueryContext(ctx, id)
				if err != nil {
					tr.Lost++
					continue
				}
				c, err := p.copyRows(ctx, rows)
				if err != nil && strings.HasPrefix(err.Error(), "writing: ") {
					return tr, err
				}
				if err != nil {
					tr.Lost++
				}
				n += c
			}
		}
		tr.Copied += n
		if n > 0 {
			idle = 0
			a = b
			continue
		}
		// Nothing here: jump to the next rowid, if the tree can say.
		var r sql.NullInt64
		switch err := next.QueryRowContext(ctx, b).Scan(&r); {
		case err == sql.ErrNoRows:
			return tr, nil
		case err == nil && r.Int64 >= b:
			a, idle = r.Int64, 0
		default:
			a = b
			if idle++; idle > 4096 {
				tr.Note = fmt.Sprintf("gave up after rowid %d: nothing could be read for a million rowids", a)
				return tr, nil
			}
		}
	}
	return tr, nil
}

// recoverByKey copies a WITHOUT ROWID table in key order up to the first
// damage, then from the end backwards down to the damage again.
// withoutRowidKey is the first primary-key column of a WITHOUT ROWID table,
// which has no rowid to read by, or "" for a table with rowids.
func withoutRowidKey(ctx context.Context, in *sql.DB, table string) (string, error) {
	var ddl string
	if err := in.QueryRowContext(ctx, `SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?`, table).Scan(&ddl); err != nil {
		return "", err
	}
	if !strings.Contains(strings.ToUpper(ddl), "WITHOUT ROWID") {
		return "", nil
	}
	var key string
	err := in.QueryRowContext(ctx, `SELECT name FROM pragma_table_info(?) WHERE pk = 1`, table).Scan(&key)
	return key, err
}

func recoverByKey(ctx context.Context, in, out *sql.DB, table, key string) (TableRecovery, error) {
	tr := TableRecovery{Table: table}
	p, err := planCopy(ctx, in, out, table)
	if err != nil {
		return tr, err
	}
	if p == nil {
		tr.Missing = true
		return tr, nil
	}
	defer p.insert.Close()
	q := `"` + table + `"`
	read := func(order string) (int64, error) {
		rows, err := in.QueryContext(ctx, `SELECT NULL, `+p.cols+` FROM `+q+` ORDER BY "`+key+`" `+order)
		if err != nil {
			return 0, err
		}
		return p.copyRows(ctx, rows)
	}
	n, err := read("ASC")
	tr.Copied = n
	if err == nil {
		return tr, nil
	}
	if strings.HasPrefix(err.Error(), "writing: ") {
		return tr, err
	}
	if _, err := read("DESC"); err != nil && strings.HasPrefix(err.Error(), "writing: ") {
		return tr, err
	}
	if err := out.QueryRowContext(ctx, `SELECT count(*) FROM `+q).Scan(&tr.Copied); err != nil {
		return tr, err
	}
	tr.Note = "read up to the damage and back from the end; what lay between is lost"
	return tr, nil
}

// tidyRecovered drops raw texts whose archive row was lost, counts archive
// rows whose raw text was lost, and puts back the seen-list entries of
// recovered alerts whose own entry was lost (from the raw bytes' digest
// and the time of reception; the next prune removes those too old).
func tidyRecovered(ctx context.Context, out *sql.DB, rep *Recovery) error {
	res, err := out.ExecContext(ctx, `DELETE FROM event_raw WHERE id NOT IN (SELECT id FROM events)`)
	if err != nil {
		return err
	}
	rep.Orphans, _ = res.RowsAffected()
	// A publish-queue row whose archive row was lost has nothing to publish.
	if _, err := out.ExecContext(ctx, `DELETE FROM publish_queue WHERE event_id NOT IN (SELECT id FROM events)`); err != nil {
		return err
	}
	if err := out.QueryRowContext(ctx, `SELECT count(*) FROM events WHERE id NOT IN (SELECT id FROM event_raw)`).Scan(&rep.NoRaw); err != nil {
		return err
	}
	rows, err := out.QueryContext(ctx, `SELECT e.ivorn, r.raw, e.received_at, e.source FROM events e JOIN event_raw r ON r.id = e.id
		WHERE NOT EXISTS (SELECT 1 FROM seen s WHERE s.ivorn = e.ivorn)`)
	if err != nil {
		return err
	}
	type entry struct {
		ivorn, source string
		digest        [32]byte
		at            int64
	}
	var missing []entry
	for rows.Next() {
		var e entry
		var raw []byte
		if err := rows.Scan(&e.ivorn, &raw, &e.at, &e.source); err != nil {
			rows.Close()
			return err
		}
		e.digest = sha256.Sum256(raw)
		missing = append(missing, e)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return err
	}
	for _, e := range missing {
		res, err := out.ExecContext(ctx, `INSERT INTO seen(ivorn, sha256, first_seen, source) VALUES(?,?,?,?) ON CONFLICT(ivorn) DO NOTHING`, e.ivorn, e.digest[:], e.at, e.source)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		rep.SeenRebuilt += n
	}
	return nil
}
