// Package api serves the archive over HTTP: voeventdb's REST API v1, a live feed and IVOA cone search.
package api

// This file stands in for the vdb branch's server.go, with the same names,
// so that this branch builds and its window section runs on its own: it
// serves only the live feed and the cone search. It is deleted when the
// branches merge; server.go then mounts both handlers beside voeventdb's.

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
	// "Authorization: Bearer TOKEN".
	Token string
	// Log receives the server's errors (default slog.Default()).
	Log *slog.Logger
}

// Server is the HTTP API over a core's archive.
type Server struct {
	opt Options
	mux *http.ServeMux
}

// New builds the API over core's archive.
func New(core *app.Core, opt Options) *Server {
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	s := &Server{opt: opt, mux: http.NewServeMux()}
	s.mux.Handle("GET /apiv1/stream", StreamHandler(core))
	s.mux.Handle("/scs", ConeSearchHandler(core))
	return s
}

// Handler is the API's handler, token check included.
func (s *Server) Handler() http.Handler { return s }

// ServeHTTP checks the token, then routes the request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.opt.Token != "" {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(s.opt.Token)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="starling"`)
			http.Error(w, "send the API token as 'Authorization: Bearer TOKEN'", http.StatusUnauthorized)
			return
		}
	}
	s.mux.ServeHTTP(w, r)
}

// Serve answers requests on ln until ctx ends, then shuts down.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: s, BaseContext: func(net.Listener) context.Context { return ctx },
		ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(s.opt.Log.Handler(), slog.LevelWarn)}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if srv.Shutdown(sctx) != nil {
			srv.Close()
		}
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
