package store

import (
	"context"
	"database/sql"
)

// GetSetting returns a setting's value and whether it is set.
func (s *Store) GetSetting(ctx context.Context, key string) (_ string, _ bool, err error) {
	defer s.note(&err)
	var v string
	err = s.db.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if err == sql.ErrNoRows {
		return "", false, nil
	}
	return v, err == nil, err
}

// SetSetting stores a setting.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO settings(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}
