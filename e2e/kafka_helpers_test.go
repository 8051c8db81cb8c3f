package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/starling-broker/starling/internal/oauthtest"
	"github.com/starling-broker/starling/netcore/vtp"
)

var (
	kfakedOnce sync.Once
	kfakedBin  string
	kfakedErr  error
)

// kfaked is a running kfaked fixture (a kfake cluster in its own process).
type kfaked struct {
	t    *testing.T
	cmd  *exec.Cmd
	addr string
	mu   sync.Mutex
	log  bytes.Buffer
	done chan struct{}
}

// startKfaked builds kfaked once and runs it with args; it returns once the
// cluster listens.
func startKfaked(t *testing.T, args ...string) *kfaked {
	t.Helper()
	kfakedOnce.Do(func() {
		kfakedBin = filepath.Join(filepath.Dir(starlingBin), "kfaked")
		out, err := exec.Command("go", "build", "-o", kfakedBin, "./kfaked").CombinedOutput()
		if err != nil {
			kfakedErr = fmt.Errorf("building kfaked: %v\n%s", err, out)
		}
	})
	if kfakedErr != nil {
		t.Fatal(kfakedErr)
	}
	k := &kfaked{t: t, cmd: exec.Command(kfakedBin, args...), done: make(chan struct{})}
	stdout, err := k.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := k.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := k.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addrc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			addrc <- strings.TrimSpace(sc.Text())
		}
		close(addrc)
		for sc.Scan() {
		}
	}()
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			k.mu.Lock()
			k.log.WriteString(sc.Text() + "\n")
			k.mu.Unlock()
		}
		k.cmd.Wait()
		close(k.done)
	}()
	t.Cleanup(func() {
		k.stop()
		if t.Failed() {
			t.Logf("log of kfaked %s:\n%s", strings.Join(args, " "), k.logText())
		}
	})
	select {
	case a, ok := <-addrc:
		if !ok {
			<-k.done
			t.Fatalf("kfaked exited before listening:\n%s", k.logText())
		}
		k.addr = a
	case <-time.After(20 * time.Second):
		t.Fatal("kfaked never printed its address")
	}
	return k
}

func (k *kfaked) logText() string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.log.String()
}

// stop ends kfaked with SIGTERM and waits.
func (k *kfaked) stop() { terminate(k.cmd, k.done) }

// kill ends kfaked with SIGKILL and waits.
func (k *kfaked) kill() {
	k.cmd.Process.Kill()
	<-k.done
}

// kafkaClient is a plain client of the cluster at addr, closed at cleanup.
func kafkaClient(t *testing.T, addr string, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(addr), kgo.ProducerLinger(0)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

// produce writes records synchronously.
func produce(t *testing.T, cl *kgo.Client, recs ...*kgo.Record) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		t.Fatalf("producing: %v", err)
	}
}

// consumeAll reads every record of topic from the start until idle for a second.
func consumeAll(t *testing.T, addr, topic string, opts ...kgo.Opt) []*kgo.Record {
	t.Helper()
	cl := kafkaClient(t, addr, append([]kgo.Opt{kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart())}, opts...)...)
	var out []*kgo.Record
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		fs := cl.PollFetches(ctx)
		cancel()
		n := len(out)
		fs.EachRecord(func(r *kgo.Record) { out = append(out, r) })
		if len(out) == n && ctx.Err() != nil {
			return out
		}
	}
	return out
}

// manifestEntry is one line of testdata/voevents/MANIFEST.tsv.
type manifestEntry struct {
	path, ivorn, role, version string
	raw                        []byte
}

// realVOEvents reads the real VOEvents of the repository's testdata.
func realVOEvents(t *testing.T) []manifestEntry {
	t.Helper()
	dir := filepath.Join("..", "testdata", "voevents")
	b := readFile(t, filepath.Join(dir, "MANIFEST.tsv"))
	var out []manifestEntry
	for i, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.Split(line, "\t")
		if i == 0 || len(f) < 4 {
			continue
		}
		out = append(out, manifestEntry{path: f[0], ivorn: f[1], role: f[2], version: f[3], raw: readFile(t, filepath.Join(dir, f[0]))})
	}
	return out
}

// writeSecret writes a secret file with mode perm.
func writeSecret(t *testing.T, secret string, perm os.FileMode) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(f, []byte(secret+"\n"), perm); err != nil {
		t.Fatal(err)
	}
	os.Chmod(f, perm)
	return f
}

// eventJSON is one line of `starling events list --json`.
type eventJSON struct {
	Key       string `json:"key"`
	Kind      string `json:"kind"`
	Source    string `json:"source"`
	Topic     string `json:"topic"`
	Partition *int32 `json:"partition"`
	Offset    *int64 `json:"offset"`
	Received  string `json:"received"`
}

