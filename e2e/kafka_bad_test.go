package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/starling-broker/starling/internal/porttest"
)

// noSecrets fails if a secret is in the process's log or command line.
func noSecrets(t *testing.T, p *proc, secrets ...string) {
	t.Helper()
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", p.cmd.Process.Pid))
	if err != nil {
		t.Fatalf("reading the command line: %v", err)
	}
	for _, s := range secrets {
		if strings.Contains(p.logText(), s) {
			t.Errorf("the secret %q is in the broker's log", s)
		}
		if strings.Contains(string(cmdline), s) {
			t.Errorf("the secret %q is in the broker's command line", s)
		}
	}
}

// TestKafkaOIDCBroker: a broker consumes over SASL OAUTHBEARER with tokens
// from an OIDC token server that live 3 s; a steady stream over several
// expiries reaches its subscriber whole; neither the client secret nor a
// token is in the log (at debug level) or the command line; the 0644 secret
// file is warned about.
func TestKafkaOIDCBroker(t *testing.T) {
	const hmacKey, id, secret, scope = "e2e-hmac-key", "e2e-client", "Sup3r-S3cret-value", "gcn.nasa.gov/kafka-public-consumer"
	var issued atomic.Int64
	tokens := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, pw, ok := r.BasicAuth()
		if r.Method != http.MethodPost || r.ParseForm() != nil || r.PostForm.Get("grant_type") != "client_credentials" || r.PostForm.Get("scope") != scope {
			http.Error(w, `{"error":"invalid_request"}`, http.StatusBadRequest)
			return
		}
		if !ok || u != id || pw != secret {
			http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
			return
		}
		issued.Add(1)
		json.NewEncoder(w).Encode(map[string]any{"access_token": mintToken(hmacKey, time.Now().Add(3*time.Second)), "expires_in": 3})
	}))
	defer tokens.Close()
	topic := "gcn.classic.voevent.FERMI_GBM_FLT_POS"
	k := startKfaked(t, "-oauth-secret", hmacKey, "-seed-topic", topic)
	secretFile := writeSecret(t, secret, 0o644)
	port := porttest.Free(t, 1)[0]
	b := startKafkaBroker(t, "oidc", t.TempDir(), port, "-v", "--kafka-bootstrap", k.addr, "--kafka-topic", topic, "--kafka-from", "earliest",
		"--kafka-auth", "oidc", "--kafka-client-id", id, "--kafka-client-secret-file", secretFile, "--kafka-token-url", tokens.URL, "--kafka-scope", scope)
	b.waitLog(`secret file .* can be read by other users \(mode 0644\)`)
	sub := newReSub(t, addr(port))
	b.waitLog(`New subscriber at`)
	cl := kafkaClient(t, k.addr, kgo.DefaultProduceTopic(topic)) // kfaked checks tokens only of those who offer them
	const n = 40
	tick := time.NewTicker(200 * time.Millisecond) // 8 s: nearly three token lifetimes
	for i := 0; i < n; i++ {
		<-tick.C
		produce(t, cl, &kgo.Record{Value: gcnEvent(t, i)})
	}
	tick.Stop()
	waitFor(t, "every event at the subscriber", func() bool { return len(sub.snapshot()) == n })
	for iv, c := range sub.snapshot() {
		if c != 1 {
			t.Errorf("%s relayed %d times", iv, c)
		}
	}
	authn := strings.Count(k.logText(), "OAUTHBEARER authentication") - strings.Count(k.logText(), "authentication refused")
	t.Logf("%d tokens issued, %d OAUTHBEARER authentications accepted by the cluster", issued.Load(), authn)
	if issued.Load() < 2 || authn < 2 {
		t.Fatalf("%d tokens, %d authentications over 8 s of 3 s tokens: no re-authentication", issued.Load(), authn)
	}
	noSecrets(t, b, secret)
	if tok := regexp.MustCompile(`tok\.\d+\.[0-9a-f]{64}`).FindString(b.logText()); tok != "" {
		t.Errorf("an access token is in the broker's (debug) log: %s", tok)
	}
}

