package api

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/starling-broker/starling/app"
)

// Cone search limits: the rows returned when MAXREC is not given, and the
// most a client may ask for.
const (
	scsDefaultMaxRec = 10000
	scsMaxMaxRec     = 100000
)

// coneParams is a parsed cone search request (degrees).
type coneParams struct {
	RA, Dec, SR float64
	// MaxRec bounds the rows returned; Verb is 1 (ivorn, ra, dec), 2 or 3
	// (every column).
	MaxRec, Verb int
}

// parseConeParams reads RA, DEC, SR, MAXREC and VERB from a query, their
// names in any case as the IVOA's DAL standards allow. An error says in
// words which parameter is missing or out of range.
func parseConeParams(v url.Values) (coneParams, error) {
	p := coneParams{MaxRec: scsDefaultMaxRec, Verb: 2}
	get := func(name string) (string, bool) {
		for k, vs := range v {
			if strings.EqualFold(k, name) && len(vs) > 0 {
				return strings.TrimSpace(vs[0]), true
			}
		}
		return "", false
	}
	num := func(name string, lo, hi float64) (float64, error) {
		s, ok := get(name)
		if !ok || s == "" {
			return 0, fmt.Errorf("%s is missing", name)
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return 0, fmt.Errorf("%s is not a number: %q", name, s)
		}
		if f < lo || f > hi {
			return 0, fmt.Errorf("%s must be between %g and %g degrees, not %g", name, lo, hi, f)
		}
		return f, nil
	}
	var err error
	if p.RA, err = num("RA", 0, 360); err != nil {
		return p, err
	}
	if p.Dec, err = num("DEC", -90, 90); err != nil {
		return p, err
	}
	if p.SR, err = num("SR", 0, 180); err != nil {
		return p, err
	}
	if p.RA == 360 {
		p.RA = 0
	}
	if s, ok := get("MAXREC"); ok && s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return p, fmt.Errorf("MAXREC must be a whole number ≥ 0, not %q", s)
		}
		p.MaxRec = min(n, scsMaxMaxRec)
	}
	if s, ok := get("VERB"); ok && s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 3 {
			return p, fmt.Errorf("VERB must be 1, 2 or 3, not %q", s)
		}
		p.Verb = n
	}
	return p, nil
}

// ConeSearchHandler serves /scs: an IVOA Simple Cone Search (1.03) over
// the archive. RA, DEC and SR (degrees, ICRS) select the archived alerts
// positioned within SR of the centre, an alert with a sky map and no
// position at the map's most probable point; test and mock alerts are
// left out, as on the sky map. The answer is a VOTable 1.4, oldest alert
// first; a bad request is a VOTable with QUERY_STATUS ERROR and the reason.
func ConeSearchHandler(c *app.Core) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodPost {
			w.Header().Set("Allow", "GET, HEAD, POST")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		if err := r.ParseForm(); err != nil {
			writeVOTable(w, errorVOTable("reading the request: "+err.Error()))
			return
		}
		p, err := parseConeParams(r.Form)
		if err != nil {
			writeVOTable(w, errorVOTable(err.Error()))
			return
		}
		v, err := coneSearch(r.Context(), c, p)
		if err != nil {
			writeVOTable(w, errorVOTable("reading the archive: "+err.Error()))
			return
		}
		writeVOTable(w, v)
	})
}

// errorVOTable is the SCS answer to a bad request: QUERY_STATUS ERROR
// (DALI) and, for SCS 1.03 clients, an INFO named Error.
func errorVOTable(msg string) *votable {
	return &votable{
		Infos:    []vInfo{{ID: "Error", Name: "Error", Value: msg}},
		Resource: vResource{Type: "results", Infos: []vInfo{{Name: "QUERY_STATUS", Value: "ERROR", Text: msg}}},
	}
}

