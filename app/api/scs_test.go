package api

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/netcore/endpoint"
	"github.com/starling-broker/starling/netcore/sender"
)

// Cone search with real parts: VOEvents sent over VTP to the core's
// receiver, JSON notices through the broker's Kafka path, a server on a
// loopback socket; the answers are read back with encoding/xml and
// compared with cones computed here from the positions sent.

// skyAlert is an alert the test archived, where it put it.
type skyAlert struct {
	IVORN        string
	RA, Dec, Err float64
}

// positionedEvent is a VOEvent at ra, dec with an error radius.
func positionedEvent(n int, ra, dec, errDeg float64) (ivorn string, raw []byte) {
	ivorn = fmt.Sprintf("ivo://starling.test/scs#alert-%d&kind=cone;n=1", n)
	return ivorn, fmt.Appendf(nil, `<?xml version='1.0' encoding='UTF-8'?>
<voe:VOEvent xmlns:voe="http://www.ivoa.net/xml/VOEvent/v2.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.ivoa.net/xml/VOEvent/v2.0 http://www.ivoa.net/xml/VOEvent/VOEvent-v2.0.xsd" version="2.0" role="observation" ivorn="%s">
  <Who><AuthorIVORN>ivo://starling.test/author</AuthorIVORN><Date>2024-01-02T03:04:05</Date></Who>
  <WhereWhen><ObsDataLocation><ObservatoryLocation id="GEOLUN"/><ObservationLocation><AstroCoordSystem id="UTC-FK5-GEO"/><AstroCoords coord_system_id="UTC-FK5-GEO"><Time unit="s"><TimeInstant><ISOTime>2024-01-02T03:04:%02d</ISOTime></TimeInstant></Time><Position2D unit="deg"><Name1>RA</Name1><Name2>Dec</Name2><Value2><C1>%.6f</C1><C2>%.6f</C2></Value2><Error2Radius>%.4f</Error2Radius></Position2D></AstroCoords></ObservationLocation></ObsDataLocation></WhereWhen>
</voe:VOEvent>
`, strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(ivorn), n%60, ra, dec, errDeg)
}

// skyArchive archives n VOEvents at random positions (clustered so that
// cones hold some, near RA 0 and the pole too) and one Einstein Probe
// notice, and returns where each is.
func skyArchive(t testing.TB, c *app.Core, lb *app.LocalBroker, n int) []skyAlert {
	t.Helper()
	recv, _ := lb.Addresses()
	rng := rand.New(rand.NewPCG(7, 11))
	centres := [][2]float64{{0.5, 10}, {359.5, 10}, {180, -30}, {45, 89}, {120, 40}}
	var out []skyAlert
	for i := range n {
		c := centres[i%len(centres)]
		dec := math.Max(-90, math.Min(90, c[1]+(rng.Float64()-0.5)*6))
		ra := math.Mod(c[0]+(rng.Float64()-0.5)*6+360, 360)
		ra, dec = math.Round(ra*1e6)/1e6, math.Round(dec*1e6)/1e6
		errDeg := math.Round(rng.Float64()*1e4) / 1e4
		ivorn, raw := positionedEvent(i, ra, dec, errDeg)
		if _, err := sender.Send(context.Background(), endpoint.Endpoint{Network: "tcp", Address: recv}, raw, ivorn, 10*time.Second); err != nil {
			t.Fatalf("sending %s: %v", ivorn, err)
		}
		out = append(out, skyAlert{IVORN: ivorn, RA: ra, Dec: dec, Err: errDeg})
	}
	feed(t, lb, epTopic, epAlert(1, 120, 40))
	rows, err := c.Archive().Events(context.Background(), app.EventQuery{Source: "einstein", Limit: 1})
	if err != nil || len(rows) != 1 {
		t.Fatalf("the notice is not archived: %v %v", rows, err)
	}
	return append(out, skyAlert{IVORN: rows[0].IVORN, RA: 120, Dec: 40, Err: 0.02})
}

// within is the great-circle distance test, from unit vectors (not the
// handler's haversine).
func within(a skyAlert, ra, dec, sr float64) (in, near bool) {
	v := func(ra, dec float64) [3]float64 {
		r, d := ra*math.Pi/180, dec*math.Pi/180
		return [3]float64{math.Cos(d) * math.Cos(r), math.Cos(d) * math.Sin(r), math.Sin(d)}
	}
	p, q := v(a.RA, a.Dec), v(ra, dec)
	dot := p[0]*q[0] + p[1]*q[1] + p[2]*q[2]
	d := math.Acos(math.Max(-1, math.Min(1, dot))) * 180 / math.Pi
	return d <= sr, math.Abs(d-sr) < 1e-6
}

