package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// migrations are applied in order; PRAGMA user_version counts those done.
// Never edit a released step: add a new one.
var migrations = []string{
	// 1: the seen-list, the archive, the outbox, settings and profiles.
	`CREATE TABLE seen (
		ivorn      TEXT PRIMARY KEY,
		sha256     BLOB NOT NULL,
		first_seen INTEGER NOT NULL,
		source     TEXT NOT NULL DEFAULT ''
	) WITHOUT ROWID;
	CREATE INDEX seen_first_seen ON seen(first_seen);
	CREATE TABLE events (
		id           INTEGER PRIMARY KEY,
		ivorn        TEXT NOT NULL,
		role         TEXT NOT NULL,
		author       TEXT NOT NULL DEFAULT '',
		event_date   TEXT NOT NULL DEFAULT '',
		received_at  INTEGER NOT NULL,
		source       TEXT NOT NULL DEFAULT '',
		ra           REAL,
		dec          REAL,
		err          REAL,
		params_count INTEGER NOT NULL DEFAULT 0,
		description  TEXT NOT NULL DEFAULT ''
	);
	-- The raw bytes live apart, so that scans of the summaries stay small.
	CREATE TABLE event_raw (
		id  INTEGER PRIMARY KEY REFERENCES events(id) ON DELETE CASCADE,
		raw BLOB NOT NULL
	);
	CREATE INDEX events_ivorn ON events(ivorn);
	CREATE INDEX events_role ON events(role, id);
	CREATE INDEX events_received ON events(received_at, id);
	CREATE TABLE outbox (
		id              INTEGER PRIMARY KEY,
		destination     TEXT NOT NULL,
		ivorn           TEXT NOT NULL,
		raw             BLOB NOT NULL,
		state           TEXT NOT NULL,
		attempts        INTEGER NOT NULL DEFAULT 0,
		next_attempt_at INTEGER NOT NULL,
		last_error      TEXT NOT NULL DEFAULT '',
		created_at      INTEGER NOT NULL,
		sent_at         INTEGER
	);
	CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
	CREATE INDEX outbox_destination ON outbox(destination, id);
	CREATE INDEX outbox_queued ON outbox(destination, id) WHERE state = 'queued';
	CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
	CREATE TABLE profiles (
		id         INTEGER PRIMARY KEY,
		name       TEXT NOT NULL UNIQUE,
		host       TEXT NOT NULL,
		port       INTEGER NOT NULL,
		kind       TEXT NOT NULL,
		filters    TEXT NOT NULL DEFAULT '[]',
		created_at INTEGER NOT NULL
	);`,
	// 2: the format of each archived alert and, for those read from Kafka,
	// where they were read.
	`ALTER TABLE events ADD COLUMN format TEXT NOT NULL DEFAULT 'voevent';
	ALTER TABLE events ADD COLUMN topic TEXT NOT NULL DEFAULT '';
	ALTER TABLE events ADD COLUMN kafka_partition INTEGER;
	ALTER TABLE events ADD COLUMN kafka_offset INTEGER;
	ALTER TABLE events ADD COLUMN kafka_time INTEGER;
	CREATE INDEX events_topic ON events(topic, id);`,
	// 3: the one event model's summary (design §8) of each archived alert,
	// and a full-text index over the text of both formats. Rows archived
	// before keep summary_version 0 until backfill re-summarises them from
	// their raw bytes. err holds the error radius in degrees; skymap holds
	// the sky map summary as JSON (alert.SkymapSummary), NULL for none.
	`ALTER TABLE events ADD COLUMN event_time INTEGER;
	ALTER TABLE events ADD COLUMN "trigger" TEXT NOT NULL DEFAULT '';
	ALTER TABLE events ADD COLUMN alert_type TEXT NOT NULL DEFAULT '';
	ALTER TABLE events ADD COLUMN mission TEXT NOT NULL DEFAULT '';
	ALTER TABLE events ADD COLUMN retraction INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE events ADD COLUMN test INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE events ADD COLUMN far REAL;
	ALTER TABLE events ADD COLUMN significance TEXT NOT NULL DEFAULT '';
	ALTER TABLE events ADD COLUMN note TEXT NOT NULL DEFAULT '';
	ALTER TABLE events ADD COLUMN skymap TEXT;
	ALTER TABLE events ADD COLUMN summary_version INTEGER NOT NULL DEFAULT 0;
	-- Partial: alerts without a trigger or an event time (most VTP test
	-- traffic) cost the writer no index insert.
	CREATE INDEX events_trigger ON events("trigger", id) WHERE "trigger" != '';
	CREATE INDEX events_event_time ON events(event_time) WHERE event_time IS NOT NULL;
	-- Contentless: the text is kept only as the index; rowid is events.id.
	CREATE VIRTUAL TABLE events_fts USING fts5(text, content='', contentless_delete=1);`,
	// 4: the desktop app's saved Kafka sources. Their secrets (password,
	// client secret) live in files of the data directory, never here.
	`CREATE TABLE kafka_sources (
		id         INTEGER PRIMARY KEY,
		name       TEXT NOT NULL UNIQUE,
		preset     TEXT NOT NULL DEFAULT '',
		bootstrap  TEXT NOT NULL,
		tls        INTEGER NOT NULL DEFAULT 1,
		insecure   INTEGER NOT NULL DEFAULT 0,
		auth       TEXT NOT NULL DEFAULT 'none',
		username   TEXT NOT NULL DEFAULT '',
		client_id  TEXT NOT NULL DEFAULT '',
		token_url  TEXT NOT NULL DEFAULT '',
		scope      TEXT NOT NULL DEFAULT '',
		topics     TEXT NOT NULL DEFAULT '[]',
		group_id   TEXT NOT NULL,
		start_from TEXT NOT NULL DEFAULT 'latest',
		paused     INTEGER NOT NULL DEFAULT 0,
		created_at INTEGER NOT NULL
	);`,
	// 5: the alert monitor's sort orders, each read by keyset without a
	// sort step (the expressions match store.sortExpr), and its default
	// view without tests: counted from an index (41 ms for a million
	// alerts, not 275), by type too, and sorted by type. events_sky serves
	// the cone's bounding box (and covers its exact check);
	// events_summary_version lets Open's back-fill check skip its full
	// scan (about 235 ms for a million alerts).
	`CREATE INDEX events_by_event_time ON events(ifnull(event_time, 0), id);
	CREATE INDEX events_by_type ON events(alert_type, id);
	CREATE INDEX events_by_trigger ON events("trigger", id);
	CREATE INDEX events_test ON events(test, alert_type);
	CREATE INDEX events_sky ON events(dec, ra, test) WHERE dec IS NOT NULL;
	CREATE INDEX events_summary_version ON events(summary_version);`,
	// 6: the alert monitor's slow counts. events_source serves the source
	// filter (eventsource.go): a loose scan of the distinct (source, topic)
	// pairs, then a count of the matching pairs' entries, with the test
	// flag. It replaces events_topic, which no query used. events_id_test
	// gives a search's count each hit's test flag without reading its row.
	`CREATE INDEX events_source ON events(source, topic, test);
	DROP INDEX events_topic;
	CREATE INDEX events_id_test ON events(id, test);`,
	// 7: a sky map without a distance has distmean and diststd null in the
	// skymap summary, not 0 (which rows written before said): no map gives
	// a distance of exactly 0 ± 0 Mpc.
	`UPDATE events SET skymap = json_set(skymap, '$.distmean', NULL, '$.diststd', NULL)
	WHERE skymap IS NOT NULL AND json_extract(skymap, '$.distmean') = 0 AND json_extract(skymap, '$.diststd') = 0;`,
	// 8: the broadcaster's subscribers: the archive id each was last sent
	// (and acknowledged), so that one that comes back within the grace
	// period is replayed what it missed. key is "ivo:IVO" or "ip:ADDRESS";
	// filter is the JSON list of its XPath filters, for the record.
	`CREATE TABLE IF NOT EXISTS subscribers (
		key           TEXT PRIMARY KEY,
		last_event_id INTEGER NOT NULL,
		last_seen     INTEGER NOT NULL,
		filter        TEXT NOT NULL DEFAULT '[]'
	) WITHOUT ROWID;`,
	// 9: each JSON alert's sky map in its compact form (skymap.Map.Compact:
	// the multi-order columns UNIQ, PROBDENSITY and, when present, DISTMU,
	// DISTSIGMA, DISTNORM, little-endian), written with the alert, so that
	// drawing it never decodes FITS again. Alerts archived before get theirs
	// from backfillSkymaps at Open; events_with_skymap (only the alerts
	// with a sky map summary) finds them without a scan of the archive.
	`CREATE TABLE IF NOT EXISTS event_skymap (
		id  INTEGER PRIMARY KEY REFERENCES events(id) ON DELETE CASCADE,
		map BLOB NOT NULL
	);
	CREATE INDEX IF NOT EXISTS events_with_skymap ON events(id) WHERE skymap IS NOT NULL;`,
	// 10: each trigger's state across its alerts (design §10), written in
	// the transaction that archives each alert (triggers.go) and built for
	// the alerts archived before (rebuildTriggers); state holds the whole
	// alert.State as JSON, the other columns what queries select by or a
	// person reading the table wants. notified is what the notifier last
	// said of the trigger ('', 'live', 'retracted'). events_alerts lists
	// the archive without heartbeats (alert.HeartbeatType, about one a
	// second from gcn.heartbeat) in id order without reading past them, and
	// counts them, tests or not, from the index alone;
	// events_id_test and events_source gain the alert type, so that a
	// search's or a source's count leaves them out without reading rows
	// either.
	`CREATE TABLE IF NOT EXISTS triggers (
		"trigger"      TEXT PRIMARY KEY,
		mission        TEXT NOT NULL DEFAULT '',
		first_received INTEGER NOT NULL,
		last_received  INTEGER NOT NULL,
		alerts         TEXT NOT NULL DEFAULT '[]',
		retracted      INTEGER NOT NULL DEFAULT 0,
		test           INTEGER NOT NULL DEFAULT 0,
		latest_id      INTEGER NOT NULL,
		far            REAL,
		distmean       REAL,
		diststd        REAL,
		area90         REAL,
		ra             REAL,
		dec            REAL,
		err            REAL,
		gw             TEXT,
		state          TEXT NOT NULL,
		notified       TEXT NOT NULL DEFAULT ''
	) WITHOUT ROWID;
	CREATE INDEX IF NOT EXISTS triggers_last_received ON triggers(last_received);
	CREATE INDEX IF NOT EXISTS events_alerts ON events(id, test) WHERE alert_type != 'Heartbeat';
	DROP INDEX IF EXISTS events_id_test;
	CREATE INDEX events_id_test ON events(id, test, alert_type);
	DROP INDEX IF EXISTS events_source;
	CREATE INDEX events_source ON events(source, topic, test, alert_type);`,
	// 11: what the voeventdb API (vdbquery.go) selects by. vdb_coords holds
	// each VOEvent's position as voeventdb loads it (vdbCoord) and, a copy, its time authored, so
	// that a cone and a time window are one index's range; refs each
	// VOEvent's Citations/EventIVORN (written in the transaction that
	// archives it; for the alerts archived before, by backfillRefs, which
	// follows the key refsBackfillKey: the id below which rows still wait).
	// The stream and the time authored are expressions (streamExpr,
	// authoredExpr in vdbquery.go) with indexes, so that no row needs
	// rewriting.
	`CREATE TABLE IF NOT EXISTS refs (
		event_id  INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
		ivorn     TEXT NOT NULL,
		cite_type TEXT NOT NULL DEFAULT ''
	);
	CREATE INDEX IF NOT EXISTS refs_ivorn ON refs(ivorn, event_id);
	CREATE INDEX IF NOT EXISTS refs_event ON refs(event_id);
	CREATE TABLE IF NOT EXISTS vdb_coords (
		event_id INTEGER PRIMARY KEY REFERENCES events(id) ON DELETE CASCADE,
		ra       REAL NOT NULL,
		dec      REAL NOT NULL,
		err      REAL,
		authored INTEGER
	);
	CREATE INDEX IF NOT EXISTS vdb_coords_sky ON vdb_coords(dec, ra, authored);
	CREATE INDEX IF NOT EXISTS events_authored ON events(` + authoredExpr + `, id);
	CREATE INDEX IF NOT EXISTS events_stream ON events(` + streamExpr + `, role);
	INSERT INTO settings(key, value) SELECT 'refs_backfill_below', ifnull(max(id), 0) + 1 FROM events WHERE true
		ON CONFLICT(key) DO NOTHING;`,
	// 12: the Circular drafts, one per trigger key (circulardrafts.go); draft
	// holds the circular.Draft as JSON, updated when it was last saved (Unix ms).
	// Not tied to triggers: a trigger's row is rebuilt, its draft stays.
	`CREATE TABLE IF NOT EXISTS circular_drafts (
		"trigger" TEXT PRIMARY KEY,
		draft     TEXT NOT NULL,
		updated   INTEGER NOT NULL
	) WITHOUT ROWID;`,
	// 13: the Kafka publish queue (a transactional outbox): each event to be
	// published to a topic gets a row in the transaction that archives it,
	// before the ack, and the publisher marks it done once the cluster has
	// acknowledged it. record_id is the Hopskotch _id header (16 bytes, a
	// UUID derived from the event), the same on every attempt, so that
	// readers can drop a duplicate (an event is queued once per topic: only
	// a new one is). state is 'queued', 'done' or 'refused'
	// (a record the cluster can never take, such as one too large).
	// event_id is the archive row (events.id, never deleted; starling
	// doctor drops the rows whose archive row it could not recover).
	`CREATE TABLE IF NOT EXISTS publish_queue (
		id         INTEGER PRIMARY KEY,
		event_id   INTEGER NOT NULL,
		topic      TEXT NOT NULL,
		record_id  BLOB NOT NULL,
		state      TEXT NOT NULL DEFAULT 'queued',
		attempts   INTEGER NOT NULL DEFAULT 0,
		next_at    INTEGER NOT NULL,
		last_error TEXT NOT NULL DEFAULT '',
		created_at INTEGER NOT NULL,
		done_at    INTEGER
	);
	CREATE INDEX IF NOT EXISTS publish_queue_waiting ON publish_queue(topic, id) WHERE state = 'queued';
	CREATE INDEX IF NOT EXISTS publish_queue_refused ON publish_queue(topic) WHERE state = 'refused';
	CREATE INDEX IF NOT EXISTS publish_queue_done ON publish_queue(done_at) WHERE done_at IS NOT NULL;`,
	// 14: the notification channels' deliveries (app/channels.go): one row
	// per (channel, notification), written with the dispatcher's cursor in
	// one transaction, sent by the delivery worker. key is the message's
	// idempotency key (the Matrix txn id, the webhook's event id); updates
	// counts the alerts of one trigger collapsed into a row; state is
	// pending, sent or failed.
	`CREATE TABLE IF NOT EXISTS channel_deliveries (
		id              INTEGER PRIMARY KEY,
		channel         TEXT NOT NULL,
		key             TEXT NOT NULL UNIQUE,
		"trigger"       TEXT NOT NULL DEFAULT '',
		retraction      INTEGER NOT NULL DEFAULT 0,
		event_id        INTEGER NOT NULL,
		rule            TEXT NOT NULL DEFAULT '',
		title           TEXT NOT NULL,
		body            TEXT NOT NULL,
		message         TEXT NOT NULL,
		updates         INTEGER NOT NULL DEFAULT 1,
		state           TEXT NOT NULL,
		attempts        INTEGER NOT NULL DEFAULT 0,
		next_attempt_at INTEGER NOT NULL,
		last_error      TEXT NOT NULL DEFAULT '',
		created_at      INTEGER NOT NULL,
		sent_at         INTEGER
	);
	CREATE INDEX IF NOT EXISTS channel_deliveries_due ON channel_deliveries(state, next_attempt_at);
	CREATE INDEX IF NOT EXISTS channel_deliveries_channel ON channel_deliveries(channel, state, id);
	CREATE INDEX IF NOT EXISTS channel_deliveries_trigger ON channel_deliveries(channel, "trigger", id) WHERE "trigger" != '';`,
	// 15: a destination can be a Kafka topic (profiles of kind 'kafka',
	// whose host and port stay '' and 0): profile_kafka holds, for each,
	// the saved Kafka source whose cluster and credentials it uses (by
	// name, as its outbox entries' destination names it) and the topic.
	`CREATE TABLE IF NOT EXISTS profile_kafka (
		profile_id INTEGER PRIMARY KEY REFERENCES profiles(id) ON DELETE CASCADE,
		source     TEXT NOT NULL,
		topic      TEXT NOT NULL
	);`,
}

