package app

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// A second launch of the window over the same data directory hands its
// files to the window already running there, through a Unix socket in the
// data directory that only its user can open. The wire carries one JSON
// object, {"open": ["/absolute/path", …]}, and the answer "ok" or
// "refused: reason", each on a line; nothing else is taken.

// HandoffFile is the running window's socket, in the data directory.
const HandoffFile = "starling.window"

// Limits of a handoff: what is beyond them is refused whole.
const (
	maxHandoffBytes = 256 << 10
	maxHandoffPaths = 1000
	maxPathBytes    = 4096
	handoffTimeout  = 5 * time.Second
)

// handoffMessage is what a second launch sends.
type handoffMessage struct {
	Open *[]string `json:"open"`
}

// Handoff is the running window's end: it takes the files of second
// launches until Close.
type Handoff struct {
	l    net.Listener
	path string
	open func(paths []string)
	once sync.Once
	done chan struct{}
}

// ListenHandoff listens for second launches over dataDir, which the caller
// holds (Open has succeeded on it): a socket left by a window that ended
// without closing it is replaced. open is told each launch's files (none
// for a launch without files), from the listener's goroutine.
func ListenHandoff(dataDir string, open func(paths []string)) (*Handoff, error) {
	path := filepath.Join(dataDir, HandoffFile)
	if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
		c.Close()
		return nil, fmt.Errorf("another Starling window listens on %s", path)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("removing the stale %s: %w", path, err)
	}
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("listening for second launches: %w", err)
	}
	// Windows has no such modes: the user's data directory is his own.
	if err := os.Chmod(path, 0o600); err != nil && runtime.GOOS != "windows" {
		l.Close()
		return nil, fmt.Errorf("listening for second launches: %w", err)
	}
	h := &Handoff{l: l, path: path, open: open, done: make(chan struct{})}
	go h.serve()
	return h, nil
}

// Path is the socket's path.
func (h *Handoff) Path() string { return h.path }

// Close stops taking second launches and removes the socket.
func (h *Handoff) Close() error {
	var err error
	h.once.Do(func() {
		err = h.l.Close() // removes the socket file
		<-h.done
	})
	return err
}

// serve answers second launches one at a time until Close.
func (h *Handoff) serve() {
	defer close(h.done)
	for {
		c, err := h.l.Accept()
		if err != nil {
			return
		}
		h.answer(c)
	}
}

// answer reads one launch's message, answers it and, if it is a list of
// paths, tells open.
func (h *Handoff) answer(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(handoffTimeout))
	paths, err := readHandoff(c)
	if err != nil {
		fmt.Fprintf(c, "refused: %s\n", oneLine(err.Error()))
		return
	}
	fmt.Fprintln(c, "ok")
	h.open(paths)
}

// readHandoff reads and checks one message.
func readHandoff(r io.Reader) ([]string, error) {
	data, err := bufio.NewReaderSize(io.LimitReader(r, maxHandoffBytes+1), 4096).ReadBytes('\n')
	if len(data) > maxHandoffBytes {
		return nil, fmt.Errorf("the message is longer than %d bytes", maxHandoffBytes)
	}
	if err != nil && !(errors.Is(err, io.EOF) && len(data) > 0) {
		return nil, fmt.Errorf("reading the message: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var m handoffMessage
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("not a list of files: %w", err)
	}
	if dec.More() {
		return nil, errors.New("not a list of files: more than one value")
	}
	if m.Open == nil {
		return nil, errors.New(`not a list of files: no "open"`)
	}
	if err := checkHandoffPaths(*m.Open); err != nil {
		return nil, err
	}
	return *m.Open, nil
}

// checkHandoffPaths checks that paths can be handed over: absolute, text,
// within the limits.
func checkHandoffPaths(paths []string) error {
	if len(paths) > maxHandoffPaths {
		return fmt.Errorf("%d files: at most %d can be handed over at once", len(paths), maxHandoffPaths)
	}
	for _, p := range paths {
		switch {
		case len(p) > maxPathBytes:
			return fmt.Errorf("a path is longer than %d bytes", maxPathBytes)
		case !utf8.ValidString(p) || strings.ContainsRune(p, 0):
			return fmt.Errorf("the path %q is not text", p)
		case !filepath.IsAbs(p):
			return fmt.Errorf("the path %q is not absolute", p)
		}
	}
	return nil
}

func oneLine(s string) string { return strings.ReplaceAll(s, "\n", " ") }

// HandOff hands paths (absolute) to the window running over dataDir, and
// says whether one took them. No window there, or a socket left by one
// that ended, is (false, nil); a window that refuses or does not answer
// is an error.
func HandOff(ctx context.Context, dataDir string, paths []string) (bool, error) {
	if paths == nil {
		paths = []string{}
	}
	if err := checkHandoffPaths(paths); err != nil {
		return false, err
	}
	msg, err := json.Marshal(handoffMessage{Open: &paths})
	if err != nil {
		return false, err
	}
	if len(msg) >= maxHandoffBytes {
		return false, fmt.Errorf("the list of files is longer than %d bytes", maxHandoffBytes)
	}
	d := net.Dialer{Timeout: handoffTimeout}
	c, err := d.DialContext(ctx, "unix", filepath.Join(dataDir, HandoffFile))
	if err != nil {
		return false, nil // no window listens there
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(handoffTimeout))
	if _, err := c.Write(append(msg, '\n')); err != nil {
		return false, fmt.Errorf("handing the files to the running window: %w", err)
	}
	reply, err := bufio.NewReader(io.LimitReader(c, 1024)).ReadString('\n')
	reply = strings.TrimSpace(reply)
	switch {
	case reply == "ok":
		return true, nil
	case reply != "":
		return false, fmt.Errorf("the running window %s", reply)
	default:
		return false, fmt.Errorf("the running window did not answer: %w", err)
	}
}
