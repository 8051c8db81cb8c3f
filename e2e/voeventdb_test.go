package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/starling-broker/starling/app/api/vdbmodel"
	"github.com/starling-broker/starling/app/apptest"
)

// remotePython finds a Python that imports voeventdb.remote from the
// directory in STARLING_VOEVENTDB_REMOTE (STARLING_PYTHON first, then
// /usr/bin/python3, then python3 on the PATH); the test is skipped
// without one.
func remotePython(t *testing.T) (python, pythonPath string) {
	t.Helper()
	dir := os.Getenv("STARLING_VOEVENTDB_REMOTE")
	if dir == "" {
		t.Skip("STARLING_VOEVENTDB_REMOTE is not set: point it at a checkout of github.com/timstaley/voeventdb.remote (with python3-astropy, python3-requests, python3-six installed) to run the real client")
	}
	for _, py := range []string{os.Getenv("STARLING_PYTHON"), "/usr/bin/python3", "python3"} {
		if py == "" {
			continue
		}
		cmd := exec.Command(py, "-c", "import voeventdb.remote.apiv1")
		cmd.Env = append(os.Environ(), "PYTHONPATH="+dir)
		if cmd.Run() == nil {
			return py, dir
		}
	}
	t.Skipf("no Python here imports voeventdb.remote.apiv1 from %s (it needs astropy, requests and six)", dir)
	return "", ""
}

