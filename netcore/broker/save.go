package broker

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/starling-broker/starling/netcore/voevent"
)

// filenamePad is appended to a file name until it is free, as Comet's FILENAME_PAD.
const filenamePad = "_"

// SaveHandler writes each event to a file in a directory, named from its
// IVORN as Comet's save-event plugin names it; the raw bytes are written
// unchanged, through a temporary file and a rename, and an existing file is
// never overwritten: the name gets "_" appended until it is free.
type SaveHandler struct {
	dir string
	log *slog.Logger
	mu  sync.Mutex
	q   serialQueue
}

// NewSaveHandler returns the handler behind --save-event; dir is
// --save-event-directory ("" means the working directory) and is created if missing.
func NewSaveHandler(dir string, log *slog.Logger) *SaveHandler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("component", "save-event")
	return &SaveHandler{dir: dir, log: log, q: serialQueue{name: "save-event", log: log}}
}

// HandleEvent queues ev to be saved by a background goroutine; a failure is logged.
func (h *SaveHandler) HandleEvent(ev *voevent.Event, source string) {
	if ev == nil {
		return
	}
	ivorn, raw := ev.IVORN, ev.Raw
	h.q.push(func() {
		if _, err := h.Save(ivorn, raw); err != nil {
			h.log.Warn("could not save event", "ivorn", ivorn, "err", err)
		}
	}, ivorn)
}

// Close waits until the queued events are saved, or ctx ends.
func (h *SaveHandler) Close(ctx context.Context) error { return h.q.wait(ctx) }

// Save writes raw under the name made from ivorn and returns the file's path.
func (h *SaveHandler) Save(ivorn string, raw []byte) (string, error) {
	dir := h.dir
	if dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return "", err
		}
		dir = wd
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(dir, ".starling-save-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	_, err = tmp.Write(raw)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err != nil {
		return "", err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	name := filepath.Join(dir, FileNameFor(ivorn))
	for {
		if _, err := os.Lstat(name); os.IsNotExist(err) {
			break
		} else if err != nil {
			return "", err
		}
		name += filenamePad
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		return "", err
	}
	h.log.Debug(fmt.Sprintf("Writing to %s", name))
	return name, nil
}

// FileNameFor makes a file name from an IVORN exactly as Comet's
// string_to_filename does: a leading "." is dropped, "/" and "\" become "_",
// and every character but ASCII letters, digits, "_" and "." is removed.
// An empty result is "_" (Comet then writes to "DIR/" + "_"). Such names
// never hold ":", "?" or any other character Windows forbids; on Windows a
// name that Windows would change or take for a device (a trailing ".", as in
// "ivo://a/b#x.", or CON, NUL, COM1, ...) gets "_" added too: see windowsSafe.
func FileNameFor(ivorn string) string {
	name := cometFileName(ivorn)
	if runtime.GOOS == "windows" {
		name = windowsSafe(name)
	}
	return name
}

// windowsReserved are the device names that Windows reserves in every
// folder, with or without an extension.
var windowsReserved = map[string]bool{
	"CON": true, "PRN": true, "AUX": true, "NUL": true,
	"COM1": true, "COM2": true, "COM3": true, "COM4": true, "COM5": true, "COM6": true, "COM7": true, "COM8": true, "COM9": true,
	"LPT1": true, "LPT2": true, "LPT3": true, "LPT4": true, "LPT5": true, "LPT6": true, "LPT7": true, "LPT8": true, "LPT9": true,
}

// windowsSafe adjusts a name made by cometFileName for Windows: Windows
// drops a trailing "." (so "x." would be saved as "x"), and opens a device
// for CON, NUL, ... (also "nul.xml"); both get "_" prepended or appended.
func windowsSafe(name string) string {
	if base, _, _ := strings.Cut(name, "."); windowsReserved[strings.ToUpper(base)] {
		name = filenamePad + name
	}
	if strings.HasSuffix(name, ".") {
		name += filenamePad
	}
	return name
}

// cometFileName is Comet's string_to_filename.
func cometFileName(ivorn string) string {
	ivorn = strings.TrimPrefix(ivorn, ".")
	var b strings.Builder
	for _, r := range ivorn {
		switch {
		case r == '/' || r == '\\':
			b.WriteByte('_')
		case r >= '0' && r <= '9', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r == '_', r == '.':
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return filenamePad
	}
	return b.String()
}