// archived lists the archive of dataDir through `starling events list --json`.
func archived(t *testing.T, dataDir string, extra ...string) []eventJSON {
	t.Helper()
	r := run(t, "", nil, append([]string{"events", "list", "--json", "--limit", "100000", "--data-dir", dataDir}, extra...)...)
	if r.code != 0 {
		t.Fatalf("events list: exit %d: %s", r.code, r.stderr)
	}
	var out []eventJSON
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		if line == "" {
			continue
		}
		var e eventJSON
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("events list --json line %q: %v", line, err)
		}
		out = append(out, e)
	}
	return out
}

// mintToken makes a token that kfaked -oauth-secret accepts until expiry.
func mintToken(secret string, expiry time.Time) string { return oauthtest.Mint([]byte(secret), expiry) }

// gcnEvent is a real GCN VOEvent made unique by n (IVORN and TrigID).
func gcnEvent(t *testing.T, n int) []byte {
	t.Helper()
	b := readFile(t, filepath.Join("..", "testdata", "voevents", "public", "fermi", "GBM_Flt_Pos_2023-12-10T13_15_50.51_723906955_120-802.xml"))
	s := strings.Replace(string(b), "GBM_Flt_Pos_2023-12-10T13:15:50.51_723906955_120-802", fmt.Sprintf("GBM_Flt_Pos_e2e_%d", n), 1)
	s = strings.Replace(s, `name="TrigID" value="723906955"`, fmt.Sprintf(`name="TrigID" value="%d"`, 900000000+n), 1)
	return []byte(s)
}

// reSub is a subscriber that redials the broadcaster whenever it is cut
// off, every 20 ms, and counts what it gets by IVORN across connections.
type reSub struct {
	mu     sync.Mutex
	counts map[string]int
	at     map[string]time.Time
	conns  int
	last   time.Time // when the newest connection was made
}

var ivornAttr = regexp.MustCompile(`ivorn\s*=\s*["']([^"']+)["']`)

func newReSub(t *testing.T, addr string) *reSub {
	s := &reSub{counts: map[string]int{}, at: map[string]time.Time{}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	t.Cleanup(func() { cancel(); <-done })
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			c, err := net.DialTimeout("tcp", addr, time.Second)
			if err != nil {
				time.Sleep(20 * time.Millisecond)
				continue
			}
			s.mu.Lock()
			s.conns++
			s.last = time.Now()
			s.mu.Unlock()
			stop := context.AfterFunc(ctx, func() { c.Close() })
			s.serve(c)
			stop()
			c.Close()
		}
	}()
	return s
}

func (s *reSub) serve(c net.Conn) {
	br := bufio.NewReader(c)
	for {
		raw, err := vtp.ReadFrame(br, vtp.DefaultMaxFrame)
		if err != nil {
			return
		}
		if m, err := vtp.Parse(raw); err == nil {
			if m.Role == vtp.RoleIAmAlive {
				vtp.WriteFrame(c, vtp.IAmAliveResponse("ivo://e2e/resub", m.Origin))
			}
			continue
		}
		if m := ivornAttr.FindSubmatch(raw); m != nil {
			s.mu.Lock()
			s.counts[string(m[1])]++
			if _, ok := s.at[string(m[1])]; !ok {
				s.at[string(m[1])] = time.Now()
			}
			s.mu.Unlock()
		}
		vtp.WriteFrame(c, vtp.Ack("ivo://e2e/resub", ""))
	}
}

// snapshot returns the counts by IVORN.
func (s *reSub) snapshot() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.counts)
}

// connections counts the connections made so far and gives the newest's time.
func (s *reSub) connections() (int, time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns, s.last
}

// waitArchived polls the archive of dataDir (every 250 ms, up to limit)
// until cond holds for the Kafka events in it, and returns them.
func waitArchived(t *testing.T, dataDir, what string, limit time.Duration, cond func([]eventJSON) bool) []eventJSON {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		evs := archived(t, dataDir, "--source", "kafka")
		if cond(evs) {
			return evs
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s (archive holds %d Kafka events)", what, len(evs))
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// committed returns the offset group has committed for topic's partition 0, or -1.
func committed(t *testing.T, cl *kgo.Client, group, topic string) int64 {
	t.Helper()
	req := kmsg.NewPtrOffsetFetchRequest()
	req.Group = group
	rt := kmsg.NewOffsetFetchRequestTopic()
	rt.Topic, rt.Partitions = topic, []int32{0}
	req.Topics = append(req.Topics, rt)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return -1
	}
	for _, tp := range resp.Topics {
		for _, p := range tp.Partitions {
			return p.Offset
		}
	}
	return -1
}