// TestVoeventdbRemoteClient: the real voeventdb.remote client, against a
// `starling broker --http` holding the sample VOEvents, gets for every
// endpoint and filter the answers that voeventdb's definitions give
// (computed here by vdbmodel from the sample files).
func TestVoeventdbRemoteClient(t *testing.T) {
	python, pythonPath := remotePython(t)
	dataDir := t.TempDir()
	files, err := vdbmodel.Samples("../testdata/voevents")
	if err != nil {
		t.Fatal(err)
	}
	var candidates vdbmodel.Model
	var items []apptest.Item
	for _, f := range files {
		p, err := vdbmodel.ReadPacket(f)
		if err != nil {
			t.Fatal(err)
		}
		if p.IVORN == "" {
			continue
		}
		candidates = append(candidates, p)
		items = append(items, apptest.Item{Raw: p.Raw, Source: "e2e " + f})
	}
	keys := apptest.ArchiveSome(t, dataDir, items...)
	var m vdbmodel.Model
	for i, p := range candidates {
		if keys[i] != "" {
			p.ID = len(m) + 1
			m = append(m, p)
		}
	}
	if len(m) < 50 {
		t.Fatalf("only %d samples archived", len(m))
	}

	p := start(t, "broker", "--eventdb", dataDir, "--http=127.0.0.1:0")
	addr := p.waitLog(`Serving the voeventdb API on http://(127\.0\.0\.1:\d+)/apiv1/`)

	cases := m.Cases()
	orders := []string{"id", "-id", "ivorn", "-ivorn", "author_datetime", "-author_datetime"}
	var packets []string
	for _, pk := range m {
		packets = append(packets, pk.IVORN)
	}
	type planCase struct {
		Filters map[string][]string `json:"filters"`
	}
	plan := struct {
		Host    string     `json:"host"`
		Cases   []planCase `json:"cases"`
		Orders  []string   `json:"orders"`
		Packets []string   `json:"packets"`
	}{Host: "http://" + addr, Orders: orders, Packets: packets}
	for _, c := range cases {
		plan.Cases = append(plan.Cases, planCase{Filters: c.Filters})
	}
	in, _ := json.Marshal(plan)
	cmd := exec.Command(python, "testdata/voeventdb_remote.py")
	cmd.Env = append(os.Environ(), "PYTHONPATH="+pythonPath)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("the client failed: %v\n%s", err, stderr.String())
	}
	t.Logf("voeventdb.remote made its requests in %v", time.Since(start).Round(time.Millisecond))

	var got struct {
		Cases []struct {
			Count   int            `json:"count"`
			List    []string       `json:"list"`
			NCites  [][2]any       `json:"ncites"`
			NRefs   [][2]any       `json:"nrefs"`
			Month   map[string]any `json:"authored_month_count"`
			Role    map[string]any `json:"role_count"`
			Stream  map[string]any `json:"stream_count"`
			StrRole map[string]any `json:"stream_role_count"`
		} `json:"cases"`
		Orders    map[string][]string       `json:"orders"`
		Synopses  map[string]map[string]any `json:"synopses"`
		XMLSHA256 map[string]string         `json:"xml_sha256"`
		BadFilter any                       `json:"bad_filter"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("the client's output: %v\n%s", err, out)
	}
	if len(got.Cases) != len(cases) {
		t.Fatalf("%d cases answered, %d asked", len(got.Cases), len(cases))
	}
	selective := 0
	for i, c := range cases {
		qs := c.Filters.Encode()
		g := got.Cases[i]
		want := m.Select(c.Keep)
		if len(want) > 0 && len(want) < len(m) {
			selective++
		}
		if g.Count != len(want) || !reflect.DeepEqual(nonNil(g.List), want) {
			t.Errorf("%s: count %d, list %q; want %d, %q", qs, g.Count, g.List, len(want), want)
		}
		wantC, wantR := m.Counts(c.Keep)
		if !reflect.DeepEqual(nonNilPairs(g.NCites), wantC) || !reflect.DeepEqual(nonNilPairs(g.NRefs), wantR) {
			t.Errorf("%s: ncites %v nrefs %v; want %v, %v", qs, g.NCites, g.NRefs, wantC, wantR)
		}
		maps := m.Maps(c.Keep)
		for name, gm := range map[string]map[string]any{"authored_month_count": g.Month, "role_count": g.Role, "stream_count": g.Stream, "stream_role_count": g.StrRole} {
			if !reflect.DeepEqual(gm, maps[name]) {
				t.Errorf("%s: map %s %v; want %v", qs, name, gm, maps[name])
			}
		}
	}
	t.Logf("%d filter sets, %d archived VOEvents, %d packets read back through the client", len(cases), got.Cases[0].Count, len(got.Synopses))
	if selective < 20 {
		t.Errorf("only %d filters select some samples but not all", selective)
	}
	for _, o := range orders {
		if want := m.Order(o); !reflect.DeepEqual(got.Orders[o], want) {
			t.Errorf("order %s:\n got %q\nwant %q", o, got.Orders[o], want)
		}
	}
	for _, pk := range m {
		syn := got.Synopses[pk.IVORN]
		v, _ := syn["voevent"].(map[string]any)
		if v["ivorn"] != pk.IVORN || v["role"] != pk.Role || v["stream"] != pk.Stream || v["version"] != pk.Version {
			t.Errorf("synopsis of %s: %v", pk.IVORN, v)
		}
		refs, _ := syn["refs"].([]any)
		if len(refs) != len(pk.Refs) {
			t.Errorf("synopsis of %s: refs %v, want %v", pk.IVORN, refs, pk.Refs)
		}
		for i, r := range refs {
			if rm, _ := r.(map[string]any); i < len(pk.Refs) && (rm["ref_ivorn"] != pk.Refs[i].IVORN || rm["cite_type"] != pk.Refs[i].Cite) {
				t.Errorf("synopsis of %s: ref %d %v, want %v", pk.IVORN, i, rm, pk.Refs[i])
			}
		}
		coords, _ := syn["coords"].([]any)
		if len(coords) > 0 != pk.HasPos {
			t.Errorf("synopsis of %s: coords %v, want position %v", pk.IVORN, coords, pk.HasPos)
		}
		// The client decodes the text as UTF-8 and encodes it again: the
		// bytes come back as archived when they are UTF-8.
		if sum := sha256.Sum256(pk.Raw); isUTF8(pk.Raw) && got.XMLSHA256[pk.IVORN] != hex.EncodeToString(sum[:]) {
			t.Errorf("packet_xml of %s: the bytes differ from those archived", pk.IVORN)
		}
	}
	if got.BadFilter != float64(400) {
		t.Errorf("a bad filter: %v, want HTTP 400", got.BadFilter)
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nonNilPairs(s [][2]any) [][2]any {
	if s == nil {
		return [][2]any{}
	}
	return s
}

// isUTF8 reports whether a packet's bytes are UTF-8 with no byte-order mark.
func isUTF8(b []byte) bool {
	return !bytes.HasPrefix(b, []byte("\xef\xbb\xbf")) && strings.ToValidUTF8(string(b), "\x00") == string(b) && !bytes.Contains(b, []byte("\r"))
}