// coneGet fetches a cone search and parses its VOTable.
func coneGet(t testing.TB, base, query string) votable {
	t.Helper()
	resp, err := http.Get(base + "/scs?" + query)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/xml") {
		t.Fatalf("%s: %s %q", query, resp.Status, resp.Header.Get("Content-Type"))
	}
	var v votable
	if err := xml.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s: not a VOTable: %v\n%s", query, err, b)
	}
	if v.Version != "1.4" || v.XMLName.Space != votableNS {
		t.Fatalf("%s: VOTable version %q namespace %q", query, v.Version, v.XMLName.Space)
	}
	return v
}

// status is a VOTable's QUERY_STATUS and its message.
func (v votable) status() (string, string) {
	for _, i := range v.Resource.Infos {
		if i.Name == "QUERY_STATUS" {
			return i.Value, i.Text
		}
	}
	return "", ""
}

func TestConeSearch(t *testing.T) {
	c, lb := testCore(t)
	alerts := skyArchive(t, c, lb, 60)
	base, _ := serve(t, ConeSearchHandler(c))
	byIVORN := map[string]skyAlert{}
	for _, a := range alerts {
		byIVORN[a.IVORN] = a
	}
	cones := [][3]float64{{0, 10, 2}, {359.9, 10, 1.5}, {180, -30, 2.5}, {45, 90, 1.5}, {200, 89, 3}, {120, 40, 0.5},
		{120, 40, 180}, {10, -60, 5}, {0.5, 10, 0}}
	for _, cone := range cones {
		q := fmt.Sprintf("RA=%g&DEC=%g&SR=%g", cone[0], cone[1], cone[2])
		var want []string
		for _, a := range alerts {
			in, near := within(a, cone[0], cone[1], cone[2])
			if near {
				t.Fatalf("%s: %s lies on the edge; choose another cone", q, a.IVORN)
			}
			if in {
				want = append(want, a.IVORN)
			}
		}
		v := coneGet(t, base, q)
		if st, msg := v.status(); st != "OK" {
			t.Fatalf("%s: status %s %s", q, st, msg)
		}
		tab := v.Resource.Table
		if tab == nil || len(tab.Fields) != 9 {
			t.Fatalf("%s: table %+v", q, tab)
		}
		col := map[string]int{}
		for i, f := range tab.Fields {
			col[f.UCD] = i
		}
		for _, ucd := range []string{"meta.id;meta.main", "pos.eq.ra;meta.main", "pos.eq.dec;meta.main", "stat.error;pos.eq", "time.epoch"} {
			if _, ok := col[ucd]; !ok {
				t.Fatalf("%s: no field with UCD %s: %+v", q, ucd, tab.Fields)
			}
		}
		var got []string
		for _, r := range tab.Rows {
			if len(r.Cells) != 9 {
				t.Fatalf("%s: row %v", q, r.Cells)
			}
			ivorn := r.Cells[col["meta.id;meta.main"]]
			got = append(got, ivorn)
			a, ok := byIVORN[ivorn]
			ra, _ := strconv.ParseFloat(r.Cells[col["pos.eq.ra;meta.main"]], 64)
			dec, _ := strconv.ParseFloat(r.Cells[col["pos.eq.dec;meta.main"]], 64)
			e, _ := strconv.ParseFloat(r.Cells[col["stat.error;pos.eq"]], 64)
			if !ok || ra != a.RA || dec != a.Dec || e != a.Err {
				t.Errorf("%s: row %v, sent %+v", q, r.Cells, a)
			}
			if _, err := time.Parse(time.RFC3339Nano, r.Cells[col["time.epoch"]]); err != nil {
				t.Errorf("%s: time %q", q, r.Cells[col["time.epoch"]])
			}
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: %d rows %v\nwant %d %v", q, len(got), got, len(want), want)
		}
		t.Logf("%s: %d rows", q, len(got))
	}

	// VERB=1 keeps ivorn, ra and dec; MAXREC cuts the rows and says so;
	// the parameters' names are in any case.
	v := coneGet(t, base, "ra=120&dec=40&sr=180&VERB=1&MAXREC=5")
	if st, _ := v.status(); st != "OVERFLOW" || len(v.Resource.Table.Fields) != 3 || len(v.Resource.Table.Rows) != 5 {
		t.Errorf("VERB=1 MAXREC=5: status %s, %d fields, %d rows", st, len(v.Resource.Table.Fields), len(v.Resource.Table.Rows))
	}
}

