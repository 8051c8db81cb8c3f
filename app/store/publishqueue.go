package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"slices"
	"time"

	"github.com/starling-broker/starling/netcore/seen"
)

// The states of a publish-queue row.
const (
	PublishQueued  State = "queued"
	PublishDone    State = "done"
	PublishRefused State = "refused"
)

const insertPublishSQL = `INSERT INTO publish_queue(event_id, topic, record_id, state, attempts, next_at, created_at)
	VALUES(?,?,?,'queued',0,?,?)`

// PublishRecordID is the Hopskotch _id of archive row eventID, of IVORN
// ivorn, published to topic: a UUID (version 8, RFC 9562) made of the
// SHA-256 of the three, so that every attempt, before or after a restart,
// carries the same one.
func PublishRecordID(eventID int64, ivorn, topic string) [16]byte {
	return RecordID("publish", eventID, ivorn, topic)
}

// RecordID is the Hopskotch _id of row row of a queue (ns: "publish" for
// the publish queue, "outbox" for the outbox), of IVORN ivorn, sent to
// topic: a UUID (version 8, RFC 9562) made of the SHA-256 of the four, the
// same on every attempt, before or after a restart.
func RecordID(ns string, row int64, ivorn, topic string) [16]byte {
	h := sha256.New()
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(row))
	h.Write([]byte("starling " + ns + "\x00"))
	h.Write(n[:])
	h.Write([]byte(ivorn + "\x00" + topic))
	var id [16]byte
	copy(id[:], h.Sum(nil))
	id[6] = id[6]&0x0f | 0x80 // version 8
	id[8] = id[8]&0x3f | 0x80 // the RFC 9562 variant
	return id
}

// queuePublish adds the row that publishes archive row id (rec) to topic.
func queuePublish(ctx context.Context, ins *sql.Stmt, id int64, rec seen.Record, topic string) error {
	rid := PublishRecordID(id, rec.IVORN, topic)
	now := rec.Received.UnixMilli()
	_, err := ins.ExecContext(ctx, id, topic, rid[:], now, now)
	return err
}

func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// WatchPublish registers f to hear, after each commit that queued events to
// be published, each topic they were queued for; f must not block.
func (s *Store) WatchPublish(f func(topic string)) (cancel func()) { return s.publishWatch.Add(f) }

// PublishEntry is one queued event to publish, with what the record needs.
type PublishEntry struct {
	ID       int64
	EventID  int64
	Topic    string
	RecordID [16]byte
	IVORN    string
	// Test is set for an event whose role is test (the _test header).
	Test      bool
	Raw       []byte
	Attempts  int
	NextAt    time.Time
	LastError string
}

