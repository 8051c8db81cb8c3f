// Package vdbmodel is the tests' independent answer to voeventdb queries:
// each sample VOEvent read with encoding/xml, and each voeventdb filter
// evaluated over them by voeventdb's definition
// (voeventdb/server/restapi/v1/filters.py, database/models.py), with no
// code of the archive's. The tests of app/api and e2e use it.
package vdbmodel

import (
	"bytes"
	"encoding/xml"
	"io"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// xnode is a generic XML element.
type xnode struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Text    string     `xml:",chardata"`
	Kids    []xnode    `xml:",any"`
}

func (n *xnode) attr(name string) (string, bool) {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

// path follows child local names; nil when absent.
func (n *xnode) path(names ...string) *xnode {
	cur := n
	for _, nm := range names {
		var next *xnode
		for i := range cur.Kids {
			if cur.Kids[i].XMLName.Local == nm {
				next = &cur.Kids[i]
				break
			}
		}
		if next == nil {
			return nil
		}
		cur = next
	}
	return cur
}

// Ref is one citation.
type Ref struct{ IVORN, Cite string }

// Packet is one archived VOEvent as voeventdb would hold it.
type Packet struct {
	ID              int // order of archiving, set by the caller
	IVORN, Role     string
	Stream          string
	Authored        *time.Time
	AuthorIVORN     string
	Version         string
	Refs            []Ref
	CiteDescription *string
	HasPos          bool
	RA, Dec, ErrDeg float64
	Raw             []byte
	File            string
}

// acceptable are the coordinate systems voeventdb loads positions from.
var acceptable = map[string]bool{"UTC-FK5-GEO": true, "UTC-FK5-TOPO": true, "UTC-ICRS-GEO": true, "UTC-ICRS-TOPO": true, "TDB-FK5-BARY": true, "TDB-ICRS-BARY": true}

// parseWhoDate reads a Who/Date for the Model, UTC when it names no zone.
func parseWhoDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05Z07:00", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// ReadPacket reads a sample as voeventdb's ingest does.
func ReadPacket(file string) (Packet, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return Packet{}, err
	}
	var root xnode
	d := xml.NewDecoder(bytes.NewReader(raw))
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	if err := d.Decode(&root); err != nil {
		return Packet{File: file}, nil // not readable here (UTF-16): IVORN "", left out by the caller
	}
	p := Packet{Raw: raw, File: file}
	p.IVORN, _ = root.attr("ivorn")
	p.Role, _ = root.attr("role")
	p.Version, _ = root.attr("version")
	before, _, _ := strings.Cut(p.IVORN, "#")
	if len(before) > 6 {
		p.Stream = before[6:]
	}
	if w := root.path("Who", "Date"); w != nil {
		if tm, ok := parseWhoDate(w.Text); ok {
			p.Authored = &tm
		}
	}
	if w := root.path("Who", "AuthorIVORN"); w != nil {
		p.AuthorIVORN = w.Text
	}
	if c := root.path("Citations"); c != nil {
		for _, k := range c.Kids {
			if k.XMLName.Local == "EventIVORN" && strings.TrimSpace(k.Text) != "" {
				cite, _ := k.attr("cite")
				p.Refs = append(p.Refs, Ref{strings.TrimSpace(k.Text), cite})
			}
			if k.XMLName.Local == "Description" {
				s := k.Text
				p.CiteDescription = &s
			}
		}
	}
	bad := p.Stream == "com.dc3/dc3.broker"
	if strings.Split(p.Stream, "/")[0] == "nasa.gsfc.gcn" {
		if w := root.path("What"); w != nil {
			for _, k := range w.Kids {
				if v, _ := k.attr("value"); k.XMLName.Local == "Param" && v == "unavailable/inappropriate" {
					if n, _ := k.attr("name"); n == "Coords_String" {
						bad = true
					}
				}
			}
		}
	}
	if ac := root.path("WhereWhen", "ObsDataLocation", "ObservationLocation", "AstroCoords"); ac != nil && !bad {
		sys, _ := ac.attr("coord_system_id")
		if v := ac.path("Position2D", "Value2"); v != nil && acceptable[sys] {
			c1, e1 := strconv.ParseFloat(strings.TrimSpace(v.path("C1").Text), 64)
			c2, e2 := strconv.ParseFloat(strings.TrimSpace(v.path("C2").Text), 64)
			if e1 == nil && e2 == nil {
				p.HasPos, p.RA, p.Dec = true, c1, c2
			}
		}
	}
	return p, nil
}

// Samples lists every sample VOEvent under testdata/voevents, in a fixed order.
func Samples(root string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".xml") {
			files = append(files, p)
		}
		return err
	})
	sort.Strings(files)
	return files, err
}

// Model is the archived VOEvents, in id order.
type Model []Packet

