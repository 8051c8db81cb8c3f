package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSettingsKafka(t *testing.T) {
	dir := t.TempDir()
	pw := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pw, []byte("s3cret-pass\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	st, out, errs := runCLI("settings", "kafka", "add", "local", "--kafka-bootstrap", "127.0.0.1:9092", "--kafka-auth", "scram-sha-512",
		"--kafka-user", "alice", "--kafka-password-file", pw, "--kafka-topic", "igwn.gwalert", "--kafka-topic", "gcn.heartbeat", "--kafka-from", "earliest",
		"--data-dir", dir)
	if st != 0 {
		t.Fatalf("add: status %d: %s %s", st, out, errs)
	}
	if strings.Contains(out+errs, "s3cret") {
		t.Fatal("the password was printed")
	}
	st, out, _ = runCLI("settings", "kafka", "list", "--json", "--data-dir", dir)
	var k kafkaSourceJSON
	if st != 0 || json.Unmarshal([]byte(out), &k) != nil {
		t.Fatalf("list: %d %s", st, out)
	}
	if k.Name != "local" || k.Auth != "scram-sha-512" || k.User != "alice" || strings.Join(k.Topics, " ") != "igwn.gwalert gcn.heartbeat" ||
		k.From != "earliest" || !k.SecretSet || k.TLS || k.Group == "" {
		t.Errorf("saved %+v", k)
	}
	if strings.Contains(out, "s3cret") {
		t.Fatal("list printed the password")
	}
	secrets, _ := filepath.Glob(filepath.Join(dir, "secrets", "*"))
	if len(secrets) != 1 {
		t.Fatalf("secret files %v", secrets)
	}
	// Refused in words: no topic; a name taken; a secret on the command line is no option.
	for _, bad := range [][]string{
		{"x", "--kafka-bootstrap", "127.0.0.1:9092"},
		{"local", "--kafka-bootstrap", "127.0.0.1:9092", "--kafka-topic", "t"},
		{"y", "--kafka-bootstrap", "127.0.0.1:9092", "--kafka-topic", "t", "--kafka-password", "p"},
		{"z", "--kafka-topic", "t"},
	} {
		if st, _, errs := runCLI(append(append([]string{"settings", "kafka", "add"}, bad...), "--data-dir", dir)...); st == 0 || errs == "" {
			t.Errorf("add %v: status %d", bad, st)
		}
	}
	if st, out, _ := runCLI("settings", "kafka", "list", "--data-dir", dir); st != 0 || !strings.Contains(out, "credentials saved") || strings.Count(out, "\n") != 2 {
		t.Errorf("table: %s", out)
	}
	if st, out, errs := runCLI("settings", "kafka", "remove", "local", "--data-dir", dir); st != 0 {
		t.Fatalf("remove: %d %s %s", st, out, errs)
	}
	if secrets, _ := filepath.Glob(filepath.Join(dir, "secrets", "*")); len(secrets) != 0 {
		t.Errorf("secret files left: %v", secrets)
	}
	if st, out, _ := runCLI("settings", "kafka", "list", "--data-dir", dir); st != 0 || strings.TrimSpace(out) != "No Kafka sources." {
		t.Errorf("after remove: %s", out)
	}
	if st, _, _ := runCLI("settings", "kafka", "remove", "local", "--data-dir", dir); st == 0 {
		t.Error("removed a source that is not there")
	}
}