// PublishWaiting returns up to limit queued rows for topic, oldest first,
// due or not (the caller waits for the first's NextAt: a topic's events
// go in order).
func (s *Store) PublishWaiting(ctx context.Context, topic string, limit int) (_ []PublishEntry, err error) {
	defer s.note(&err)
	rows, err := s.db.QueryContext(ctx, `SELECT q.id, q.event_id, q.topic, q.record_id, e.ivorn, e.role, r.raw, q.attempts, q.next_at, q.last_error
		FROM publish_queue q JOIN events e ON e.id = q.event_id JOIN event_raw r ON r.id = q.event_id
		WHERE q.topic = ? AND q.state = 'queued' ORDER BY q.id LIMIT ?`, topic, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PublishEntry
	for rows.Next() {
		var e PublishEntry
		var rid []byte
		var role string
		var next int64
		if err := rows.Scan(&e.ID, &e.EventID, &e.Topic, &rid, &e.IVORN, &role, &e.Raw, &e.Attempts, &next, &e.LastError); err != nil {
			return nil, err
		}
		copy(e.RecordID[:], rid)
		e.Test = role == "test"
		e.NextAt = time.UnixMilli(next)
		out = append(out, e)
	}
	return out, rows.Err()
}

// PublishCount counts the rows queued for topic.
func (s *Store) PublishCount(ctx context.Context, topic string) (n int, err error) {
	defer s.note(&err)
	err = s.db.QueryRowContext(ctx, `SELECT count(*) FROM publish_queue WHERE topic = ? AND state = 'queued'`, topic).Scan(&n)
	return n, err
}

// PublishDone marks rows published: the cluster has acknowledged them.
func (s *Store) PublishDone(ctx context.Context, ids []int64, at time.Time) (err error) {
	return s.publishUpdate(ctx, ids, `UPDATE publish_queue SET state = 'done', done_at = ?, last_error = '' WHERE id = ? AND state = 'queued'`, at.UnixMilli())
}

// PublishRefuse marks rows the cluster can never take, with the reason:
// they are not tried again.
func (s *Store) PublishRefuse(ctx context.Context, ids []int64, reason string, at time.Time) (err error) {
	return s.publishUpdate(ctx, ids, `UPDATE publish_queue SET state = 'refused', done_at = ?, last_error = ? WHERE id = ? AND state = 'queued'`, at.UnixMilli(), reason)
}

// PublishRetry records a failed attempt on rows: their attempts grow by
// one, and they wait until next.
func (s *Store) PublishRetry(ctx context.Context, ids []int64, reason string, next time.Time) (err error) {
	return s.publishUpdate(ctx, ids, `UPDATE publish_queue SET attempts = attempts + 1, next_at = ?, last_error = ? WHERE id = ? AND state = 'queued'`, next.UnixMilli(), reason)
}

// publishUpdate runs query for each id (its last argument) in one transaction.
func (s *Store) publishUpdate(ctx context.Context, ids []int64, query string, args ...any) (err error) {
	if len(ids) == 0 {
		return nil
	}
	defer s.note(&err)
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	st, err := tx.PrepareContext(ctx, query)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, id := range ids {
		if _, err := st.ExecContext(ctx, append(args, id)...); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// PublishBacklog is what waits to be published to one topic.
type PublishBacklog struct {
	Topic string
	// Waiting counts the queued rows; Oldest is the first's time queued.
	Waiting int
	Oldest  time.Time
	// Attempts and LastError are the first row's failed attempts and the
	// reason of the last.
	Attempts  int
	LastError string
	// Refused counts the rows the cluster could never take.
	Refused int
}

// PublishBacklogs lists, per topic, what waits to be published (or was
// refused), topics in order.
func (s *Store) PublishBacklogs(ctx context.Context) (_ []PublishBacklog, err error) {
	defer s.note(&err)
	byTopic := map[string]*PublishBacklog{}
	var topics []string
	get := func(topic string) *PublishBacklog {
		b := byTopic[topic]
		if b == nil {
			b = &PublishBacklog{Topic: topic}
			byTopic[topic] = b
			topics = append(topics, topic)
		}
		return b
	}
	firsts := map[string]int64{}
	for _, q := range []struct {
		sql    string
		queued bool
	}{
		{`SELECT topic, count(*), min(id) FROM publish_queue WHERE state = 'queued' GROUP BY topic`, true},
		{`SELECT topic, count(*), 0 FROM publish_queue WHERE state = 'refused' GROUP BY topic`, false},
	} {
		rows, err := s.db.QueryContext(ctx, q.sql)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var topic string
			var n int
			var first int64
			if err := rows.Scan(&topic, &n, &first); err != nil {
				rows.Close()
				return nil, err
			}
			if q.queued {
				get(topic).Waiting = n
				firsts[topic] = first
			} else {
				get(topic).Refused = n
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	slices.Sort(topics)
	out := make([]PublishBacklog, 0, len(topics))
	for _, topic := range topics {
		b := byTopic[topic]
		if first, ok := firsts[topic]; ok {
			var created int64
			if err := s.db.QueryRowContext(ctx, `SELECT created_at, attempts, last_error FROM publish_queue WHERE id = ?`, first).
				Scan(&created, &b.Attempts, &b.LastError); err != nil {
				return nil, err
			}
			b.Oldest = time.UnixMilli(created)
		}
		out = append(out, *b)
	}
	return out, nil
}

// PrunePublished removes the rows published (or refused) before t.
func (s *Store) PrunePublished(ctx context.Context, before time.Time) (_ int64, err error) {
	defer s.note(&err)
	res, err := s.db.ExecContext(ctx, `DELETE FROM publish_queue WHERE done_at IS NOT NULL AND done_at < ?`, before.UnixMilli())
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
