package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/starling-broker/starling/netcore/alert"
	"github.com/starling-broker/starling/netcore/seen"
)

// maxBatch bounds how many admissions share one transaction.
const maxBatch = 256

// admitReq is one Admit waiting for the writer.
type admitReq struct {
	ctx   context.Context
	rec   seen.Record
	args  []any  // eventArgs(rec)
	text  string // searchText of rec
	reply chan admitResult
}

type admitResult struct {
	verdict seen.Verdict
	entry   seen.Entry
	err     error
}

// admitStmts are the statements of an admission.
type admitStmts struct{ seen, event, raw, fts, skymap, getTrigger, putTrigger, ref, coord, publish *sql.Stmt }

// prepare compiles the statements once, instead of once per batch.
func (a *admitStmts) prepare(db *sql.DB) error {
	var err error
	for _, p := range []struct {
		into **sql.Stmt
		sql  string
	}{
		{&a.seen, `INSERT INTO seen(ivorn, sha256, first_seen, source) VALUES(?,?,?,?) ON CONFLICT(ivorn) DO NOTHING`},
		{&a.event, `INSERT INTO events(ivorn, role, event_date, received_at, source, params_count, format, topic, kafka_partition, kafka_offset, kafka_time, ` +
			summaryColumns + `) VALUES(?,?,?,?,?,?,?,?,?,?,?, ?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`},
		{&a.raw, `INSERT INTO event_raw(id, raw) VALUES(?,?)`},
		{&a.fts, insertFTS},
		{&a.skymap, insertSkymap},
		{&a.getTrigger, getTriggerSQL},
		{&a.putTrigger, putTriggerSQL},
		{&a.ref, insertRefSQL},
		{&a.coord, insertCoordSQL},
		{&a.publish, insertPublishSQL},
	} {
		if *p.into, err = db.Prepare(p.sql); err != nil {
			a.close()
			return err
		}
	}
	return nil
}

// close releases the statements that were prepared.
func (a *admitStmts) close() {
	for _, st := range []*sql.Stmt{a.seen, a.event, a.raw, a.fts, a.skymap, a.getTrigger, a.putTrigger, a.ref, a.coord, a.publish} {
		if st != nil {
			st.Close()
		}
	}
}

// writer is the single goroutine that commits admissions: it takes every
// request waiting (up to maxBatch) and commits them in one transaction, so
// concurrent submissions share the cost of a durable commit.
//
// The search text of what it commits is indexed later, many alerts at a
// time (index.go): full-text indexing costs more than the rest of an
// admission and must not hold up each acknowledgement.
func (s *Store) writer() {
	defer s.writerWG.Done()
	batch := make([]*admitReq, 0, maxBatch)
	var indexDue <-chan time.Time
	for {
		select {
		case <-s.stop:
			s.failPending(sql.ErrConnDone)
			s.flushIndex()
			return
		case <-indexDue:
			indexDue = nil
			s.flushIndex()
			continue
		case r := <-s.admits:
			batch = append(batch[:0], r)
		}
	gather:
		for len(batch) < maxBatch {
			select {
			case r := <-s.admits:
				batch = append(batch, r)
			default:
				break gather
			}
		}
		s.commit(batch)
		switch n := s.indexPending(); {
		case n == 0:
			indexDue = nil
		case indexDue == nil:
			indexDue = time.After(indexDelay)
		}
	}
}

func (s *Store) failPending(err error) {
	for {
		select {
		case r := <-s.admits:
			r.reply <- admitResult{err: err}
		default:
			return
		}
	}
}

