package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"

	"github.com/starling-broker/starling/app"
)

// envelope is voeventdb's result dictionary: the endpoint's rule, the
// query string (each key's list of values), the result and the URL asked
// for; lists add the limit applied.
type envelope struct {
	Endpoint    string              `json:"endpoint"`
	Querystring map[string][]string `json:"querystring"`
	Result      any                 `json:"result"`
	URL         string              `json:"url"`
	Limit       *int                `json:"limit,omitempty"`
}

// errorBody is voeventdb's error dictionary.
type errorBody struct {
	Error struct {
		Code        int    `json:"code"`
		Description string `json:"description"`
		Message     string `json:"message"`
		Parameter   string `json:"parameter,omitempty"`
	} `json:"error"`
}

// writeJSON writes v as the response with status code.
func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		code = http.StatusInternalServerError
		b = []byte(`{"error":{"code":500,"description":"Internal Server Error","message":"the result could not be encoded"}}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	w.Write(append(b, '\n'))
}

// writeError writes a refusal as voeventdb does, naming the parameter.
func writeError(w http.ResponseWriter, e *app.VdbError) {
	var b errorBody
	b.Error.Code, b.Error.Description, b.Error.Message, b.Error.Parameter = e.Code, e.Description, e.Message, e.Key
	writeJSON(w, e.Code, b)
}

// fail answers a failed request: voeventdb's refusal, or 500 (logged)
// for a failure of the archive.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var ve *app.VdbError
	if errors.As(err, &ve) {
		writeError(w, ve)
		return
	}
	if r.Context().Err() != nil {
		return // the client left, or the server is stopping
	}
	s.opt.Log.Warn("API request failed", "path", r.URL.Path, "err", err)
	writeError(w, &app.VdbError{Code: http.StatusInternalServerError, Description: "Internal Server Error", Message: "the archive could not answer; see the log"})
}

// fullURL is the URL the request was made against, as voeventdb reports it.
func fullURL(r *http.Request) string {
	u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery}
	if r.TLS != nil {
		u.Scheme = "https"
	}
	return u.String()
}

// reply writes a result in voeventdb's envelope.
func reply(w http.ResponseWriter, r *http.Request, endpoint string, result any, limit *int) {
	qs := map[string][]string(r.URL.Query())
	if qs == nil {
		qs = map[string][]string{}
	}
	writeJSON(w, http.StatusOK, envelope{Endpoint: endpoint, Querystring: qs, Result: result, URL: fullURL(r), Limit: limit})
}

// query parses the request's voeventdb filters (list: with its page).
func query(r *http.Request, list bool) (app.VdbQuery, error) {
	return app.ParseVdbQuery(r.URL.Query(), list)
}

func (s *Server) root(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"message":     "Welcome to the voeventdb REST API, interface version 'apiv1', served by Starling.",
		"api_version": "apiv1",
		"git_sha":     "",
		"version_tag": "starling",
		"endpoints":   endpoints,
		"docs_url":    "https://voeventdb.readthedocs.io/",
	})
}

func (s *Server) count(w http.ResponseWriter, r *http.Request) {
	q, err := query(r, false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	n, err := s.core.Archive().Voeventdb().Count(r.Context(), q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	reply(w, r, "/apiv1/count", n, nil)
}

// limitOf is the limit a list applied, as voeventdb reports it.
func limitOf(q app.VdbQuery) *int {
	n := max(q.Limit, 0)
	return &n
}

func (s *Server) listIVORN(w http.ResponseWriter, r *http.Request) {
	q, err := query(r, true)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := s.core.Archive().Voeventdb().IVORNs(r.Context(), q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	reply(w, r, "/apiv1/list/ivorn", list, limitOf(q))
}

func (s *Server) listCounts(cites bool) http.HandlerFunc {
	endpoint := "/apiv1/list/ivorn_nrefs"
	if cites {
		endpoint = "/apiv1/list/ivorn_ncites"
	}
	return func(w http.ResponseWriter, r *http.Request) {
		q, err := query(r, true)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		rows, err := s.core.Archive().Voeventdb().IVORNCounts(r.Context(), q, cites)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		reply(w, r, endpoint, rows, limitOf(q))
	}
}

func (s *Server) mapOf(by string) http.HandlerFunc {
	endpoint := map[string]string{app.VdbMapAuthoredMonth: "/apiv1/map/authored_month_count", app.VdbMapRole: "/apiv1/map/role_count",
		app.VdbMapStream: "/apiv1/map/stream_count", app.VdbMapStreamRole: "/apiv1/map/stream_role_count"}[by]
	return func(w http.ResponseWriter, r *http.Request) {
		q, err := query(r, false)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		m, err := s.core.Archive().Voeventdb().Map(r.Context(), q, by)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		reply(w, r, endpoint, m, nil)
	}
}

// alerts is Starling's addition: the same filters and page over the
// archived alerts of every format, each as `events list --json` writes it.
// Filters that only VOEvents can meet (ref_*, cited true, authored_*)
// leave JSON alerts out; stream is a JSON alert's Kafka topic.
func (s *Server) alerts(w http.ResponseWriter, r *http.Request) {
	q, err := query(r, true)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q.VOEventsOnly = false
	list, err := s.core.Archive().Voeventdb().Alerts(r.Context(), q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	reply(w, r, "/apiv1/alerts", list, limitOf(q))
}

// packet answers packet/synopsis and packet/xml for the IVORN that the
// path holds URL-encoded (as voeventdb.remote sends it) or, failing
// that, the query's ivorn parameter.
func (s *Server) packet(w http.ResponseWriter, r *http.Request, kind, escaped string) {
	ivorn, err := url.PathUnescape(escaped)
	if err != nil {
		writeError(w, &app.VdbError{Code: http.StatusBadRequest, Description: "Invalid IVORN", Key: "ivorn", Message: "the IVORN in the path is not URL-encoded correctly"})
		return
	}
	if ivorn == "" {
		ivorn = r.URL.Query().Get("ivorn")
	}
	vdb := s.core.Archive().Voeventdb()
	if kind == "xml" {
		raw, err := vdb.XML(r.Context(), ivorn)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		w.Write(raw)
		return
	}
	syn, err := vdb.Synopsis(r.Context(), ivorn)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	endpoint := "/apiv1/packet/synopsis/<path:url_encoded_ivorn>"
	reply(w, r, endpoint, syn, nil)
}
