package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/app/apptest"
)

// fixture is a real archive holding the sample VOEvents (and one JSON
// alert), served by a real Server on a loopback port.
type fixture struct {
	base string
	m    model
	core *app.Core
	json string // the JSON alert's key
}

// lvkNotice is the JSON alert archived beside the VOEvents.
const lvkNotice = "../../testdata/notices/lvk-userguide/MS181101ab-preliminary.json"

func newFixture(t *testing.T, token string) *fixture {
	t.Helper()
	dir := t.TempDir()
	var candidates []mpacket
	var items []apptest.Item
	for _, f := range samples(t) {
		p := readPacket(t, f)
		if p.ivorn == "" {
			continue // the model cannot read it (UTF-16): left out of both
		}
		candidates = append(candidates, p)
		items = append(items, apptest.Item{Raw: p.raw, Source: "test " + f})
	}
	notice, err := os.ReadFile(lvkNotice)
	if err != nil {
		t.Fatal(err)
	}
	items = append(items, apptest.Item{Raw: notice, Topic: "igwn.gwalert"})
	keys := apptest.ArchiveSome(t, dir, items...)
	fx := &fixture{json: keys[len(keys)-1]}
	if fx.json == "" {
		t.Fatal("the JSON alert was not archived")
	}
	for i, p := range candidates {
		if keys[i] == "" {
			continue // refused by the broker (a duplicate IVORN, a bad packet)
		}
		p.id = len(fx.m) + 1
		fx.m = append(fx.m, p)
	}
	if len(fx.m) < 50 {
		t.Fatalf("only %d samples archived", len(fx.m))
	}
	ctx, cancel := context.WithCancel(context.Background())
	core, err := app.Open(ctx, app.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	fx.core = core
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- New(core, Options{Token: token}).Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
		core.Close(context.Background())
	})
	fx.base = "http://" + ln.Addr().String()
	return fx
}