// writeVOTable writes v whole, or a plain error if it cannot be encoded.
func writeVOTable(w http.ResponseWriter, v *votable) {
	var b bytes.Buffer
	if err := v.write(&b); err != nil {
		http.Error(w, "writing the VOTable: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	w.Write(b.Bytes())
}

// scsFields are the cone search's columns, in order; VERB=1 keeps the
// first three.
var scsFields = []vField{
	{ID: "ivorn", Name: "ivorn", Datatype: "char", Arraysize: "*", UCD: "meta.id;meta.main",
		Description: "the alert's IVORN, or its archive key for a JSON alert"},
	{ID: "ra", Name: "ra", Datatype: "double", Unit: "deg", UCD: "pos.eq.ra;meta.main",
		Description: "right ascension (ICRS); a sky map's most probable point when the alert gives no position"},
	{ID: "dec", Name: "dec", Datatype: "double", Unit: "deg", UCD: "pos.eq.dec;meta.main",
		Description: "declination (ICRS)"},
	{ID: "error_radius", Name: "error_radius", Datatype: "double", Unit: "deg", UCD: "stat.error;pos.eq",
		Description: "the position's error radius; empty when unknown or for a sky map"},
	{ID: "time", Name: "time", Datatype: "char", Arraysize: "*", UCD: "time.epoch", XType: "timestamp",
		Description: "the astrophysical event's time (UTC, ISO 8601); empty when unknown"},
	{ID: "role", Name: "role", Datatype: "char", Arraysize: "*", UCD: "meta.code",
		Description: "observation, prediction, utility or test"},
	{ID: "source", Name: "source", Datatype: "char", Arraysize: "*", UCD: "meta.ref",
		Description: "where the alert came from: peer, subscription or Kafka topic"},
	{ID: "type", Name: "type", Datatype: "char", Arraysize: "*", UCD: "meta.code.class",
		Description: "the alert type in its sequence (Preliminary, Initial, Update, Retraction, …)"},
	{ID: "trigger", Name: "trigger", Datatype: "char", Arraysize: "*", UCD: "meta.id",
		Description: "the trigger the alert belongs to (superevent, GCN trigger number)"},
}

// coneSearch answers p from the archive: every positioned alert within SR
// of the centre, oldest first, at most MaxRec. Alerts with a position are
// read by the archive's cone (its sky index); those placed by a sky map
// alone are few, and cut here.
func coneSearch(ctx context.Context, c *app.Core, p coneParams) (*votable, error) {
	ar := c.Archive()
	positioned, err := ar.Events(ctx, app.EventQuery{Cone: &app.FilterCone{RA: p.RA, Dec: p.Dec, Radius: p.SR},
		HideTest: true, Asc: true, Limit: p.MaxRec + 1})
	if err != nil {
		return nil, err
	}
	points, err := ar.SkymapPoints(ctx)
	if err != nil {
		return nil, err
	}
	var mapped []coneHit
	for _, q := range points {
		if angularDistance(p.RA, p.Dec, float64(q.RA), float64(q.Dec)) > p.SR {
			continue
		}
		row, ok, err := rowByID(ctx, ar, q.ID)
		if err != nil {
			return nil, err
		}
		if ok { // else pruned since the points were read
			mapped = append(mapped, coneHit{row, float64(q.RA), float64(q.Dec)})
			if len(mapped) > p.MaxRec {
				break
			}
		}
	}
	// Both lists are in id order: merged, the first MaxRec are the answer.
	hits := make([]coneHit, 0, min(len(positioned)+len(mapped), p.MaxRec+1))
	for i, j := 0, 0; (i < len(positioned) || j < len(mapped)) && len(hits) <= p.MaxRec; {
		if j == len(mapped) || i < len(positioned) && positioned[i].ID < mapped[j].row.ID {
			r := positioned[i]
			hits, i = append(hits, coneHit{r, r.RA, r.Dec}), i+1
		} else {
			hits, j = append(hits, mapped[j]), j+1
		}
	}
	status := vInfo{Name: "QUERY_STATUS", Value: "OK"}
	if len(hits) > p.MaxRec {
		hits = hits[:p.MaxRec]
		status = vInfo{Name: "QUERY_STATUS", Value: "OVERFLOW", Text: fmt.Sprintf("more than MAXREC=%d alerts in the cone", p.MaxRec)}
	}
	fields := scsFields
	if p.Verb == 1 {
		fields = scsFields[:3]
	}
	t := &vTable{Name: "results", Fields: fields,
		Description: fmt.Sprintf("Archived alerts within %g° of RA %g°, Dec %g°", p.SR, p.RA, p.Dec)}
	for _, h := range hits {
		t.Rows = append(t.Rows, coneRow(h, len(fields)))
	}
	return &votable{Resource: vResource{Type: "results", Infos: []vInfo{status}, Table: t}}, nil
}

// coneHit is an alert in the cone and where it is: its own position, or
// its sky map's most probable point.
type coneHit struct {
	row     app.EventRow
	ra, dec float64
}

// rowByID reads one archived alert's summary, without its raw bytes.
func rowByID(ctx context.Context, ar *app.Archive, id int64) (app.EventRow, bool, error) {
	rows, err := ar.Events(ctx, app.EventQuery{AfterID: id - 1, BeforeID: id + 1, Limit: 1})
	if err != nil || len(rows) == 0 || rows[0].ID != id {
		return app.EventRow{}, false, err
	}
	return rows[0], true, nil
}

// coneRow is one row of the answer, of its first n columns.
func coneRow(h coneHit, n int) vRow {
	row := h.row
	errRadius := ""
	if row.HasPosition && row.ErrorRadius > 0 {
		errRadius = formatDeg(row.ErrorRadius)
	}
	when := ""
	if !row.EventTime.IsZero() {
		when = row.EventTime.UTC().Format(time.RFC3339Nano)
	}
	cells := []string{row.IVORN, formatDeg(h.ra), formatDeg(h.dec), errRadius, when, row.Role, row.Source, row.AlertType, row.Trigger}
	return vRow{Cells: cells[:n]}
}

// formatDeg writes an angle in degrees with the digits that round-trip.
func formatDeg(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// angularDistance is the great-circle distance in degrees between two
// points given in degrees (the haversine formula, exact at small angles).
func angularDistance(ra1, dec1, ra2, dec2 float64) float64 {
	const rad = math.Pi / 180
	d1, d2 := dec1*rad, dec2*rad
	sdd := math.Sin((d2 - d1) / 2)
	sda := math.Sin((ra2 - ra1) * rad / 2)
	h := sdd*sdd + math.Cos(d1)*math.Cos(d2)*sda*sda
	return 2 * math.Asin(math.Sqrt(math.Min(1, math.Max(0, h)))) / rad
}
