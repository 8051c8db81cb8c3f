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
	"strings"
	"testing"
	"time"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/app/api/vdbmodel"
	"github.com/starling-broker/starling/app/apptest"
)

// fixture is a real archive holding the sample VOEvents (and one JSON
// alert), served by a real Server on a loopback port.
type fixture struct {
	base string
	m    vdbmodel.Model
	core *app.Core
	json string // the JSON alert's key
}

// lvkNotice is the JSON alert archived beside the VOEvents.
const lvkNotice = "../../testdata/notices/lvk-userguide/MS181101ab-preliminary.json"

func newFixture(t *testing.T, token string) *fixture {
	t.Helper()
	dir := t.TempDir()
	var candidates []vdbmodel.Packet
	var items []apptest.Item
	files, err := vdbmodel.Samples("../../testdata/voevents")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		p, err := vdbmodel.ReadPacket(f)
		if err != nil {
			t.Fatal(err)
		}
		if p.IVORN == "" {
			continue // the model cannot read it (UTF-16): left out of both
		}
		candidates = append(candidates, p)
		items = append(items, apptest.Item{Raw: p.Raw, Source: "test " + f})
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
		p.ID = len(fx.m) + 1
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

// TestVoeventdbFilters: count and list/ivorn give, for every filter, the
// samples that voeventdb's definition selects, in id order.
func TestVoeventdbFilters(t *testing.T) {
	fx := newFixture(t, "")
	nonEmpty := 0
	for _, c := range fx.m.Cases() {
		qs := c.Filters.Encode()
		want := fx.m.Select(c.Keep)
		if len(want) > 0 && len(want) < len(fx.m) {
			nonEmpty++
		}
		var count listResp[int]
		if code := fx.get(t, "/apiv1/count?"+qs, &count); code != 200 || count.Result != len(want) {
			t.Errorf("count?%s: %d, %d; want %d", qs, code, count.Result, len(want))
		}
		if count.Endpoint != "/apiv1/count" || !strings.HasSuffix(count.URL, "/apiv1/count?"+qs) && qs != "" {
			t.Errorf("count?%s: envelope %+v", qs, count)
		}
		var list listResp[[]string]
		if code := fx.get(t, "/apiv1/list/ivorn?limit=10000&"+qs, &list); code != 200 || !reflect.DeepEqual(list.Result, want) {
			t.Errorf("list/ivorn?%s: %d\n got %q\nwant %q", qs, code, list.Result, want)
		}
		if list.Limit == nil || *list.Limit != 10000 {
			t.Errorf("list/ivorn?%s: limit %v", qs, list.Limit)
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
	for _, order := range []string{"id", "-id", "ivorn", "-ivorn", "author_datetime", "-author_datetime"} {
		want := fx.m.Order(order)
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
		wantC, wantR := fx.m.Counts(func(p vdbmodel.Packet) bool {
			return qs == "" || qs == "ref_any=true" && len(p.Refs) > 0 || qs == "cited=true" && fx.m.NCites(p.IVORN) > 0
		})
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
		keep := func(p vdbmodel.Packet) bool {
			return qs == "" || qs == "role=observation" && p.Role == "observation" || qs == "coord=true" && p.HasPos
		}
		maps := fx.m.Maps(keep)
		for ep, want := range maps {
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

// TestVoeventdbPackets: packet/xml returns the bytes archived and
// packet/synopsis voeventdb's summary, for every sample, with the IVORN
// URL-encoded in the path as voeventdb.remote sends it.
func TestVoeventdbPackets(t *testing.T) {
	fx := newFixture(t, "")
	for _, p := range fx.m {
		resp, err := http.Get(fx.base + "/apiv1/packet/xml/" + url.QueryEscape(p.IVORN))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !bytes.Equal(b, p.Raw) || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/xml") {
			t.Errorf("packet/xml %s: %d, %d bytes, want %d", p.IVORN, resp.StatusCode, len(b), len(p.Raw))
		}
		var syn listResp[app.Synopsis]
		if code := fx.get(t, "/apiv1/packet/synopsis/"+url.QueryEscape(p.IVORN), &syn); code != 200 {
			t.Fatalf("synopsis %s: %d", p.IVORN, code)
		}
		v := syn.Result.VOEvent
		if v.IVORN != p.IVORN || v.Role != p.Role || v.Stream != p.Stream || v.Version == nil || *v.Version != p.Version {
			t.Errorf("synopsis %s: %+v", p.IVORN, v)
		}
		if (p.Authored == nil) != (v.AuthorDatetime == nil) || p.Authored != nil && *v.AuthorDatetime != pyISOTest(*p.Authored) {
			t.Errorf("synopsis %s: author_datetime %v, want %v", p.IVORN, deref(v.AuthorDatetime), p.Authored)
		}
		if p.AuthorIVORN != "" && (v.AuthorIVORN == nil || *v.AuthorIVORN != strings.TrimSpace(p.AuthorIVORN)) {
			t.Errorf("synopsis %s: author_ivorn %v, want %q", p.IVORN, deref(v.AuthorIVORN), p.AuthorIVORN)
		}
		var refs []vdbmodel.Ref
		for _, r := range syn.Result.Refs {
			refs = append(refs, vdbmodel.Ref{IVORN: r.RefIVORN, Cite: r.CiteType})
			if (r.Description == nil) != (p.CiteDescription == nil) || r.Description != nil && *r.Description != *p.CiteDescription {
				t.Errorf("synopsis %s: ref description %v, want %v", p.IVORN, deref(r.Description), deref(p.CiteDescription))
			}
		}
		if !reflect.DeepEqual(refs, p.Refs) {
			t.Errorf("synopsis %s: refs %v, want %v", p.IVORN, refs, p.Refs)
		}
		if len(syn.Result.Coords) > 0 != p.HasPos || p.HasPos && (syn.Result.Coords[0].RA != p.RA || syn.Result.Coords[0].Dec != p.Dec) {
			t.Errorf("synopsis %s: coords %+v, want %v %v %v", p.IVORN, syn.Result.Coords, p.HasPos, p.RA, p.Dec)
		}
		if strings.HasPrefix(p.IVORN, "ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_") && len(syn.Result.RelevantURLs) != 2 {
			t.Errorf("synopsis %s: relevant_urls %v", p.IVORN, syn.Result.RelevantURLs)
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
		if all.Result[i].Key != p.IVORN || all.Result[i].ID != int64(p.ID) {
			t.Errorf("alert %d: %s (id %d), want %s", i, all.Result[i].Key, all.Result[i].ID, p.IVORN)
		}
	}
	var topic listResp[[]app.EventJSON]
	if fx.get(t, "/apiv1/alerts?stream=igwn.gwalert", &topic); len(topic.Result) != 1 || topic.Result[0].Key != fx.json {
		t.Errorf("alerts by stream (topic): %+v", topic.Result)
	}
	var refs listResp[[]app.EventJSON]
	fx.get(t, "/apiv1/alerts?ref_any=true&order=-id&limit=3", &refs)
	want := fx.m.Select(func(p vdbmodel.Packet) bool { return len(p.Refs) > 0 })
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