// get fetches path and decodes the JSON body.
func (fx *fixture) get(t *testing.T, path string, into any) int {
	t.Helper()
	resp, err := http.Get(fx.base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if into != nil {
		if err := json.Unmarshal(b, into); err != nil {
			t.Fatalf("%s: %d %q: %v", path, resp.StatusCode, b, err)
		}
	}
	return resp.StatusCode
}

// listResp is a list endpoint's envelope.
type listResp[T any] struct {
	Endpoint    string              `json:"endpoint"`
	Querystring map[string][]string `json:"querystring"`
	Result      T                   `json:"result"`
	URL         string              `json:"url"`
	Limit       *int                `json:"limit"`
}

// selectIDs are the packets that keep selects, in id order.
func (m model) selectIVORNs(keep func(p mpacket) bool) []string {
	out := []string{}
	for _, p := range m {
		if keep(p) {
			out = append(out, p.ivorn)
		}
	}
	return out
}

// cases are the filters, each with the model's predicate; the values are
// chosen so that each selects some samples and leaves out others.
func (fx *fixture) cases(t *testing.T) []struct {
	qs   string
	keep func(p mpacket) bool
} {
	m := fx.m
	// A reference that some sample makes.
	var refExact string
	for _, p := range m {
		for _, r := range p.refs {
			if refExact == "" {
				refExact = r.ivorn
			}
		}
	}
	if refExact == "" {
		t.Fatal("no sample cites another")
	}
	since := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	until := time.Date(2020, 6, 30, 12, 0, 0, 0, time.UTC)
	cone := func(ra, dec, r float64) func(p mpacket) bool {
		return func(p mpacket) bool { return p.hasPos && sepDeg(ra, dec, p.ra, p.dec) < r }
	}
	q := url.QueryEscape
	type c = struct {
		qs   string
		keep func(p mpacket) bool
	}
	cs := []c{
		{"", func(mpacket) bool { return true }},
		{"authored_since=2015-01-01", func(p mpacket) bool { return p.authored != nil && !p.authored.Before(since) }},
		{"authored_until=" + q("2020-06-30T12:00:00"), func(p mpacket) bool { return p.authored != nil && !p.authored.After(until) }},
		{"authored_until=" + q("2020-06-30T14:00:00+02:00"), func(p mpacket) bool { return p.authored != nil && !p.authored.After(until) }},
		{"authored_since=2015-01&authored_until=" + q("2020-06-30T12:00:00"), func(p mpacket) bool {
			return p.authored != nil && !p.authored.Before(since) && !p.authored.After(until)
		}},
		{"cone=" + q("[266.4, -29.0, 10.0]"), cone(266.4, -29.0, 10)},
		{"cone=" + q("[0.5, 10.0, 30.0]"), cone(0.5, 10, 30)},
		{"cone=" + q("[180.0, 45.0, 60.0]"), cone(180, 45, 60)},
		{"coord=true", func(p mpacket) bool { return p.hasPos }},
		{"coord=FALSE", func(p mpacket) bool { return !p.hasPos }},
		{"dec_gt=0", func(p mpacket) bool { return p.hasPos && p.dec > 0 }},
		{"dec_lt=-10.5", func(p mpacket) bool { return p.hasPos && p.dec < -10.5 }},
		{"dec_gt=-30&dec_lt=30", func(p mpacket) bool { return p.hasPos && p.dec > -30 && p.dec < 30 }},
		{"ivorn_contains=GRB", func(p mpacket) bool { return like(p.ivorn, "%GRB%") }},
		{"ivorn_contains=grb", func(p mpacket) bool { return like(p.ivorn, "%grb%") }},
		{"ivorn_contains=SWIFT&ivorn_contains=Pos", func(p mpacket) bool { return like(p.ivorn, "%SWIFT%") && like(p.ivorn, "%Pos%") }},
		{"ivorn_contains=BAT_GRB", func(p mpacket) bool { return like(p.ivorn, "%BAT_GRB%") }},
		{"ivorn_contains=" + q("Pos_6%-"), func(p mpacket) bool { return like(p.ivorn, "%Pos_6%-%") }},
		{"ivorn_prefix=" + q("ivo://nasa.gsfc.gcn"), func(p mpacket) bool { return like(p.ivorn, "ivo://nasa.gsfc.gcn%") }},
		{"ivorn_prefix=" + q("ivo://nasa.gsfc.gcn/SWIFT#") + "&ivorn_prefix=" + q("ivo://gwnet"), func(p mpacket) bool {
			return like(p.ivorn, "ivo://nasa.gsfc.gcn/SWIFT#%") || like(p.ivorn, "ivo://gwnet%")
		}},
		{"ref_any=true", func(p mpacket) bool { return len(p.refs) > 0 }},
		{"ref_any=False", func(p mpacket) bool { return len(p.refs) == 0 }},
		{"ref_contains=BAT", func(p mpacket) bool { return anyRef(p, func(s string) bool { return like(s, "%BAT%") }) }},
		{"ref_contains=BAT&ref_contains=" + q("gwnet"), func(p mpacket) bool {
			return anyRef(p, func(s string) bool { return like(s, "%BAT%") || like(s, "%gwnet%") })
		}},
		{"ref_exact=" + q(refExact), func(p mpacket) bool { return anyRef(p, func(s string) bool { return s == refExact }) }},
		{"role=observation", func(p mpacket) bool { return p.role == "observation" }},
		{"role=test&role=utility", func(p mpacket) bool { return p.role == "test" || p.role == "utility" }},
		{"stream=" + q("nasa.gsfc.gcn/SWIFT"), func(p mpacket) bool { return p.stream == "nasa.gsfc.gcn/SWIFT" }},
		{"stream=" + q("nasa.gsfc.gcn/SWIFT") + "&stream=" + q("gwnet/LVC"), func(p mpacket) bool {
			return p.stream == "nasa.gsfc.gcn/SWIFT" || p.stream == "gwnet/LVC"
		}},
		{"cited=true", func(p mpacket) bool { return m.ncites(p.ivorn) > 0 }},
		{"cited=false", func(p mpacket) bool { return m.ncites(p.ivorn) == 0 }},
		{"role=observation&coord=true&authored_since=2015-01-01&ref_any=false", func(p mpacket) bool {
			return p.role == "observation" && p.hasPos && p.authored != nil && !p.authored.Before(since) && len(p.refs) == 0
		}},
	}
	return cs
}

func anyRef(p mpacket, f func(string) bool) bool {
	for _, r := range p.refs {
		if f(r.ivorn) {
			return true
		}
	}
	return false
}

// TestVoeventdbFilters: count and list/ivorn give, for every filter, the
// samples that voeventdb's definition selects, in id order.
func TestVoeventdbFilters(t *testing.T) {
	fx := newFixture(t, "")
	nonEmpty := 0
	for _, c := range fx.cases(t) {
		want := fx.m.selectIVORNs(c.keep)
		if len(want) > 0 && len(want) < len(fx.m) {
			nonEmpty++
		}
		var count listResp[int]
		if code := fx.get(t, "/apiv1/count?"+c.qs, &count); code != 200 || count.Result != len(want) {
			t.Errorf("count?%s: %d, %d; want %d", c.qs, code, count.Result, len(want))
		}
		if count.Endpoint != "/apiv1/count" || !strings.HasSuffix(count.URL, "/apiv1/count?"+c.qs) && c.qs != "" {
			t.Errorf("count?%s: envelope %+v", c.qs, count)
		}
		var list listResp[[]string]
		if code := fx.get(t, "/apiv1/list/ivorn?limit=10000&"+c.qs, &list); code != 200 || !reflect.DeepEqual(list.Result, want) {
			t.Errorf("list/ivorn?%s: %d\n got %q\nwant %q", c.qs, code, list.Result, want)
		}
		if list.Limit == nil || *list.Limit != 10000 {
			t.Errorf("list/ivorn?%s: limit %v", c.qs, list.Limit)
		}
	}
	if nonEmpty < 20 {
		t.Errorf("only %d filters select some samples but not all: the test checks too little", nonEmpty)
	}
}

// TestVoeventdbOrderAndPages: every order, in pages of limit and offset,
// with the default limit of 100.
func TestVoeventdbOrderAndPages(t *testing.T) {
	fx := newFixture(t, "")
	byOrder := map[string]func(a, b mpacket) bool{
		"id":  func(a, b mpacket) bool { return a.id < b.id },
		"-id": func(a, b mpacket) bool { return a.id > b.id },
		"ivorn": func(a, b mpacket) bool {
			return a.ivorn < b.ivorn || a.ivorn == b.ivorn && a.id < b.id
		},
		"-ivorn": func(a, b mpacket) bool {
			return a.ivorn > b.ivorn || a.ivorn == b.ivorn && a.id < b.id
		},
		"author_datetime": func(a, b mpacket) bool { // nulls last, as PostgreSQL sorts
			switch {
			case a.authored == nil || b.authored == nil:
				return a.authored != nil && b.authored == nil || a.authored == nil && b.authored == nil && a.id < b.id
			case !a.authored.Equal(*b.authored):
				return a.authored.Before(*b.authored)
			}
			return a.id < b.id
		},
		"-author_datetime": func(a, b mpacket) bool { // nulls first
			switch {
			case a.authored == nil || b.authored == nil:
				return a.authored == nil && b.authored != nil || a.authored == nil && b.authored == nil && a.id < b.id
			case !a.authored.Equal(*b.authored):
				return a.authored.After(*b.authored)
			}
			return a.id < b.id
		},
	}
	for order, less := range byOrder {
		all := append(model(nil), fx.m...)
		sort.SliceStable(all, func(i, j int) bool { return less(all[i], all[j]) })
		var want []string
		for _, p := range all {
			want = append(want, p.ivorn)
		}
		var got []string
		for off := 0; off < len(want)+7; off += 7 {
			var page listResp[[]string]
			if code := fx.get(t, fmt.Sprintf("/apiv1/list/ivorn?order=%s&limit=7&offset=%d", order, off), &page); code != 200 {
				t.Fatalf("order %s offset %d: %d", order, off, code)
			}
			got = append(got, page.Result...)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("order %s:\n got %q\nwant %q", order, got, want)
		}
	}
	var def listResp[[]string]
	fx.get(t, "/apiv1/list/ivorn", &def)
	if def.Limit == nil || *def.Limit != 100 || len(def.Result) != min(100, len(fx.m)) {
		t.Errorf("default page: limit %v, %d rows", def.Limit, len(def.Result))
	}
	var none listResp[[]string]
	if fx.get(t, "/apiv1/list/ivorn?limit=0", &none); len(none.Result) != 0 {
		t.Errorf("limit=0 gave %d rows", len(none.Result))
	}
}

// TestVoeventdbCitationCounts: list/ivorn_ncites and list/ivorn_nrefs
// count as voeventdb does (every archived citation of the IVORN; every
// citation the packet holds), with a filter applied.
func TestVoeventdbCitationCounts(t *testing.T) {
	fx := newFixture(t, "")
	for _, qs := range []string{"", "ref_any=true", "cited=true"} {
		var ncites, nrefs listResp[[][2]any]
		fx.get(t, "/apiv1/list/ivorn_ncites?limit=10000&"+qs, &ncites)
		fx.get(t, "/apiv1/list/ivorn_nrefs?limit=10000&"+qs, &nrefs)
		var wantC, wantR [][2]any
		for _, p := range fx.m {
			if qs == "ref_any=true" && len(p.refs) == 0 || qs == "cited=true" && fx.m.ncites(p.ivorn) == 0 {
				continue
			}
			wantC = append(wantC, [2]any{p.ivorn, float64(fx.m.ncites(p.ivorn))})
			wantR = append(wantR, [2]any{p.ivorn, float64(len(p.refs))})
		}
		if !reflect.DeepEqual(ncites.Result, wantC) {
			t.Errorf("ncites?%s:\n got %v\nwant %v", qs, ncites.Result, wantC)
		}
		if !reflect.DeepEqual(nrefs.Result, wantR) {
			t.Errorf("nrefs?%s:\n got %v\nwant %v", qs, nrefs.Result, wantR)
		}
		if len(wantC) == 0 {
			t.Errorf("%s selects nothing", qs)
		}
	}
}

// TestVoeventdbMaps: the four maps, whole and filtered.
func TestVoeventdbMaps(t *testing.T) {
	fx := newFixture(t, "")
	for _, qs := range []string{"", "role=observation", "coord=true"} {
		keep := func(p mpacket) bool {
			return qs == "" || qs == "role=observation" && p.role == "observation" || qs == "coord=true" && p.hasPos
		}
		month, role, stream := map[string]any{}, map[string]any{}, map[string]any{}
		streamRole := map[string]any{}
		for _, p := range fx.m {
			if !keep(p) {
				continue
			}
			k := "null"
			if p.authored != nil {
				k = p.authored.Format("2006-01")
			}
			inc(month, k)
			inc(role, p.role)
			inc(stream, p.stream)
			if streamRole[p.stream] == nil {
				streamRole[p.stream] = map[string]any{}
			}
			inc(streamRole[p.stream].(map[string]any), p.role)
		}
		for ep, want := range map[string]map[string]any{"authored_month_count": month, "role_count": role, "stream_count": stream, "stream_role_count": streamRole} {
			var got listResp[map[string]any]
			if code := fx.get(t, "/apiv1/map/"+ep+"?"+qs, &got); code != 200 || !reflect.DeepEqual(got.Result, want) {
				t.Errorf("map/%s?%s: %d\n got %v\nwant %v", ep, qs, code, got.Result, want)
			}
			if got.Endpoint != "/apiv1/map/"+ep {
				t.Errorf("map/%s: endpoint %q", ep, got.Endpoint)
			}
		}
	}
}

func inc(m map[string]any, k string) {
	n, _ := m[k].(float64)
	m[k] = n + 1
}

// TestVoeventdbPackets: packet/xml returns the bytes archived and
// packet/synopsis voeventdb's summary, for every sample, with the IVORN
// URL-encoded in the path as voeventdb.remote sends it.
func TestVoeventdbPackets(t *testing.T) {
	fx := newFixture(t, "")
	for _, p := range fx.m {
		resp, err := http.Get(fx.base + "/apiv1/packet/xml/" + url.QueryEscape(p.ivorn))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !bytes.Equal(b, p.raw) || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/xml") {
			t.Errorf("packet/xml %s: %d, %d bytes, want %d", p.ivorn, resp.StatusCode, len(b), len(p.raw))
		}
		var syn listResp[app.Synopsis]
		if code := fx.get(t, "/apiv1/packet/synopsis/"+url.QueryEscape(p.ivorn), &syn); code != 200 {
			t.Fatalf("synopsis %s: %d", p.ivorn, code)
		}
		v := syn.Result.VOEvent
		if v.IVORN != p.ivorn || v.Role != p.role || v.Stream != p.stream || v.Version == nil || *v.Version != p.version {
			t.Errorf("synopsis %s: %+v", p.ivorn, v)
		}
		if (p.authored == nil) != (v.AuthorDatetime == nil) || p.authored != nil && *v.AuthorDatetime != pyISOTest(*p.authored) {
			t.Errorf("synopsis %s: author_datetime %v, want %v", p.ivorn, deref(v.AuthorDatetime), p.authored)
		}
		if p.authorIVORN != "" && (v.AuthorIVORN == nil || *v.AuthorIVORN != strings.TrimSpace(p.authorIVORN)) {
			t.Errorf("synopsis %s: author_ivorn %v, want %q", p.ivorn, deref(v.AuthorIVORN), p.authorIVORN)
		}
		var refs []mref
		for _, r := range syn.Result.Refs {
			refs = append(refs, mref{r.RefIVORN, r.CiteType})
			if (r.Description == nil) != (p.citeDescription == nil) || r.Description != nil && *r.Description != *p.citeDescription {
				t.Errorf("synopsis %s: ref description %v, want %v", p.ivorn, deref(r.Description), deref(p.citeDescription))
			}
		}
		if !reflect.DeepEqual(refs, p.refs) {
			t.Errorf("synopsis %s: refs %v, want %v", p.ivorn, refs, p.refs)
		}
		if len(syn.Result.Coords) > 0 != p.hasPos || p.hasPos && (syn.Result.Coords[0].RA != p.ra || syn.Result.Coords[0].Dec != p.dec) {
			t.Errorf("synopsis %s: coords %+v, want %v %v %v", p.ivorn, syn.Result.Coords, p.hasPos, p.ra, p.dec)
		}
		if strings.HasPrefix(p.ivorn, "ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_") && len(syn.Result.RelevantURLs) != 2 {
			t.Errorf("synopsis %s: relevant_urls %v", p.ivorn, syn.Result.RelevantURLs)
		}
	}
	// The JSON alert is no VOEvent: voeventdb's packets do not know it.
	var e struct {
		Error struct {
			Code int `json:"code"`
		} `json:"error"`
	}
	if code := fx.get(t, "/apiv1/packet/xml/"+url.QueryEscape(fx.json), &e); code != 422 || e.Error.Code != 422 {
		t.Errorf("packet of the JSON alert: %d", code)
	}
	if code := fx.get(t, "/apiv1/packet/synopsis/", &e); code != 400 {
		t.Errorf("synopsis without an IVORN: %d", code)
	}
}

