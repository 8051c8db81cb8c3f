package store

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// Profile is a saved remote broker: a destination to send to ("send") or an
// upstream to subscribe to ("subscribe", with optional XPath filters).
type Profile struct {
	ID      int64
	Name    string
	Host    string
	Port    int
	Kind    ProfileKind
	Filters []string
}

// Address is the profile's "host:port".
func (p Profile) Address() string { return net.JoinHostPort(p.Host, strconv.Itoa(p.Port)) }

// ProfileKind says what a saved remote broker is for; it is stored as its text.
type ProfileKind string

// Profile kinds.
const (
	// ProfileSend is a destination to send events to.
	ProfileSend ProfileKind = "send"
	// ProfileSubscribe is an upstream broker to subscribe to.
	ProfileSubscribe ProfileKind = "subscribe"
	// AnyProfile asks ListProfiles for profiles of every kind.
	AnyProfile ProfileKind = ""
)

// Valid reports whether k is a kind a profile can have (send or subscribe).
func (k ProfileKind) Valid() bool { return k == ProfileSend || k == ProfileSubscribe }

// errProfileKind words a kind that is not one.
func errProfileKind(k ProfileKind) error {
	return fmt.Errorf("profile kind must be %q or %q, not %q", ProfileSend, ProfileSubscribe, string(k))
}

// SaveProfile inserts p, or updates the profile with the same name, and returns its id.
func (s *Store) SaveProfile(ctx context.Context, p Profile) (int64, error) {
	if !p.Kind.Valid() {
		return 0, errProfileKind(p.Kind)
	}
	if strings.TrimSpace(p.Name) == "" || strings.TrimSpace(p.Host) == "" || p.Port <= 0 || p.Port > 65535 {
		return 0, fmt.Errorf("a profile needs a name, a host and a port from 1 to 65535")
	}
	if p.Filters == nil {
		p.Filters = []string{}
	}
	filters, _ := json.Marshal(p.Filters)
	var id int64
	err := s.db.QueryRowContext(ctx, `INSERT INTO profiles(name, host, port, kind, filters, created_at) VALUES(?,?,?,?,?,?)
		ON CONFLICT(name) DO UPDATE SET host = excluded.host, port = excluded.port, kind = excluded.kind, filters = excluded.filters
		RETURNING id`, p.Name, p.Host, p.Port, p.Kind, string(filters), time.Now().UnixMilli()).Scan(&id)
	return id, err
}

// ListProfiles lists the profiles of a kind (AnyProfile for all), by name. A
// stored profile whose kind is not one (a newer Starling's, or a damaged
// row) is an error that names it.
func (s *Store) ListProfiles(ctx context.Context, kind ProfileKind) ([]Profile, error) {
	if kind != AnyProfile && !kind.Valid() {
		return nil, errProfileKind(kind)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, host, port, kind, filters FROM profiles WHERE ? = '' OR kind = ? ORDER BY name`, kind, kind)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Profile
	for rows.Next() {
		var p Profile
		var filters string
		if err := rows.Scan(&p.ID, &p.Name, &p.Host, &p.Port, &p.Kind, &filters); err != nil {
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
	res, err := s.db.ExecContext(ctx, `DELETE FROM profiles WHERE id = ?`, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}
