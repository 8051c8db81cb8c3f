package app

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/starling-broker/starling/app/store"
	"github.com/starling-broker/starling/netcore/voevent"
)

// VdbQuery selects archived alerts by voeventdb's filters (see store.VdbQuery).
type VdbQuery = store.VdbQuery

// Voeventdb answers voeventdb's REST API v1 (github.com/timstaley/voeventdb)
// from the archive: its filters, lists, maps and packets, with voeventdb's
// meaning for each.
type Voeventdb struct{ c *Core }

// Voeventdb is the archive seen as voeventdb sees it.
func (ar *Archive) Voeventdb() *Voeventdb { return &Voeventdb{ar.c} }

// The voeventdb list limits: the default and the largest a request may ask for.
const (
	VdbDefaultLimit = 100
	VdbMaxLimit     = 10000
)

// VdbError is a request voeventdb refuses: Code is the HTTP status (400 a
// bad query string, 413 a limit too large, 422 an IVORN not archived),
// Description voeventdb's short title and Message the detail, naming
// the parameter (Key) at fault.
type VdbError struct {
	Code        int
	Description string
	Key         string
	Message     string
}

func (e *VdbError) Error() string { return e.Description + ": " + e.Message }

// badParam is voeventdb's InvalidQueryString.
func badParam(key, value, reason string) *VdbError {
	msg := fmt.Sprintf("Error parsing query-string - could not parse this section: '%s=%s'", key, value)
	if reason != "" {
		msg += " - " + reason
	}
	return &VdbError{Code: 400, Description: "Invalid query-string", Key: key, Message: msg}
}

// vdbRoles are the roles the role filter takes.
var vdbRoles = []string{"observation", "prediction", "utility", "test"}

// vdbOrders are the orders a list takes.
var vdbOrders = []string{"author_datetime", "-author_datetime", "id", "-id", "ivorn", "-ivorn"}

// ParseVdbQuery reads a voeventdb query string. As in voeventdb, every key
// must be a filter or a page key (limit, offset, order); a filter given
// more than once combines its values (ivorn_contains: all of them;
// ivorn_prefix, ref_contains, ref_exact, role, stream: any of them) or
// else takes the first, though every value must be valid. For a list
// (list true), limit defaults to VdbDefaultLimit and may not exceed
// VdbMaxLimit; otherwise the page keys are ignored.
func ParseVdbQuery(v url.Values, list bool) (VdbQuery, error) {
	q := VdbQuery{VOEventsOnly: true}
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		vals := v[k]
		var err error
		switch k {
		case "authored_since", "authored_until":
			var first time.Time
			for i, s := range vals {
				t, ok := ParseISO8601(s)
				if !ok {
					return q, badParam(k, s, "not an ISO 8601 date or time")
				}
				if i == 0 {
					first = t
				}
			}
			if k == "authored_since" {
				q.AuthoredSince = first
			} else {
				q.AuthoredUntil = first
			}
		case "cited":
			q.Cited, err = vdbBool(k, vals)
		case "coord":
			q.Coord, err = vdbBool(k, vals)
		case "ref_any":
			q.RefAny, err = vdbBool(k, vals)
		case "cone":
			for i, s := range vals {
				var c []float64
				if json.Unmarshal([]byte(s), &c) != nil || len(c) != 3 || !finite(c...) {
					return q, badParam(k, s, "give [ra, dec, radius] in degrees")
				}
				if c[1] < -90 || c[1] > 90 {
					return q, badParam(k, s, "invalid declination value")
				}
				if i == 0 {
					q.Cone = &store.Cone{RA: math.Mod(math.Mod(c[0], 360)+360, 360), Dec: c[1], Radius: c[2]}
				}
			}
		case "dec_gt", "dec_lt":
			var first float64
			for i, s := range vals {
				d, perr := strconv.ParseFloat(strings.TrimSpace(s), 64)
				if perr != nil || !finite(d) || d < -90 || d > 90 {
					return q, badParam(k, s, "invalid declination value")
				}
				if i == 0 {
					first = d
				}
			}
			if k == "dec_gt" {
				q.DecGT = &first
			} else {
				q.DecLT = &first
			}
		case "ivorn_contains":
			q.IvornContains = vals
		case "ivorn_prefix":
			q.IvornPrefix = vals
		case "ref_contains":
			q.RefContains = vals
		case "ref_exact":
			q.RefExact = vals
		case "role":
			for _, s := range vals {
				if !contains(vdbRoles, s) {
					return q, badParam(k, s, "the role must be observation, prediction, utility or test")
				}
			}
			q.Role = vals
		case "stream":
			q.Stream = vals
		case "limit", "offset", "order":
			if !list {
				continue
			}
			s := vals[0]
			switch k {
			case "order":
				if s != "" && !contains(vdbOrders, s) {
					return q, badParam(k, s, "Not a valid ordering, try one of "+strings.Join(vdbOrders, ", ")+".")
				}
				q.Order = s
			case "limit":
				if s == "" {
					continue
				}
				n, perr := strconv.Atoi(strings.TrimSpace(s))
				if perr != nil {
					return q, badParam(k, s, "Please supply an integer-valued row-limit.")
				}
				if n > VdbMaxLimit {
					return q, &VdbError{Code: 413, Description: "Max 'limit' value exceeded", Key: k,
						Message: fmt.Sprintf("You requested too many rows ('limit=%d'). The maximum allowed is %d.", n, VdbMaxLimit)}
				}
				if n < 0 {
					return q, badParam(k, s, "the limit cannot be negative")
				}
				q.Limit = n
				if n == 0 {
					q.Limit = -1 // LIMIT 0: no rows
				}
			case "offset":
				if s == "" {
					continue
				}
				n, perr := strconv.Atoi(strings.TrimSpace(s))
				if perr != nil || n < 0 {
					return q, badParam(k, s, "Please supply a non-negative integer offset.")
				}
				q.Offset = n
			}
		default:
			return q, badParam(k, strings.Join(vals, ","), "")
		}
		if err != nil {
			return q, err
		}
	}
	if list && q.Limit == 0 {
		q.Limit = VdbDefaultLimit
	}
	return q, nil
}

