package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// Profile is a saved remote broker: a destination to send to ("send"), an
// upstream to subscribe to ("subscribe", with optional XPath filters), or a
// Kafka topic to send to ("kafka": a saved Kafka source's cluster and
// credentials, and a topic; Host and Port are unused).
type Profile struct {
	ID      int64
	Name    string
	Host    string
	Port    int
	Kind    ProfileKind
	Filters []string
	// KafkaSource names the saved Kafka source whose cluster a "kafka" profile uses.
	KafkaSource string
	// Topic is the Kafka topic a "kafka" profile sends to.
	Topic string
}

// Address is where the profile sends: "host:port", or for a Kafka
// destination the outbox's "kafka:SOURCE/TOPIC" (KafkaDestination).
func (p Profile) Address() string {
	if p.Kind == ProfileKafka {
		return KafkaDestination(p.KafkaSource, p.Topic)
	}
	return net.JoinHostPort(p.Host, strconv.Itoa(p.Port))
}

// kafkaDestPrefix starts an outbox destination that is a Kafka topic.
const kafkaDestPrefix = "kafka:"

// KafkaDestination is the outbox destination of topic on the cluster of
// the saved Kafka source named source: "kafka:SOURCE/TOPIC" (a topic
// holds no "/", so the last one splits them).
func KafkaDestination(source, topic string) string {
	return kafkaDestPrefix + source + "/" + topic
}

// ParseKafkaDestination splits an outbox destination made by
// KafkaDestination; ok is false for any other destination, and err says
// what is wrong with a "kafka:" one that is not well made.
func ParseKafkaDestination(dest string) (source, topic string, ok bool, err error) {
	rest, ok := strings.CutPrefix(dest, kafkaDestPrefix)
	if !ok {
		return "", "", false, nil
	}
	i := strings.LastIndexByte(rest, '/')
	if i < 0 {
		return "", "", true, fmt.Errorf("%q: a Kafka destination is kafka:SOURCE/TOPIC", dest)
	}
	source, topic = rest[:i], rest[i+1:]
	if strings.TrimSpace(source) == "" {
		return "", "", true, fmt.Errorf("%q: no Kafka source named", dest)
	}
	if err := CheckTopic(topic); err != nil {
		return "", "", true, err
	}
	return source, topic, true, nil
}

// CheckTopic reports a name Kafka would not take as a topic's: empty,
// longer than 249 characters, "." or "..", or holding a character other
// than ASCII letters, digits, '.', '_' and '-'.
func CheckTopic(topic string) error {
	switch {
	case topic == "":
		return errors.New("no Kafka topic given")
	case len(topic) > 249:
		return fmt.Errorf("Kafka topic %.20q…: longer than 249 characters", topic)
	case topic == "." || topic == "..":
		return fmt.Errorf("%q is not a Kafka topic", topic)
	}
	for _, r := range topic {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return fmt.Errorf("Kafka topic %q: %q is not allowed (letters, digits, '.', '_' and '-' are)", topic, r)
		}
	}
	return nil
}

// ProfileKind says what a saved remote broker is for; it is stored as its text.
type ProfileKind string

// Profile kinds.
const (
	// ProfileSend is a destination to send events to.
	ProfileSend ProfileKind = "send"
	// ProfileSubscribe is an upstream broker to subscribe to.
	ProfileSubscribe ProfileKind = "subscribe"
	// ProfileKafka is a Kafka topic to send events to.
	ProfileKafka ProfileKind = "kafka"
	// AnyProfile asks ListProfiles for profiles of every kind.
	AnyProfile ProfileKind = ""
)

// Valid reports whether k is a kind a profile can have (send, subscribe or kafka).
func (k ProfileKind) Valid() bool {
	return k == ProfileSend || k == ProfileSubscribe || k == ProfileKafka
}

// errProfileKind words a kind that is not one.
func errProfileKind(k ProfileKind) error {
	return fmt.Errorf("profile kind must be %q, %q or %q, not %q", ProfileSend, ProfileSubscribe, ProfileKafka, string(k))
}