// SchemaVersion is the schema version this code writes.
var SchemaVersion = len(migrations)

// ErrOutdated reports a database opened ReadOnly whose schema needs an upgrade.
var ErrOutdated = errors.New("the database's schema needs an upgrade")

func (s *Store) migrate(ctx context.Context) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	var v int
	if err := conn.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return err
	}
	if v > len(migrations) {
		return fmt.Errorf("the database has schema version %d, newer than this Starling knows (%d): use a newer Starling", v, len(migrations))
	}
	if s.readOnly {
		if v < len(migrations) {
			return ErrOutdated
		}
		return nil
	}
	// A step that builds indexes over a large archive takes seconds (about
	// 3 s for migration 6 at a million alerts): say so, and when it is done.
	start := time.Now()
	if v > 0 && v < len(migrations) {
		s.log.Info("Upgrading the database's schema; building indexes over a large archive takes a few seconds", "from", v, "to", len(migrations))
	}
	for i := v; i < len(migrations); i++ {
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %d: %w", i+1, err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", i+1)); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
		if v > 0 {
			s.log.Info("Database schema upgraded", "version", i+1, "seconds", time.Since(start).Round(time.Millisecond).Seconds())
		}
	}
	if s.noBackfill {
		return nil
	}
	if err := s.backfill(ctx, conn); err != nil {
		return fmt.Errorf("summarising archived events: %w", err)
	}
	if err := s.backfillSkymaps(ctx, conn); err != nil {
		return fmt.Errorf("storing archived sky maps: %w", err)
	}
	if err := s.rebuildTriggers(ctx, conn, false); err != nil {
		return fmt.Errorf("building trigger states: %w", err)
	}
	return s.catchUpIndex(ctx, conn)
}

// Version returns the schema version of the open database.
func (s *Store) Version(ctx context.Context) (int, error) {
	var v int
	err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v)
	return v, err
}