// finite reports whether every x is a finite number.
func finite(xs ...float64) bool {
	for _, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// vdbBool reads a true/false filter (any case); every value must be one.
func vdbBool(key string, vals []string) (*bool, error) {
	var first *bool
	for _, s := range vals {
		var b bool
		switch strings.ToLower(s) {
		case "true":
			b = true
		case "false":
		default:
			return nil, badParam(key, s, "")
		}
		if first == nil {
			first = &b
		}
	}
	return first, nil
}

// iso8601 is the date and time forms ParseISO8601 reads.
var iso8601 = regexp.MustCompile(`^(\d{4})(?:-?(\d{1,2})(?:-?(\d{1,2})(?:[T ](\d{2})(?::?(\d{2})(?::?(\d{2})(?:[.,](\d+))?)?)?)?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$`)

// ParseISO8601 reads an ISO 8601 date or time as voeventdb does (Python's
// iso8601.parse_date): a year and month at least, the time and a zone
// optional, UTC when no zone is named.
func ParseISO8601(s string) (time.Time, bool) {
	m := iso8601.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil || m[2] == "" {
		return time.Time{}, false
	}
	num := func(x string, def int) int {
		if x == "" {
			return def
		}
		n, _ := strconv.Atoi(x)
		return n
	}
	year, month, day := num(m[1], 0), num(m[2], 1), num(m[3], 1)
	hour, minute, sec := num(m[4], 0), num(m[5], 0), num(m[6], 0)
	nsec := 0
	if f := m[7]; f != "" {
		if len(f) > 9 {
			f = f[:9]
		}
		nsec, _ = strconv.Atoi(f + strings.Repeat("0", 9-len(f)))
	}
	if month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	loc := time.UTC
	if z := m[8]; z != "" && z != "Z" {
		h, _ := strconv.Atoi(z[1:3])
		mins := 0
		if rest := strings.TrimPrefix(z[3:], ":"); rest != "" {
			mins, _ = strconv.Atoi(rest)
		}
		off := (h*60 + mins) * 60
		if z[0] == '-' {
			off = -off
		}
		loc = time.FixedZone("", off)
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, loc)
	if t.Day() != day {
		return time.Time{}, false // 31 February
	}
	return t.UTC(), true
}

// pyISO formats t as Python's datetime.isoformat does for a UTC time.
func pyISO(t time.Time) string {
	t = t.UTC()
	s := t.Format("2006-01-02T15:04:05")
	if us := t.Nanosecond() / 1000; us != 0 {
		s += fmt.Sprintf(".%06d", us)
	}
	return s + "+00:00"
}

// Stream is an IVORN's stream as voeventdb defines it: the part before
// '#' without its first six characters ("ivo://").
func Stream(ivorn string) string {
	s, _, _ := strings.Cut(ivorn, "#")
	r := []rune(s)
	if len(r) <= 6 {
		return ""
	}
	return string(r[6:])
}

// Count counts the archived VOEvents q selects.
func (v *Voeventdb) Count(ctx context.Context, q VdbQuery) (int64, error) {
	return v.c.store.VdbCount(ctx, q)
}

// IVORNs lists the IVORNs q selects, in its order and page.
func (v *Voeventdb) IVORNs(ctx context.Context, q VdbQuery) ([]string, error) {
	rows, err := v.c.store.VdbIVORNs(ctx, q, store.VdbNoCount)
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.IVORN
	}
	return out, err
}

