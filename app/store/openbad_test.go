package store

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOpenTruncatedOrBadHeader: a file cut short, or whose header is
// damaged, is refused on open (or found damaged by the check) with an
// error that says so and names starling doctor.
func TestOpenTruncatedOrBadHeader(t *testing.T) {
	for _, c := range []struct {
		name string
		harm func(path string)
	}{
		{"truncated", func(path string) {
			fi, _ := os.Stat(path)
			os.Truncate(path, fi.Size()/2)
		}},
		{"header", func(path string) {
			f, _ := os.OpenFile(path, os.O_RDWR, 0)
			f.WriteAt([]byte("this is not SQLite"), 0)
			f.Close()
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeArchive(t, dir, 500)
			c.harm(filepath.Join(dir, FileName))
			s, err := Open(context.Background(), dir, Options{Exclusive: true})
			if err != nil {
				if !strings.Contains(err.Error(), "starling doctor") {
					t.Fatalf("open: %v", err)
				}
				t.Logf("open: %v", err)
				return
			}
			defer s.Close()
			if h := s.Health(); h.State != HealthDamaged {
				t.Fatalf("opened, health %+v", h)
			}
			t.Logf("opened, found damaged: %s", s.Health().Detail)
		})
	}
}