// like is PostgreSQL's LIKE (case-sensitive; % and _ wild, \ escapes).
func Like(s, pattern string) bool {
	pr, sr := []rune(pattern), []rune(s)
	var match func(i, j int) bool
	match = func(i, j int) bool {
		if i == len(pr) {
			return j == len(sr)
		}
		switch pr[i] {
		case '%':
			for k := j; k <= len(sr); k++ {
				if match(i+1, k) {
					return true
				}
			}
			return false
		case '_':
			return j < len(sr) && match(i+1, j+1)
		case '\\':
			if i+1 < len(pr) {
				return j < len(sr) && sr[j] == pr[i+1] && match(i+2, j+1)
			}
		}
		return j < len(sr) && sr[j] == pr[i] && match(i+1, j+1)
	}
	return match(0, 0)
}

// SepDeg is the great-circle distance in degrees.
func SepDeg(ra1, dec1, ra2, dec2 float64) float64 {
	r := math.Pi / 180
	x := math.Sin(dec1*r)*math.Sin(dec2*r) + math.Cos(dec1*r)*math.Cos(dec2*r)*math.Cos((ra1-ra2)*r)
	return math.Acos(math.Max(-1, math.Min(1, x))) / r
}

// cited reports whether any archived packet cites ivorn.
func (m Model) NCites(ivorn string) int {
	n := 0
	for _, p := range m {
		for _, r := range p.Refs {
			if r.IVORN == ivorn {
				n++
			}
		}
	}
	return n
}

// Case is one query of voeventdb filters and the model's predicate for it.
type Case struct {
	Filters url.Values
	Keep    func(p Packet) bool
}

// Cases are the filters, each with the model's predicate; the values are
// chosen so that each selects some samples and leaves out others.
func (m Model) Cases() []Case {
	// A reference that some sample makes.
	var refExact string
	for _, p := range m {
		for _, r := range p.Refs {
			if refExact == "" {
				refExact = r.IVORN
			}
		}
	}
	if refExact == "" {
		refExact = "ivo://none#none" // no sample cites another: the callers see the cases select little
	}
	since := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	until := time.Date(2020, 6, 30, 12, 0, 0, 0, time.UTC)
	cone := func(ra, dec, r float64) func(p Packet) bool {
		return func(p Packet) bool { return p.HasPos && SepDeg(ra, dec, p.RA, p.Dec) < r }
	}
	q := url.QueryEscape
	type c = struct {
		qs   string
		keep func(p Packet) bool
	}
	raw := []c{
		{"", func(Packet) bool { return true }},
		{"authored_since=2015-01-01", func(p Packet) bool { return p.Authored != nil && !p.Authored.Before(since) }},
		{"authored_until=" + q("2020-06-30T12:00:00"), func(p Packet) bool { return p.Authored != nil && !p.Authored.After(until) }},
		{"authored_until=" + q("2020-06-30T14:00:00+02:00"), func(p Packet) bool { return p.Authored != nil && !p.Authored.After(until) }},
		{"authored_since=2015-01&authored_until=" + q("2020-06-30T12:00:00"), func(p Packet) bool {
			return p.Authored != nil && !p.Authored.Before(since) && !p.Authored.After(until)
		}},
		{"cone=" + q("[266.4, -29.0, 10.0]"), cone(266.4, -29.0, 10)},
		{"cone=" + q("[0.5, 10.0, 30.0]"), cone(0.5, 10, 30)},
		{"cone=" + q("[180.0, 45.0, 60.0]"), cone(180, 45, 60)},
		{"coord=true", func(p Packet) bool { return p.HasPos }},
		{"coord=FALSE", func(p Packet) bool { return !p.HasPos }},
		{"dec_gt=0", func(p Packet) bool { return p.HasPos && p.Dec > 0 }},
		{"dec_lt=-10.5", func(p Packet) bool { return p.HasPos && p.Dec < -10.5 }},
		{"dec_gt=-30&dec_lt=30", func(p Packet) bool { return p.HasPos && p.Dec > -30 && p.Dec < 30 }},
		{"ivorn_contains=GRB", func(p Packet) bool { return Like(p.IVORN, "%GRB%") }},
		{"ivorn_contains=grb", func(p Packet) bool { return Like(p.IVORN, "%grb%") }},
		{"ivorn_contains=SWIFT&ivorn_contains=Pos", func(p Packet) bool {
			return Like(p.IVORN, "%SWIFT%") && Like(p.IVORN, "%Pos%")
		}},
		{"ivorn_contains=BAT_GRB", func(p Packet) bool { return Like(p.IVORN, "%BAT_GRB%") }},
		{"ivorn_contains=" + q("Pos_6%-"), func(p Packet) bool { return Like(p.IVORN, "%Pos_6%-%") }},
		{"ivorn_prefix=" + q("ivo://nasa.gsfc.gcn"), func(p Packet) bool { return Like(p.IVORN, "ivo://nasa.gsfc.gcn%") }},
		{"ivorn_prefix=" + q("ivo://nasa.gsfc.gcn/SWIFT#") + "&ivorn_prefix=" + q("ivo://gwnet"), func(p Packet) bool {
			return Like(p.IVORN, "ivo://nasa.gsfc.gcn/SWIFT#%") || Like(p.IVORN, "ivo://gwnet%")
		}},
		{"ref_any=true", func(p Packet) bool { return len(p.Refs) > 0 }},
		{"ref_any=False", func(p Packet) bool { return len(p.Refs) == 0 }},
		{"ref_contains=BAT", func(p Packet) bool {
			return anyRef(p, func(s string) bool { return Like(s, "%BAT%") })
		}},
		{"ref_contains=BAT&ref_contains=" + q("gwnet"), func(p Packet) bool {
			return anyRef(p, func(s string) bool { return Like(s, "%BAT%") || Like(s, "%gwnet%") })
		}},
		{"ref_exact=" + q(refExact), func(p Packet) bool { return anyRef(p, func(s string) bool { return s == refExact }) }},
		{"role=observation", func(p Packet) bool { return p.Role == "observation" }},
		{"role=test&role=utility", func(p Packet) bool { return p.Role == "test" || p.Role == "utility" }},
		{"stream=" + q("nasa.gsfc.gcn/SWIFT"), func(p Packet) bool { return p.Stream == "nasa.gsfc.gcn/SWIFT" }},
		{"stream=" + q("nasa.gsfc.gcn/SWIFT") + "&stream=" + q("gwnet/LVC"), func(p Packet) bool {
			return p.Stream == "nasa.gsfc.gcn/SWIFT" || p.Stream == "gwnet/LVC"
		}},
		{"cited=true", func(p Packet) bool { return m.NCites(p.IVORN) > 0 }},
		{"cited=false", func(p Packet) bool { return m.NCites(p.IVORN) == 0 }},
		{"role=observation&coord=true&authored_since=2015-01-01&ref_any=false", func(p Packet) bool {
			return p.Role == "observation" && p.HasPos && p.Authored != nil && !p.Authored.Before(since) && len(p.Refs) == 0
		}},
	}
	cs := make([]Case, len(raw))
	for i, x := range raw {
		v, err := url.ParseQuery(x.qs)
		if err != nil {
			panic(err) // a mistake in the list above
		}
		cs[i] = Case{Filters: v, Keep: x.keep}
	}
	return cs
}