func deref(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

// pyISOTest is Python's isoformat of a UTC datetime, written out here.
func pyISOTest(t time.Time) string {
	s := t.UTC().Format("2006-01-02T15:04:05")
	if t.Nanosecond()/1000 != 0 {
		s += fmt.Sprintf(".%06d", t.Nanosecond()/1000)
	}
	return s + "+00:00"
}

// TestVoeventdbRefusals: bad parameters get 400 (413 for a limit too
// large) with a JSON body naming the parameter; nothing panics.
func TestVoeventdbRefusals(t *testing.T) {
	fx := newFixture(t, "")
	for _, c := range []struct {
		path  string
		code  int
		param string
	}{
		{"/apiv1/count?colour=blue", 400, "colour"},
		{"/apiv1/count?cone=" + url.QueryEscape("[1,2]"), 400, "cone"},
		{"/apiv1/count?cone=" + url.QueryEscape("[1,95,2]"), 400, "cone"},
		{"/apiv1/count?cone=nonsense", 400, "cone"},
		{"/apiv1/count?dec_gt=91", 400, "dec_gt"},
		{"/apiv1/count?dec_lt=x", 400, "dec_lt"},
		{"/apiv1/count?cited=maybe", 400, "cited"},
		{"/apiv1/count?coord=1", 400, "coord"},
		{"/apiv1/count?ref_any=yes", 400, "ref_any"},
		{"/apiv1/count?role=boss", 400, "role"},
		{"/apiv1/count?authored_since=yesterday", 400, "authored_since"},
		{"/apiv1/count?authored_until=2015-13-01", 400, "authored_until"},
		{"/apiv1/list/ivorn?order=colour", 400, "order"},
		{"/apiv1/list/ivorn?limit=ten", 400, "limit"},
		{"/apiv1/list/ivorn?limit=10001", 413, "limit"},
		{"/apiv1/list/ivorn?offset=-1", 400, "offset"},
		{"/apiv1/alerts?stream=x&dec_gt=NaN", 400, "dec_gt"},
		{"/apiv1/packet/synopsis/" + url.QueryEscape("ivo://nowhere/x#y"), 422, "ivorn"},
		{"/apiv1/packet/xml/", 400, "ivorn"},
	} {
		var e struct {
			Error struct {
				Code        int    `json:"code"`
				Description string `json:"description"`
				Message     string `json:"message"`
				Parameter   string `json:"parameter"`
			} `json:"error"`
		}
		if code := fx.get(t, c.path, &e); code != c.code || e.Error.Code != c.code || e.Error.Parameter != c.param || e.Error.Message == "" {
			t.Errorf("%s: %d %+v; want %d naming %s", c.path, code, e.Error, c.code, c.param)
		}
	}
	if code := fx.get(t, "/apiv1/nowhere", nil); code != 404 {
		t.Errorf("unknown endpoint: %d", code)
	}
	var root map[string]any
	if code := fx.get(t, "/apiv1/", &root); code != 200 || root["api_version"] != "apiv1" {
		t.Errorf("root: %d %v", code, root)
	}
}

// TestAlertsEndpoint: /apiv1/alerts applies the same filters to the
// alerts of every format, each as `events list --json` writes it.
func TestAlertsEndpoint(t *testing.T) {
	fx := newFixture(t, "")
	var all listResp[[]app.EventJSON]
	if code := fx.get(t, "/apiv1/alerts?limit=10000", &all); code != 200 || len(all.Result) != len(fx.m)+1 {
		t.Fatalf("alerts: %d, %d alerts; want %d", code, len(all.Result), len(fx.m)+1)
	}
	last := all.Result[len(all.Result)-1]
	if last.Key != fx.json || last.Format != "json" || last.Topic == nil || *last.Topic != "igwn.gwalert" {
		t.Errorf("the JSON alert: %+v", last)
	}
	for i, p := range fx.m {
		if all.Result[i].Key != p.ivorn || all.Result[i].ID != int64(p.id) {
			t.Errorf("alert %d: %s (id %d), want %s", i, all.Result[i].Key, all.Result[i].ID, p.ivorn)
		}
	}
	var topic listResp[[]app.EventJSON]
	if fx.get(t, "/apiv1/alerts?stream=igwn.gwalert", &topic); len(topic.Result) != 1 || topic.Result[0].Key != fx.json {
		t.Errorf("alerts by stream (topic): %+v", topic.Result)
	}
	var refs listResp[[]app.EventJSON]
	fx.get(t, "/apiv1/alerts?ref_any=true&order=-id&limit=3", &refs)
	want := fx.m.selectIVORNs(func(p mpacket) bool { return len(p.refs) > 0 })
	slicesReverse(want)
	if len(refs.Result) != min(3, len(want)) || len(want) == 0 || refs.Result[0].Key != want[0] {
		t.Errorf("alerts with refs, newest first: %v, want %v", refs.Result, want)
	}
	var count listResp[int]
	if fx.get(t, "/apiv1/count", &count); count.Result != len(fx.m) {
		t.Errorf("count covers VOEvents only: %d, want %d", count.Result, len(fx.m))
	}
}

func slicesReverse(s []string) {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
}

// TestToken: with a token, a request without it or with another is
// refused with 401; with it, answered.
func TestToken(t *testing.T) {
	fx := newFixture(t, "s3cret-token")
	for _, auth := range []string{"", "Bearer wrong", "s3cret-token", "Bearer s3cret-token"} {
		req, _ := http.NewRequest("GET", fx.base+"/apiv1/count", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		want := 401
		if auth == "Bearer s3cret-token" {
			want = 200
		}
		if resp.StatusCode != want {
			t.Errorf("Authorization %q: %d, want %d", auth, resp.StatusCode, want)
		}
	}
}