// IVORNCounts lists the IVORNs q selects with, when cites, how many
// archived VOEvents cite each (list/ivorn_ncites), else how many
// citations each holds (list/ivorn_nrefs): rows of [ivorn, n].
func (v *Voeventdb) IVORNCounts(ctx context.Context, q VdbQuery, cites bool) ([][2]any, error) {
	kind := store.VdbNRefs
	if cites {
		kind = store.VdbNCites
	}
	rows, err := v.c.store.VdbIVORNs(ctx, q, kind)
	out := make([][2]any, len(rows))
	for i, r := range rows {
		out[i] = [2]any{r.IVORN, r.Count}
	}
	return out, err
}

// The maps voeventdb serves.
const (
	VdbMapAuthoredMonth = store.VdbByMonth
	VdbMapRole          = store.VdbByRole
	VdbMapStream        = store.VdbByStream
	VdbMapStreamRole    = store.VdbByStreamRole
)

// Map counts the VOEvents q selects by month authored ("2006-01"; "null"
// for those without a readable Who/Date), role, stream, or stream then
// role (a nested map).
func (v *Voeventdb) Map(ctx context.Context, q VdbQuery, by string) (map[string]any, error) {
	groups, err := v.c.store.VdbGroups(ctx, q, by)
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	for _, g := range groups {
		key := g.Key
		if g.Null {
			key = "null"
		}
		if by == VdbMapStreamRole {
			inner, _ := out[key].(map[string]int64)
			if inner == nil {
				inner = map[string]int64{}
				out[key] = inner
			}
			inner[g.Key2] = g.Count
			continue
		}
		out[key] = g.Count
	}
	return out, nil
}

// vdbPacket finds an archived VOEvent by IVORN, or voeventdb's error.
func (v *Voeventdb) vdbPacket(ctx context.Context, ivorn string) (EventRow, []byte, error) {
	if ivorn == "" {
		return EventRow{}, nil, &VdbError{Code: 400, Description: "No IVORN supplied", Key: "ivorn",
			Message: "Please append an URL-encoded IVORN to the URL."}
	}
	row, raw, err := v.c.store.GetEvent(ctx, ivorn)
	if errors.Is(err, store.ErrNotFound) || (err == nil && row.Format != "voevent") {
		return row, nil, &VdbError{Code: 422, Description: "IVORN not found", Key: "ivorn",
			Message: fmt.Sprintf("Sorry, IVORN: '%s' not found in the database.", ivorn)}
	}
	return row, raw, err
}

// XML returns the archived VOEvent's bytes as received.
func (v *Voeventdb) XML(ctx context.Context, ivorn string) ([]byte, error) {
	_, raw, err := v.vdbPacket(ctx, ivorn)
	return raw, err
}

// Synopsis is voeventdb's packet/synopsis result.
type Synopsis struct {
	VOEvent      SynopsisVOEvent `json:"voevent"`
	Refs         []SynopsisRef   `json:"refs"`
	Coords       []SynopsisCoord `json:"coords"`
	RelevantURLs []string        `json:"relevant_urls"`
}

// SynopsisVOEvent is a synopsis's packet summary; times are ISO 8601 in UTC.
type SynopsisVOEvent struct {
	AuthorDatetime *string `json:"author_datetime"`
	AuthorIVORN    *string `json:"author_ivorn"`
	IVORN          string  `json:"ivorn"`
	Received       string  `json:"received"`
	Role           string  `json:"role"`
	Stream         string  `json:"stream"`
	Version        *string `json:"version"`
}

