package channel

import (
	"bytes"
	"context"
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
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// The email tests run a real SMTP server: mailpit, built from the version
// pinned in testdata/mailpit/go.mod, as a process on 127.0.0.1.

var (
	mailpitOnce sync.Once
	mailpitBin  string
	mailpitErr  error
)

// buildMailpit builds mailpit once per test run.
func buildMailpit(t *testing.T) string {
	t.Helper()
	mailpitOnce.Do(func() {
		dir, err := os.MkdirTemp("", "starling-mailpit-")
		if err != nil {
			mailpitErr = err
			return
		}
		// Not "…send…": mailpit acts as sendmail when its name holds that.
		mailpitBin = filepath.Join(dir, "mailpit")
		cmd := exec.Command("go", "build", "-o", mailpitBin, "github.com/axllent/mailpit")
		cmd.Dir = filepath.Join("testdata", "mailpit")
		out, err := cmd.CombinedOutput()
		if err != nil {
			mailpitErr = fmt.Errorf("go build mailpit: %v\n%s", err, out)
		}
	})
	if mailpitErr != nil {
		t.Fatal(mailpitErr)
	}
	return mailpitBin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if mailpitBin != "" {
		os.RemoveAll(filepath.Dir(mailpitBin))
	}
	os.Exit(code)
}

// testCA is a certificate authority made for one test, with a server
// certificate for 127.0.0.1 and localhost signed by it.
type testCA struct {
	caFile, certFile, keyFile string
}

func newTestCA(t *testing.T, dir string) testCA {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Starling test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	c := testCA{filepath.Join(dir, "ca.pem"), filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")}
	write := func(path, typ string, der []byte) {
		if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(c.caFile, "CERTIFICATE", caDER)
	write(c.certFile, "CERTIFICATE", der)
	write(c.keyFile, "PRIVATE KEY", keyDER)
	return c
}

// freePort returns a port on 127.0.0.1 that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// mailpit is one running mailpit process.
type mailpit struct {
	smtpPort int
	api      string
	ca       testCA
}

// startMailpit runs mailpit with tls: "starttls" (required), "tls"
// (implicit) or "none", and a login starling / the given password.
func startMailpit(t *testing.T, tls, password string, extra ...string) *mailpit {
	t.Helper()
	bin := buildMailpit(t)
	dir := t.TempDir()
	mp := &mailpit{smtpPort: freePort(t), ca: newTestCA(t, dir)}
	httpPort := freePort(t)
	mp.api = "http://127.0.0.1:" + strconv.Itoa(httpPort)
	authFile := filepath.Join(dir, "smtp-auth")
	if err := os.WriteFile(authFile, []byte("starling:"+password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{
		"--database", filepath.Join(dir, "mailpit.db"),
		"--smtp", "127.0.0.1:" + strconv.Itoa(mp.smtpPort),
		"--listen", "127.0.0.1:" + strconv.Itoa(httpPort),
		"--smtp-auth-file", authFile,
		"--smtp-disable-rdns", "--disable-version-check", "--quiet",
	}
	switch tls {
	case "starttls":
		args = append(args, "--smtp-tls-cert", mp.ca.certFile, "--smtp-tls-key", mp.ca.keyFile, "--smtp-require-starttls")
	case "tls":
		args = append(args, "--smtp-tls-cert", mp.ca.certFile, "--smtp-tls-key", mp.ca.keyFile, "--smtp-require-tls")
	case "none":
		args = append(args, "--smtp-auth-allow-insecure")
	}
	cmd := exec.Command(bin, append(args, extra...)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-done
		if t.Failed() {
			t.Logf("mailpit said:\n%s", out.String())
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(mp.api + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				if c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(mp.smtpPort)); err == nil {
					c.Close()
					return mp
				}
			}
		}
		select {
		case <-done:
			t.Fatalf("mailpit exited:\n%s", out.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailpit not ready after 60 s:\n%s", out.String())
		}
	}
}

// mailpitMessage is a stored mail as mailpit's API gives it.
type mailpitMessage struct {
	ID        string
	MessageID string
	Subject   string
	From      struct{ Address string }
	To        []struct{ Address string }
	Text      string
}

// messages lists the stored mails, each with its text, newest first.
func (mp *mailpit) messages(t *testing.T) []mailpitMessage {
	t.Helper()
	var list struct{ Messages []mailpitMessage }
	mp.get(t, "/api/v1/messages", &list)
	for i := range list.Messages {
		mp.get(t, "/api/v1/message/"+list.Messages[i].ID, &list.Messages[i])
	}
	return list.Messages
}

func (mp *mailpit) get(t *testing.T, path string, v any) {
	t.Helper()
	resp, err := http.Get(mp.api + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s", path, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

// chaos makes mailpit answer MAIL FROM or RCPT TO with code.
func (mp *mailpit) chaos(t *testing.T, stage string, code int) {
	t.Helper()
	body := fmt.Sprintf(`{%q:{"ErrorCode":%d,"Probability":100}}`, stage, code)
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPut, mp.api+"/api/v1/chaos", bytes.NewReader([]byte(body)))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("PUT chaos: %s", resp.Status)
	}
}