// A missing or bad parameter is a VOTable with QUERY_STATUS ERROR and the
// reason.
func TestConeSearchErrors(t *testing.T) {
	c, _ := testCore(t)
	base, _ := serve(t, ConeSearchHandler(c))
	for q, words := range map[string]string{
		"":                           "RA is missing",
		"RA=10&DEC=20":               "SR is missing",
		"RA=abc&DEC=20&SR=1":         "RA is not a number",
		"RA=361&DEC=20&SR=1":         "RA must be between",
		"RA=-1&DEC=20&SR=1":          "RA must be between",
		"RA=10&DEC=95&SR=1":          "DEC must be between",
		"RA=10&DEC=20&SR=181":        "SR must be between",
		"RA=10&DEC=20&SR=-0.1":       "SR must be between",
		"RA=NaN&DEC=20&SR=1":         "RA is not a number",
		"RA=10&DEC=20&SR=1&VERB=9":   "VERB must be",
		"RA=10&DEC=20&SR=1&MAXREC=x": "MAXREC must be",
	} {
		v := coneGet(t, base, q)
		st, msg := v.status()
		if st != "ERROR" || !strings.Contains(msg, words) || v.Resource.Table != nil {
			t.Errorf("%q: status %q %q, want ERROR with %q", q, st, msg, words)
		}
	}
}

// FuzzConeParams: any query parses to a clear error or to finite values
// in range, without a panic.
func FuzzConeParams(f *testing.F) {
	for _, s := range []string{"RA=10&DEC=20&SR=1", "ra=360&dec=-90&sr=180&MAXREC=0&VERB=3", "RA=1e400&DEC=0&SR=1",
		"RA=0x1p3&DEC=+1&SR=.5", "RA=10&RA=20&DEC=20&SR=1", "RA=%00&DEC=&SR=", "RA=10&DEC=20&SR=1&MAXREC=99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, query string) {
		v, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		p, err := parseConeParams(v)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an error without words")
			}
			return
		}
		for _, x := range []float64{p.RA, p.Dec, p.SR} {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				t.Fatalf("%q: %+v", query, p)
			}
		}
		if p.RA < 0 || p.RA >= 360 || p.Dec < -90 || p.Dec > 90 || p.SR < 0 || p.SR > 180 ||
			p.MaxRec < 0 || p.MaxRec > scsMaxMaxRec || p.Verb < 1 || p.Verb > 3 {
			t.Fatalf("%q: out of range %+v", query, p)
		}
	})
}

// An alert with a sky map and no position (an LVK alert) is found at the
// map's most probable point, as the archive summarises it, with no error
// radius; a cone elsewhere leaves it out.
func TestConeSearchSkymapPoint(t *testing.T) {
	c, lb := testCore(t)
	raw, err := os.ReadFile("../../testdata/notices/lvk-userguide/MS181101ab-preliminary.json")
	if err != nil {
		t.Fatal(err)
	}
	// The mock superevent is left out, as on the sky map; the real one,
	// at the same point, is found.
	feed(t, lb, "igwn.gwalert", raw)
	raw = bytes.ReplaceAll(raw, []byte(`MS181101ab`), []byte(`S181101ab`))
	raw = bytes.Replace(raw, []byte(`"search": "MDC"`), []byte(`"search": "AllSky"`), 1)
	feed(t, lb, "igwn.gwalert", raw)
	rows, err := c.Archive().Events(context.Background(), app.EventQuery{Trigger: "S181101ab", Limit: 2})
	if err != nil || len(rows) != 1 || rows[0].Skymap == nil || rows[0].HasPosition || app.IsTest(rows[0]) {
		t.Fatalf("the alert is not archived as a real alert with a sky map and no position: %+v %v", rows, err)
	}
	sm := rows[0].Skymap
	base, _ := serve(t, ConeSearchHandler(c))
	v := coneGet(t, base, fmt.Sprintf("RA=%g&DEC=%g&SR=0.01", sm.RA, sm.Dec))
	if tab := v.Resource.Table; tab == nil || len(tab.Rows) != 1 || tab.Rows[0].Cells[0] != rows[0].IVORN || tab.Rows[0].Cells[3] != "" {
		t.Fatalf("cone at the map's most probable point (%g, %g): %+v", sm.RA, sm.Dec, tab)
	}
	if ra, _ := strconv.ParseFloat(v.Resource.Table.Rows[0].Cells[1], 64); math.Abs(ra-sm.RA) > 1e-4 {
		t.Errorf("ra %g, the map's point %g", ra, sm.RA)
	}
	far := coneGet(t, base, fmt.Sprintf("RA=%g&DEC=%g&SR=10", math.Mod(sm.RA+180, 360), -sm.Dec))
	if n := len(far.Resource.Table.Rows); n != 0 {
		t.Errorf("the opposite cone holds %d rows", n)
	}
}