// SynopsisRef is one Citations/EventIVORN, with the Citations/Description.
type SynopsisRef struct {
	CiteType    string  `json:"cite_type"`
	Description *string `json:"description"`
	RefIVORN    string  `json:"ref_ivorn"`
}

// SynopsisCoord is the packet's position in degrees, with its time.
type SynopsisCoord struct {
	Dec   float64  `json:"dec"`
	Error *float64 `json:"error"`
	RA    float64  `json:"ra"`
	Time  *string  `json:"time"`
}

// swiftPosPrefix begins the IVORN of a Swift BAT GRB position, for which
// voeventdb lists the Swift pages (relevant_urls).
const swiftPosPrefix = "ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_"

// Synopsis summarises an archived VOEvent as voeventdb's packet/synopsis.
func (v *Voeventdb) Synopsis(ctx context.Context, ivorn string) (Synopsis, error) {
	row, raw, err := v.vdbPacket(ctx, ivorn)
	if err != nil {
		return Synopsis{}, err
	}
	refs, err := v.c.store.EventRefs(ctx, row.ID)
	if err != nil {
		return Synopsis{}, err
	}
	s := Synopsis{VOEvent: SynopsisVOEvent{IVORN: row.IVORN, Role: row.Role, Stream: Stream(row.IVORN),
		Received: pyISO(row.Received)}, Refs: []SynopsisRef{}, Coords: []SynopsisCoord{}, RelevantURLs: []string{}}
	if t, ok := ParseISO8601(row.Date); ok {
		d := pyISO(t)
		s.VOEvent.AuthorDatetime = &d
	}
	var iso string
	if ev, perr := voevent.Parse(raw); perr == nil {
		f := voevent.ReadFields(ev)
		if ev.Version != "" {
			s.VOEvent.Version = &ev.Version
		}
		if f.Author != "" {
			s.VOEvent.AuthorIVORN = &f.Author
		}
		iso = f.ISOTime
		ev.Release()
	}
	desc := citationsDescription(raw)
	for _, r := range refs {
		s.Refs = append(s.Refs, SynopsisRef{CiteType: r.CiteType, Description: desc, RefIVORN: r.IVORN})
	}
	coords, err := v.c.store.EventCoords(ctx, row.ID)
	if err != nil {
		return Synopsis{}, err
	}
	for _, k := range coords {
		c := SynopsisCoord{RA: k.RA, Dec: k.Dec}
		e := k.Err
		c.Error = &e
		if t, ok := ParseISO8601(iso); ok {
			ts := pyISO(t)
			c.Time = &ts
		}
		s.Coords = append(s.Coords, c)
	}
	swift := ""
	if strings.HasPrefix(row.IVORN, swiftPosPrefix) {
		swift = row.IVORN
	} else {
		for _, r := range refs {
			if strings.HasPrefix(r.IVORN, swiftPosPrefix) {
				swift = r.IVORN
			}
		}
	}
	if swift != "" {
		id, _, _ := strings.Cut(strings.TrimPrefix(swift, swiftPosPrefix), "-")
		s.RelevantURLs = append(s.RelevantURLs, "http://www.swift.ac.uk/search/summary.php?obsid="+id, "http://gcn.gsfc.nasa.gov/other/"+id+".swift")
	}
	return s, nil
}

// citationsDescription is the text of a VOEvent's Citations/Description,
// nil when it has none.
func citationsDescription(raw []byte) *string {
	d := xml.NewDecoder(bytes.NewReader(raw))
	d.Strict = false
	var path []string
	var text strings.Builder
	in := false
	for {
		tok, err := d.Token()
		if err != nil {
			return nil
		}
		switch t := tok.(type) {
		case xml.StartElement:
			path = append(path, t.Name.Local)
			if len(path) == 3 && path[1] == "Citations" && t.Name.Local == "Description" {
				in = true
			}
		case xml.CharData:
			if in {
				text.Write(t)
			}
		case xml.EndElement:
			if in && len(path) == 3 {
				s := text.String()
				return &s
			}
			if len(path) > 0 {
				path = path[:len(path)-1]
			}
		}
	}
}

// Alerts returns the archived alerts of every format that q selects, in
// its order and page, as `events list --json` writes them.
func (v *Voeventdb) Alerts(ctx context.Context, q VdbQuery) ([]EventJSON, error) {
	rows, err := v.c.store.VdbEvents(ctx, q)
	out := make([]EventJSON, len(rows))
	for i, r := range rows {
		out[i] = NewEventJSON(r)
	}
	return out, err
}