// commit runs one batch: each new alert's seen-list entry, archive row and
// its trigger's state (triggers.go) in one transaction; on any failure every request in it gets the error
// and nothing of the batch is kept.
func (s *Store) commit(batch []*admitReq) {
	if err := s.Damaged(); err != nil { // found damaged since they were queued
		for _, r := range batch {
			r.reply <- admitResult{err: err}
		}
		return
	}
	results := make([]admitResult, len(batch))
	var docs []indexDoc
	var queued []string // the topics that events of the batch were queued for
	s.indexWrite.Lock()
	waiting := s.takeIndexBatch() // indexed in this transaction: no commit of its own
	if len(waiting) == 0 {
		s.indexWrite.Unlock()
	} else {
		defer s.indexWrite.Unlock()
	}
	err := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		insSeen := tx.StmtContext(ctx, s.admit.seen)
		insEvent := tx.StmtContext(ctx, s.admit.event)
		insRaw := tx.StmtContext(ctx, s.admit.raw)
		var insSkymap *sql.Stmt              // bound to tx when an alert of the batch needs it
		var getTrigger, putTrigger *sql.Stmt // bound when an alert has a trigger
		var vdb vdbStmts                     // bound when a VOEvent cites another or has a position
		var insPublish *sql.Stmt             // bound when an alert is to be published
		for i, r := range batch {
			if r.ctx.Err() != nil {
				results[i].err = r.ctx.Err()
				continue
			}
			rec := r.rec
			res, err := insSeen.ExecContext(ctx, rec.IVORN, rec.Digest[:], rec.Received.UnixMilli(), rec.Source)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 1 {
				id, err := insertEvent(ctx, insEvent, insRaw, r.args, rec.Raw)
				if err != nil {
					return err
				}
				if rec.Skymap != nil {
					if insSkymap == nil {
						insSkymap = tx.StmtContext(ctx, s.admit.skymap)
					}
					if _, err := insSkymap.ExecContext(ctx, id, rec.Skymap); err != nil {
						return err
					}
				}
				if err := vdb.insert(ctx, tx, &s.admit, id, rec.IVORN, rec.Fields); err != nil {
					return err
				}
				for _, topic := range rec.Publish {
					if insPublish == nil {
						insPublish = tx.StmtContext(ctx, s.admit.publish)
					}
					if err := queuePublish(ctx, insPublish, id, rec, topic); err != nil {
						return err
					}
					queued = appendNew(queued, topic)
				}
				docs = append(docs, indexDoc{id, r.text})
				if u, ok := triggerUpdateOf(rec); ok {
					if getTrigger == nil {
						getTrigger, putTrigger = tx.StmtContext(ctx, s.admit.getTrigger), tx.StmtContext(ctx, s.admit.putTrigger)
					}
					u.id = id
					if err := applyTrigger(ctx, getTrigger, putTrigger, u); err != nil {
						return err
					}
				}
				results[i].verdict = seen.New
				results[i].entry.ID = id
				continue
			}
			e, found, err := lookup(ctx, tx, rec.IVORN)
			if err != nil {
				return err
			}
			if !found { // cannot happen inside the transaction; be safe
				return sql.ErrNoRows
			}
			results[i].entry = e
			results[i].verdict = seen.Duplicate
			if e.Digest != rec.Digest {
				results[i].verdict = seen.Conflict
			}
		}
		if len(waiting) > 0 && s.indexInTx(ctx, tx, waiting, true) != nil {
			s.queueIndex(waiting) // the admissions go on; the index waits
			waiting = nil
		}
		return tx.Commit()
	}()
	s.note(&err)
	if err == nil {
		s.queueIndex(docs)
		s.seenCount.Add(int64(len(docs))) // one archived alert per new seen-list entry
		s.publishWatch.Tell(queued...)
	} else {
		s.queueIndex(waiting)
	}
	for i, r := range batch {
		if err != nil {
			results[i] = admitResult{err: err}
		}
		r.reply <- results[i]
	}
}

// eventArgs are the values of an admitted alert's archive row, in the
// order of the insert statement; Admit computes them on the caller's
// goroutine, so that the single writer does less.
func eventArgs(rec seen.Record) []any {
	format := rec.Format
	if format == "" {
		format = alert.FormatVOEvent
	}
	var part, off, ktime any
	if k := rec.Kafka; k.Topic != "" {
		part, off, ktime = k.Partition, k.Offset, k.Time.UnixMilli()
	}
	return append([]any{rec.IVORN, rec.Summary.Role, rec.Date, rec.Received.UnixMilli(), rec.Source, rec.ParamsCount,
		string(format), rec.Kafka.Topic, part, off, ktime}, summaryValues(rec.Summary)...)
}

// insertEvent writes an admitted alert's archive row and its raw bytes and
// returns the row's id.
func insertEvent(ctx context.Context, ev, raw *sql.Stmt, args []any, rawBytes []byte) (int64, error) {
	res, err := ev.ExecContext(ctx, args...)
	if err != nil {
		return 0, err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	_, err = raw.ExecContext(ctx, id, rawBytes)
	return id, err
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func lookup(ctx context.Context, q queryer, ivorn string) (seen.Entry, bool, error) {
	var e seen.Entry
	var digest []byte
	var first int64
	err := q.QueryRowContext(ctx, `SELECT ivorn, sha256, first_seen, source FROM seen WHERE ivorn = ?`, ivorn).Scan(&e.IVORN, &digest, &first, &e.Source)
	if err == sql.ErrNoRows {
		return e, false, nil
	}
	if err != nil {
		return e, false, err
	}
	copy(e.Digest[:], digest)
	e.FirstSeen = time.UnixMilli(first)
	return e, true, nil
}
