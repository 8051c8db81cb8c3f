// Package api serves the archive over HTTP: voeventdb's REST API v1
// (github.com/timstaley/voeventdb), so that its Python client
// voeventdb.remote works against Starling, and Starling's own additions
// beside it (/apiv1/alerts, the live feed, the cone search).
package api

import (
	"context"
	"crypto/subtle"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/starling-broker/starling/app"
)

// Options configure a Server.
type Options struct {
	// Token, when set, is required of every request as
	// "Authorization: Bearer TOKEN". voeventdb.remote sends none, so a
	// server meant for it listens on loopback without one.
	Token string
	// Log receives a line per failed request (default slog.Default()).
	Log *slog.Logger
}

// Server is the HTTP API over a core's archive.
type Server struct {
	core *app.Core
	opt  Options
	mux  *http.ServeMux
}

// New builds the API over core's archive.
func New(core *app.Core, opt Options) *Server {
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	s := &Server{core: core, opt: opt, mux: http.NewServeMux()}
	s.routes()
	return s
}

// routes mounts every endpoint on the mux; the packets (whose paths hold
// an encoded IVORN) are routed before it, in ServeHTTP.
func (s *Server) routes() {
	s.mux.HandleFunc("GET /apiv1/{$}", s.root)
	s.mux.HandleFunc("GET /apiv1/count", s.count)
	s.mux.HandleFunc("GET /apiv1/list/ivorn", s.listIVORN)
	s.mux.HandleFunc("GET /apiv1/list/ivorn_ncites", s.listCounts(true))
	s.mux.HandleFunc("GET /apiv1/list/ivorn_nrefs", s.listCounts(false))
	s.mux.HandleFunc("GET /apiv1/map/authored_month_count", s.mapOf(app.VdbMapAuthoredMonth))
	s.mux.HandleFunc("GET /apiv1/map/role_count", s.mapOf(app.VdbMapRole))
	s.mux.HandleFunc("GET /apiv1/map/stream_count", s.mapOf(app.VdbMapStream))
	s.mux.HandleFunc("GET /apiv1/map/stream_role_count", s.mapOf(app.VdbMapStreamRole))
	s.mux.HandleFunc("GET /apiv1/alerts", s.alerts)

	s.mux.Handle("GET /apiv1/stream", StreamHandler(s.core))
	s.mux.Handle("/scs", ConeSearchHandler(s.core)) // GET and POST, as SCS clients send either

	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, &app.VdbError{Code: http.StatusNotFound, Description: "Not Found",
			Message: "The requested URL was not found on the server: see /apiv1/ for the endpoints."})
	})
}

// endpoints are the paths the root lists, as voeventdb lists its rules.
var endpoints = []string{
	"/apiv1/", "/apiv1/alerts", "/apiv1/count", "/apiv1/list/ivorn", "/apiv1/list/ivorn_ncites", "/apiv1/list/ivorn_nrefs",
	"/apiv1/map/authored_month_count", "/apiv1/map/role_count", "/apiv1/map/stream_count", "/apiv1/map/stream_role_count",
	"/apiv1/packet/synopsis/", "/apiv1/packet/synopsis/<path:url_encoded_ivorn>",
	"/apiv1/packet/xml/", "/apiv1/packet/xml/<path:url_encoded_ivorn>", "/apiv1/stream", "/scs",
}

// Handler is the API's handler, token check included.
func (s *Server) Handler() http.Handler { return s }

// ServeHTTP checks the token, then routes the request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if v := recover(); v != nil && v != http.ErrAbortHandler {
			s.opt.Log.Error("API request failed", "path", r.URL.Path, "panic", v)
			writeError(w, &app.VdbError{Code: http.StatusInternalServerError, Description: "Internal Server Error", Message: "the request failed; see the log"})
		}
	}()
	if s.opt.Token != "" {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(s.opt.Token)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="starling"`)
			writeError(w, &app.VdbError{Code: http.StatusUnauthorized, Description: "Unauthorized", Key: "Authorization",
				Message: "send the API token as 'Authorization: Bearer TOKEN'"})
			return
		}
	}
	// A packet's path holds its IVORN, URL-encoded ("ivo%3A%2F%2F…"):
	// routed here, before the mux would clean the decoded "//" away.
	for _, kind := range []string{"synopsis", "xml"} {
		if rest, ok := strings.CutPrefix(r.URL.EscapedPath(), "/apiv1/packet/"+kind); ok && (rest == "" || rest[0] == '/') {
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				writeError(w, &app.VdbError{Code: http.StatusMethodNotAllowed, Description: "Method Not Allowed", Message: "use GET"})
				return
			}
			s.packet(w, r, kind, strings.TrimPrefix(rest, "/"))
			return
		}
	}
	s.mux.ServeHTTP(w, r)
}

// Serve answers requests on ln until ctx ends, then shuts down gracefully
// (requests in flight get five seconds). Requests' contexts derive from ctx.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s,
		BaseContext:       func(net.Listener) context.Context { return ctx },
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.opt.Log.Handler(), slog.LevelWarn),
	}
	done, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		select {
		case <-ctx.Done():
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if srv.Shutdown(sctx) != nil {
				srv.Close()
			}
		case <-done:
		}
	}()
	err := srv.Serve(ln)
	close(done)
	<-stopped // the shutdown, if ctx ended, has finished
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}
