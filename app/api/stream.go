package api

import (
	"bufio"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/netcore/alert"
)

// keepaliveInterval is how long a quiet stream waits before it writes a
// comment line, so that proxies and clients see the connection alive.
const keepaliveInterval = 15 * time.Second

// streamPage is how many archived alerts one read of the archive returns.
const streamPage = 500

// streamWriteTimeout bounds one write to a client: a client that reads
// nothing for this long is dropped, and its watcher with it.
const streamWriteTimeout = 30 * time.Second

// StreamHandler serves /apiv1/stream: the archived alerts as Server-Sent
// Events, one event per alert (heartbeats are no alerts), each with the
// archive id as its id and the summary of `starling events list --json`
// as its data. A client that sends Last-Event-ID (or ?since=ID) is first
// sent every alert archived after that id, then the live ones, with no
// gap and none twice. Filters: source (a substring of the source), type
// (an alert type) and test=1 (test and mock alerts too; hidden otherwise).
//
// The stream reads the archive after a cursor whenever the core's one
// change feed says an alert was archived: the watcher only wakes the
// stream, so a slow client never holds up the core.
func StreamHandler(c *app.Core) http.Handler { return streamHandler(c, keepaliveInterval) }

// streamHandler is StreamHandler with a keepalive comment every keepalive.
func streamHandler(c *app.Core, keepalive time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		q, since, ok, err := streamQuery(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		serveStream(w, r, c, q, since, ok, keepalive)
	})
}

// streamQuery reads a stream request: its filters as an archive query,
// and the id to resume after (ok false when the client named none).
func streamQuery(r *http.Request) (q app.EventQuery, since int64, ok bool, err error) {
	v := r.URL.Query()
	q = app.EventQuery{Source: v.Get("source"), AlertType: v.Get("type"), Asc: true, Limit: streamPage, HideTest: true}
	switch t := v.Get("test"); t {
	case "", "0", "false":
	case "1", "true":
		q.HideTest = false
	default:
		return q, 0, false, errors.New("test must be 1 or 0")
	}
	id := strings.TrimSpace(r.Header.Get("Last-Event-ID"))
	if id == "" {
		id = v.Get("since")
	}
	if id == "" {
		return q, 0, false, nil
	}
	since, err = strconv.ParseInt(id, 10, 64)
	if err != nil || since < 0 {
		return q, 0, false, errors.New("Last-Event-ID and since must be an archive id (a whole number ≥ 0)")
	}
	return q, since, true, nil
}

// serveStream writes the stream until the request's context ends or the
// client stops reading.
func serveStream(w http.ResponseWriter, r *http.Request, c *app.Core, q app.EventQuery, since int64, resume bool, every time.Duration) {
	ctx := r.Context()
	// Watch before the cursor is read: an alert archived after it wakes
	// the stream, so none falls between the backlog and the live ones.
	kick := make(chan struct{}, 1)
	cancel := c.Watch(func(ch app.Change) {
		if ch.Kind&app.ChangeArchive == 0 {
			return
		}
		select {
		case kick <- struct{}{}:
		default:
		}
	})
	defer cancel()
	if !resume {
		last, err := c.Archive().LastID(ctx)
		if err != nil {
			http.Error(w, "reading the archive: "+err.Error(), http.StatusInternalServerError)
			return
		}
		since = last
	}

	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	rc := http.NewResponseController(w)
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	bw := bufio.NewWriter(w)
	flush := func() error {
		_ = rc.SetWriteDeadline(time.Now().Add(streamWriteTimeout))
		if err := bw.Flush(); err != nil {
			return err
		}
		return rc.Flush()
	}
	// The retry delay, and an empty comment so the client sees the
	// response begin before the first alert.
	bw.WriteString("retry: 2000\n:\n\n")
	if flush() != nil {
		return
	}

	keepalive := time.NewTicker(every)
	defer keepalive.Stop()
	for {
		// Read everything archived after the cursor, a page at a time.
		for {
			q.AfterID = since
			rows, err := c.Archive().Events(ctx, q)
			if err != nil {
				if ctx.Err() == nil {
					writeComment(bw, "error reading the archive: "+err.Error())
					flush()
				}
				return
			}
			for _, row := range rows {
				if row.AlertType == alert.HeartbeatType {
					// A source filter that names heartbeats reads
					// them: liveness, never sent as alerts.
					since = row.ID
					continue
				}
				// Flushed one by one: a client has each alert as soon
				// as it is written, the backlog's too.
				if writeEvent(bw, row) != nil || flush() != nil {
					return
				}
				since = row.ID
			}
			if len(rows) > 0 {
				keepalive.Reset(every)
			}
			if len(rows) < q.Limit {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-kick:
		case <-keepalive.C:
			writeComment(bw, "keepalive")
			if flush() != nil {
				return
			}
		}
	}
}

// writeEvent writes one alert as an event named alert.
func writeEvent(bw *bufio.Writer, row app.EventRow) error {
	data, err := json.Marshal(app.NewEventJSON(row))
	if err != nil {
		return err
	}
	bw.WriteString("id: ")
	bw.WriteString(strconv.FormatInt(row.ID, 10))
	bw.WriteString("\nevent: alert\ndata: ")
	// JSON output holds no raw newline: one data line.
	bw.Write(data)
	_, err = bw.WriteString("\n\n")
	return err
}

// writeComment writes a comment line, which clients ignore; text must
// hold no newline.
func writeComment(bw *bufio.Writer, text string) {
	bw.WriteString(": ")
	bw.WriteString(strings.ReplaceAll(text, "\n", " "))
	bw.WriteString("\n\n")
}