// anyRef reports whether one of p's citations passes f.
func anyRef(p Packet, f func(string) bool) bool {
	for _, r := range p.Refs {
		if f(r.IVORN) {
			return true
		}
	}
	return false
}

// Select lists the IVORNs of the packets that keep selects, in id order.
func (m Model) Select(keep func(p Packet) bool) []string {
	out := []string{}
	for _, p := range m {
		if keep(p) {
			out = append(out, p.IVORN)
		}
	}
	return out
}

// Order lists every packet's IVORN in a voeventdb order (id, -id, ivorn,
// -ivorn, author_datetime, -author_datetime), the id breaking ties;
// packets without a Who/Date come last ascending and first descending,
// as PostgreSQL sorts NULLs.
func (m Model) Order(order string) []string {
	all := append(Model(nil), m...)
	desc := strings.HasPrefix(order, "-")
	key := strings.TrimPrefix(order, "-")
	sort.SliceStable(all, func(i, j int) bool {
		a, b := all[i], all[j]
		switch key {
		case "ivorn":
			if a.IVORN != b.IVORN {
				return a.IVORN < b.IVORN != desc
			}
		case "author_datetime":
			switch {
			case a.Authored == nil && b.Authored == nil:
			case a.Authored == nil || b.Authored == nil:
				return (a.Authored == nil) == desc
			case !a.Authored.Equal(*b.Authored):
				return a.Authored.Before(*b.Authored) != desc
			}
		default:
			return a.ID < b.ID != desc
		}
		return a.ID < b.ID
	})
	out := make([]string, len(all))
	for i, p := range all {
		out[i] = p.IVORN
	}
	return out
}

// Counts are list/ivorn_ncites and list/ivorn_nrefs of the packets keep
// selects, in id order, with counts as JSON decodes them (float64).
func (m Model) Counts(keep func(p Packet) bool) (ncites, nrefs [][2]any) {
	ncites, nrefs = [][2]any{}, [][2]any{}
	for _, p := range m {
		if keep(p) {
			ncites = append(ncites, [2]any{p.IVORN, float64(m.NCites(p.IVORN))})
			nrefs = append(nrefs, [2]any{p.IVORN, float64(len(p.Refs))})
		}
	}
	return ncites, nrefs
}

// Maps are the four voeventdb maps of the packets keep selects, by
// endpoint name, with counts as JSON decodes them (float64).
func (m Model) Maps(keep func(p Packet) bool) map[string]map[string]any {
	month, role, stream, streamRole := map[string]any{}, map[string]any{}, map[string]any{}, map[string]any{}
	inc := func(m map[string]any, k string) {
		n, _ := m[k].(float64)
		m[k] = n + 1
	}
	for _, p := range m {
		if !keep(p) {
			continue
		}
		k := "null"
		if p.Authored != nil {
			k = p.Authored.Format("2006-01")
		}
		inc(month, k)
		inc(role, p.Role)
		inc(stream, p.Stream)
		if streamRole[p.Stream] == nil {
			streamRole[p.Stream] = map[string]any{}
		}
		inc(streamRole[p.Stream].(map[string]any), p.Role)
	}
	return map[string]map[string]any{"authored_month_count": month, "role_count": role, "stream_count": stream, "stream_role_count": streamRole}
}
