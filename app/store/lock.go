package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ErrLocked reports a data directory in use by another process.
var ErrLocked = errors.New("data directory is in use by another Starling process")

// lockDir takes an exclusive lock on dir/starling.lock and writes our pid in it.
func lockDir(dir string) (*os.File, error) {
	path := filepath.Join(dir, "starling.lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("cannot open lock file %s: %w", path, err)
	}
	if err := lockFile(f); err != nil {
		pid, _ := os.ReadFile(path)
		f.Close()
		if errors.Is(err, errWouldBlock) {
			who := ""
			if p := strings.TrimSpace(string(pid)); p != "" {
				who = " (pid " + p + ")"
			}
			return nil, fmt.Errorf("%w: %s%s; stop it or choose another --data-dir", ErrLocked, dir, who)
		}
		return nil, fmt.Errorf("cannot lock %s: %w", path, err)
	}
	f.Truncate(0)
	f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return f, nil
}

func (s *Store) unlock() {
	if s.lock != nil {
		unlockFile(s.lock)
		s.lock.Close()
		s.lock = nil
	}
}

// Locked reports, as an ErrLocked error naming the process, whether another
// process holds dir's lock; nil when none does.
func Locked(dir string) error {
	f, err := lockDir(dir)
	if err != nil {
		return err
	}
	(&Store{lock: f}).unlock()
	return nil
}