// TestKafkaBadCredentials: a wrong SCRAM password and a wrong client secret
// are each a clear line in the broker's log, which keeps running, and
// neither secret is in the log or the command line.
func TestKafkaBadCredentials(t *testing.T) {
	right := writeSecret(t, "the-right-password", 0o600)
	k := startKfaked(t, "-scram512", "alice:"+right, "-seed-topic", "t")
	wrong := writeSecret(t, "Wr0ng-Passw0rd", 0o600)
	b := startKafkaBroker(t, "scram", t.TempDir(), porttest.Free(t, 1)[0], "--kafka-bootstrap", k.addr, "--kafka-topic", "t",
		"--kafka-auth", "scram-sha-512", "--kafka-user", "alice", "--kafka-password-file", wrong)
	b.waitLog(`Kafka source .*: authentication refused`)
	b.waitLog(`Reconnecting to Kafka source`)
	noSecrets(t, b, "Wr0ng-Passw0rd", "the-right-password")
	if strings.Contains(b.logText(), "can be read by other users") {
		t.Error("a 0600 secret file was warned about")
	}

	tokens := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"error":"invalid_client","error_description":"bad client credentials"}`, http.StatusUnauthorized)
	}))
	defer tokens.Close()
	o := startKfaked(t, "-oauth-secret", "x", "-seed-topic", "t")
	b2 := startKafkaBroker(t, "badsecret", t.TempDir(), porttest.Free(t, 1)[0], "--kafka-bootstrap", o.addr, "--kafka-topic", "t",
		"--kafka-auth", "oidc", "--kafka-client-id", "me", "--kafka-client-secret-file", writeSecret(t, "Not-The-Secret", 0o600), "--kafka-token-url", tokens.URL)
	b2.waitLog(`could not get an OIDC token from .*: the client id or secret was refused \(HTTP 401`)
	noSecrets(t, b2, "Not-The-Secret")
}

// TestKafkaRecordsAndUnknownTopic: a topic that does not exist yet is waited
// for, not an error; once created it is consumed. A record that is neither
// XML nor JSON, a schema-invalid VOEvent and a 4 MiB JSON record are each
// handled (logged, refused or archived) and the next event still arrives.
func TestKafkaRecordsAndUnknownTopic(t *testing.T) {
	topic := "gcn.classic.voevent.LATE_TOPIC"
	k := startKfaked(t, "-max-message-bytes", fmt.Sprint(5<<20))
	port := porttest.Free(t, 1)[0]
	data := t.TempDir()
	b := startKafkaBroker(t, "late", data, port, "--kafka-bootstrap", k.addr, "--kafka-topic", topic, "--kafka-from", "earliest")
	sub := dialSub(t, addr(port), nil)
	b.waitLog(`Kafka source .*: consuming`)
	if strings.Contains(b.logText(), "WARN") {
		t.Fatalf("a topic that does not exist yet was reported as a problem:\n%s", b.logText())
	}
	cl := kafkaClient(t, k.addr, kgo.DefaultProduceTopic(topic), kgo.ProducerBatchMaxBytes(5<<20))
	req := kmsg.NewPtrCreateTopicsRequest()
	ct := kmsg.NewCreateTopicsRequestTopic()
	ct.Topic, ct.NumPartitions, ct.ReplicationFactor = topic, 1, 1
	req.Topics = append(req.Topics, ct)
	if resp, err := req.RequestWith(t.Context(), cl); err != nil || resp.Topics[0].ErrorCode != 0 {
		t.Fatalf("creating the topic: %v %+v", err, resp)
	}
	invalid := strings.Replace(string(gcnEvent(t, 1)), "<Who>", "<Nonsense/><Who>", 1)
	big := `{"skymap": "` + strings.Repeat("A", 4<<20) + `"}`
	produce(t, cl, &kgo.Record{Value: []byte("Just some words, no markup.")}, &kgo.Record{Value: []byte(invalid)},
		&kgo.Record{Value: []byte(big)}, &kgo.Record{Value: gcnEvent(t, 2)})
	waitFor(t, "the event after the bad records", func() bool { return sub.count("GBM_Flt_Pos_e2e_2") == 1 })
	b.waitLog(`Kafka record skipped: neither XML nor JSON record=` + `gcn\.classic\.voevent\.LATE_TOPIC\[0\]@0`)
	b.waitLog(`Kafka record refused: .*Nonsense.* record=gcn\.classic\.voevent\.LATE_TOPIC\[0\]@1`)
	if sub.count("GBM_Flt_Pos_e2e_1") != 0 {
		t.Error("the schema-invalid event was relayed")
	}
	arch := waitArchived(t, data, "the 4 MiB JSON record archived", 10*time.Second, func(evs []eventJSON) bool { return len(evs) == 2 })
	kinds := map[string]bool{}
	for _, e := range arch {
		kinds[e.Kind+"@"+fmt.Sprint(*e.Offset)] = true
	}
	if !kinds["json@2"] || !kinds["voevent@3"] {
		t.Fatalf("archived %+v, want the 4 MiB JSON record at offset 2 and the VOEvent at 3", arch)
	}
	if regexp.MustCompile(`Kafka source .*: error|Reconnecting to Kafka`).MatchString(b.logText()) {
		t.Errorf("the source failed while its topic did not exist, or on a bad record:\n%s", b.logText())
	}
}

// TestKafkaClusterComesBack: the cluster is killed and restarted on the same
// port and data directory; the broker logs that it is reconnecting,
// reconnects by itself, and every event, before and after, is archived and
// relayed once.
func TestKafkaClusterComesBack(t *testing.T) {
	topic := "gcn.classic.voevent.SWIFT_BAT_GRB_POS_ACK"
	kdata := t.TempDir()
	kport := porttest.Free(t, 1)[0]
	kargs := []string{"-addr", fmt.Sprintf("127.0.0.1:%d", kport), "-data-dir", kdata, "-seed-topic", topic}
	k := startKfaked(t, kargs...)
	port := porttest.Free(t, 1)[0]
	data := t.TempDir()
	b := startKafkaBroker(t, "back", data, port, "--kafka-bootstrap", k.addr, "--kafka-topic", topic, "--kafka-from", "earliest")
	sub := newReSub(t, addr(port))
	b.waitLog(`New subscriber at`)
	produceTo := func(k *kfaked, from, to int) {
		cl := kafkaClient(t, k.addr, kgo.DefaultProduceTopic(topic))
		for i := from; i < to; i++ {
			produce(t, cl, &kgo.Record{Value: gcnEvent(t, i)})
		}
		cl.Close()
	}
	produceTo(k, 0, 5)
	waitFor(t, "the first five events", func() bool { return len(sub.snapshot()) == 5 })
	k.kill()
	b.waitLog(`Kafka source .*: reconnecting: connection refused`)
	k = startKfaked(t, kargs...)
	produceTo(k, 5, 10)
	waitFor(t, "the next five events", func() bool { return len(sub.snapshot()) == 10 })
	for iv, c := range sub.snapshot() {
		if c != 1 {
			t.Errorf("%s relayed %d times", iv, c)
		}
	}
	if arch := archived(t, data, "--source", "kafka"); len(arch) != 10 {
		t.Errorf("archive holds %d events, want 10", len(arch))
	}
	for _, line := range strings.Split(b.logText(), "\n") {
		if strings.Contains(line, "Kafka source") {
			t.Log(line)
		}
	}
}

// selfSigned writes a self-signed certificate for 127.0.0.1 and its key.
func selfSigned(t *testing.T) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "kfaked"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
	return certFile, keyFile
}

// TestKafkaTLSSelfSigned: a cluster with a self-signed certificate is
// refused as not trusted; --kafka-insecure-skip-verify connects, with a
// warning in the log.
func TestKafkaTLSSelfSigned(t *testing.T) {
	cert, key := selfSigned(t)
	topic := "gcn.classic.voevent.FERMI_GBM_FLT_POS"
	k := startKfaked(t, "-tls-cert", cert, "-tls-key", key, "-seed-topic", topic)
	r := run(t, "", nil, "kafka", "topics", "--kafka-bootstrap", k.addr, "--kafka-tls", "--timeout", "5")
	if r.code == 0 || !strings.Contains(r.stderr, "TLS failed: the server's certificate is not trusted") {
		t.Fatalf("kafka topics to a self-signed cluster: exit %d: %s", r.code, r.stderr)
	}
	r = run(t, "", nil, "kafka", "topics", "--kafka-bootstrap", k.addr, "--kafka-tls", "--kafka-insecure-skip-verify", "--timeout", "10")
	if r.code != 0 || !strings.Contains(r.stdout, topic) || !strings.Contains(r.stderr, "NOT verified") {
		t.Fatalf("kafka topics --kafka-insecure-skip-verify: exit %d: %s%s", r.code, r.stdout, r.stderr)
	}
	port := porttest.Free(t, 1)[0]
	b := startKafkaBroker(t, "tls", t.TempDir(), port, "--kafka-bootstrap", k.addr, "--kafka-tls", "--kafka-topic", topic, "--kafka-from", "earliest")
	b.waitLog(`Kafka source .*: TLS failed: the server's certificate is not trusted`)
	b = startKafkaBroker(t, "tls2", t.TempDir(), porttest.Free(t, 1)[0], "--kafka-bootstrap", k.addr, "--kafka-tls", "--kafka-insecure-skip-verify", "--kafka-topic", topic, "--kafka-from", "earliest")
	b.waitLog(`WARN .*NOT verified`)
	b.waitLog(`Kafka source .*: consuming`)
}
