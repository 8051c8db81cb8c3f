package api

// The independent answer: each sample VOEvent read with encoding/xml, and
// each voeventdb filter evaluated over them by voeventdb's definition
// (voeventdb/server/restapi/v1/filters.py, database/models.py), with no
// code of the archive's.

import (
	"bytes"
	"encoding/xml"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
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

// mref is one citation.
type mref struct{ ivorn, cite string }

// mpacket is one archived VOEvent as voeventdb would hold it.
type mpacket struct {
	id              int // order of archiving
	ivorn, role     string
	stream          string
	authored        *time.Time
	authorIVORN     string
	version         string
	refs            []mref
	citeDescription *string
	hasPos          bool
	ra, dec, errDeg float64
	raw             []byte
	file            string
}

// acceptable are the coordinate systems voeventdb loads positions from.
var acceptable = map[string]bool{"UTC-FK5-GEO": true, "UTC-FK5-TOPO": true, "UTC-ICRS-GEO": true, "UTC-ICRS-TOPO": true, "TDB-FK5-BARY": true, "TDB-ICRS-BARY": true}

// parseWhoDate reads a Who/Date for the model, UTC when it names no zone.
func parseWhoDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05Z07:00", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// readPacket reads a sample as voeventdb's ingest does.
func readPacket(t *testing.T, file string) mpacket {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var root xnode
	d := xml.NewDecoder(bytes.NewReader(raw))
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	if err := d.Decode(&root); err != nil {
		return mpacket{file: file} // not readable here: left out by the caller
	}
	p := mpacket{raw: raw, file: file}
	p.ivorn, _ = root.attr("ivorn")
	p.role, _ = root.attr("role")
	p.version, _ = root.attr("version")
	before, _, _ := strings.Cut(p.ivorn, "#")
	if len(before) > 6 {
		p.stream = before[6:]
	}
	if w := root.path("Who", "Date"); w != nil {
		if tm, ok := parseWhoDate(w.Text); ok {
			p.authored = &tm
		}
	}
	if w := root.path("Who", "AuthorIVORN"); w != nil {
		p.authorIVORN = w.Text
	}
	if c := root.path("Citations"); c != nil {
		for _, k := range c.Kids {
			if k.XMLName.Local == "EventIVORN" && strings.TrimSpace(k.Text) != "" {
				cite, _ := k.attr("cite")
				p.refs = append(p.refs, mref{strings.TrimSpace(k.Text), cite})
			}
			if k.XMLName.Local == "Description" {
				s := k.Text
				p.citeDescription = &s
			}
		}
	}
	bad := p.stream == "com.dc3/dc3.broker"
	if strings.Split(p.stream, "/")[0] == "nasa.gsfc.gcn" {
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
				p.hasPos, p.ra, p.dec = true, c1, c2
			}
		}
	}
	return p
}

// samples lists every sample VOEvent under testdata/voevents, in a fixed order.
func samples(t *testing.T) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir("../../testdata/voevents", func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".xml") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	return files
}

// model is the archived VOEvents, in id order.
type model []mpacket

// like is PostgreSQL's LIKE (case-sensitive; % and _ wild, \ escapes).
func like(s, pattern string) bool {
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

// sepDeg is the great-circle distance in degrees.
func sepDeg(ra1, dec1, ra2, dec2 float64) float64 {
	r := math.Pi / 180
	x := math.Sin(dec1*r)*math.Sin(dec2*r) + math.Cos(dec1*r)*math.Cos(dec2*r)*math.Cos((ra1-ra2)*r)
	return math.Acos(math.Max(-1, math.Min(1, x))) / r
}

// cited reports whether any archived packet cites ivorn.
func (m model) ncites(ivorn string) int {
	n := 0
	for _, p := range m {
		for _, r := range p.refs {
			if r.ivorn == ivorn {
				n++
			}
		}
	}
	return n
}

// filter is one voeventdb filter as the model evaluates it.
type filter struct {
	key, value string
	keep       func(m model, p mpacket) bool
}
