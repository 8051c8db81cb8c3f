package store

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// KafkaSource is a saved Kafka source of the desktop app. It holds no
// secret: passwords and client secrets are kept in files by the app.
type KafkaSource struct {
	ID        int64
	Name      string
	Preset    string
	Bootstrap []string
	TLS       bool
	Insecure  bool
	Auth      string
	User      string
	ClientID  string
	TokenURL  string
	Scope     string
	Topics    []string
	Group     string
	// From is where a new group starts, as kafka.ParseFrom reads it.
	From    string
	Paused  bool
	Created time.Time
}

// AddKafkaSource inserts a source and returns its id; names are unique.
func (s *Store) AddKafkaSource(ctx context.Context, k KafkaSource) (int64, error) {
	if strings.TrimSpace(k.Name) == "" || len(k.Bootstrap) == 0 || len(k.Topics) == 0 || k.Group == "" {
		return 0, errors.New("a Kafka source needs a name, bootstrap servers, topics and a group")
	}
	topics, _ := json.Marshal(k.Topics)
	var id int64
	err := s.db.QueryRowContext(ctx, `INSERT INTO kafka_sources(name, preset, bootstrap, tls, insecure, auth, username,
		client_id, token_url, scope, topics, group_id, start_from, paused, created_at) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id`,
		k.Name, k.Preset, strings.Join(k.Bootstrap, ","), k.TLS, k.Insecure, k.Auth, k.User, k.ClientID, k.TokenURL, k.Scope,
		string(topics), k.Group, k.From, k.Paused, time.Now().UnixMilli()).Scan(&id)
	if err != nil && strings.Contains(err.Error(), "UNIQUE") {
		return 0, errors.New("a Kafka source named " + k.Name + " exists already")
	}
	return id, err
}

// ListKafkaSources lists the saved sources, oldest first.
func (s *Store) ListKafkaSources(ctx context.Context) ([]KafkaSource, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, preset, bootstrap, tls, insecure, auth, username, client_id,
		token_url, scope, topics, group_id, start_from, paused, created_at FROM kafka_sources ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []KafkaSource
	for rows.Next() {
		var k KafkaSource
		var bootstrap, topics string
		var created int64
		if err := rows.Scan(&k.ID, &k.Name, &k.Preset, &bootstrap, &k.TLS, &k.Insecure, &k.Auth, &k.User, &k.ClientID,
			&k.TokenURL, &k.Scope, &topics, &k.Group, &k.From, &k.Paused, &created); err != nil {
			return nil, err
		}
		k.Bootstrap = strings.Split(bootstrap, ",")
		json.Unmarshal([]byte(topics), &k.Topics)
		k.Created = time.UnixMilli(created)
		out = append(out, k)
	}
	return out, rows.Err()
}

// SetKafkaSourcePaused records whether a source is paused.
func (s *Store) SetKafkaSourcePaused(ctx context.Context, id int64, paused bool) error {
	res, err := s.db.ExecContext(ctx, `UPDATE kafka_sources SET paused = ? WHERE id = ?`, paused, id)
	return oneRow(res, err)
}

// DeleteKafkaSource removes a source.
func (s *Store) DeleteKafkaSource(ctx context.Context, id int64) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM kafka_sources WHERE id = ?`, id)
	return oneRow(res, err)
}

func oneRow(res interface{ RowsAffected() (int64, error) }, err error) error {
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// UpdateKafkaSource rewrites a saved source (all but its id, group and
// creation time, which stay, so that its committed offsets still apply).
func (s *Store) UpdateKafkaSource(ctx context.Context, k KafkaSource) error {
	if strings.TrimSpace(k.Name) == "" || len(k.Bootstrap) == 0 || len(k.Topics) == 0 {
		return errors.New("a Kafka source needs a name, bootstrap servers and topics")
	}
	topics, _ := json.Marshal(k.Topics)
	res, err := s.db.ExecContext(ctx, `UPDATE kafka_sources SET name = ?, preset = ?, bootstrap = ?, tls = ?, insecure = ?,
		auth = ?, username = ?, client_id = ?, token_url = ?, scope = ?, topics = ?, start_from = ?, paused = ? WHERE id = ?`,
		k.Name, k.Preset, strings.Join(k.Bootstrap, ","), k.TLS, k.Insecure, k.Auth, k.User, k.ClientID, k.TokenURL, k.Scope,
		string(topics), k.From, k.Paused, k.ID)
	if err != nil && strings.Contains(err.Error(), "UNIQUE") {
		return errors.New("a Kafka source named " + k.Name + " exists already")
	}
	return oneRow(res, err)
}