// SaveProfile inserts p, or updates the profile with the same name, and returns its id.
func (s *Store) SaveProfile(ctx context.Context, p Profile) (int64, error) {
	if !p.Kind.Valid() {
		return 0, errProfileKind(p.Kind)
	}
	if strings.TrimSpace(p.Name) == "" {
		return 0, errors.New("a profile needs a name")
	}
	if p.Kind == ProfileKafka {
		if strings.TrimSpace(p.KafkaSource) == "" {
			return 0, errors.New("a Kafka destination needs a saved Kafka source")
		}
		if err := CheckTopic(p.Topic); err != nil {
			return 0, err
		}
		p.Host, p.Port = "", 0
	} else {
		if strings.TrimSpace(p.Host) == "" || p.Port <= 0 || p.Port > 65535 {
			return 0, fmt.Errorf("a profile needs a name, a host and a port from 1 to 65535")
		}
		p.KafkaSource, p.Topic = "", ""
	}
	if p.Filters == nil {
		p.Filters = []string{}
	}
	filters, _ := json.Marshal(p.Filters)
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO profiles(name, host, port, kind, filters, created_at) VALUES(?,?,?,?,?,?)
		ON CONFLICT(name) DO UPDATE SET host = excluded.host, port = excluded.port, kind = excluded.kind, filters = excluded.filters
		RETURNING id`, p.Name, p.Host, p.Port, p.Kind, string(filters), time.Now().UnixMilli()).Scan(&id)
	if err != nil {
		return 0, err
	}
	if p.Kind == ProfileKafka {
		_, err = tx.ExecContext(ctx, `INSERT INTO profile_kafka(profile_id, source, topic) VALUES(?,?,?)
			ON CONFLICT(profile_id) DO UPDATE SET source = excluded.source, topic = excluded.topic`, id, p.KafkaSource, p.Topic)
	} else {
		_, err = tx.ExecContext(ctx, `DELETE FROM profile_kafka WHERE profile_id = ?`, id)
	}
	if err != nil {
		return 0, err
	}
	return id, tx.Commit()
}

// ListProfiles lists the profiles of a kind (AnyProfile for all), by name. A
// stored profile whose kind is not one (a newer Starling's, or a damaged
// row) is an error that names it.
func (s *Store) ListProfiles(ctx context.Context, kind ProfileKind) ([]Profile, error) {
	if kind != AnyProfile && !kind.Valid() {
		return nil, errProfileKind(kind)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT p.id, p.name, p.host, p.port, p.kind, p.filters, ifnull(k.source, ''), ifnull(k.topic, '')
		FROM profiles p LEFT JOIN profile_kafka k ON k.profile_id = p.id WHERE ? = '' OR p.kind = ? ORDER BY p.name`, kind, kind)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Profile
	for rows.Next() {
		var p Profile
		var filters string
		if err := rows.Scan(&p.ID, &p.Name, &p.Host, &p.Port, &p.Kind, &filters, &p.KafkaSource, &p.Topic); err != nil {
			return nil, err
		}
		if !p.Kind.Valid() {
			return nil, fmt.Errorf("profile %q: %w", p.Name, errProfileKind(p.Kind))
		}
		json.Unmarshal([]byte(filters), &p.Filters)
		out = append(out, p)
	}
	return out, rows.Err()
}

// ProfileByName finds a profile by name.
func (s *Store) ProfileByName(ctx context.Context, name string) (Profile, error) {
	ps, err := s.ListProfiles(ctx, AnyProfile)
	if err != nil {
		return Profile{}, err
	}
	for _, p := range ps {
		if p.Name == name {
			return p, nil
		}
	}
	return Profile{}, ErrNotFound
}

// DeleteProfile removes a profile.
func (s *Store) DeleteProfile(ctx context.Context, id int64) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM profile_kafka WHERE profile_id = ?`, id); err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx, `DELETE FROM profiles WHERE id = ?`, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}
