package oauthtest

import (
	"strings"
	"testing"
	"time"
)

func msg(tok string) []byte { return []byte("n,,\x01auth=Bearer " + tok + "\x01\x01") }

func TestMintAndCheck(t *testing.T) {
	secret := []byte("s3cret")
	tok := Mint(secret, time.Now().Add(time.Minute))
	if left, err := Check(msg(tok), secret); err != nil || left <= 50*time.Second || left > time.Minute {
		t.Fatalf("a fresh token: %v, %v", left, err)
	}
	for _, c := range []struct{ tok, want string }{
		{Mint([]byte("other"), time.Now().Add(time.Minute)), "bad signature"},
		{Mint(secret, time.Now().Add(-time.Second)), "expired"},
		{"garbage", "malformed token"},
		{tok[:len(tok)-2] + "zz", "bad signature"},
	} {
		if _, err := Check(msg(c.tok), secret); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Check(%q) = %v, want %q", c.tok, err, c.want)
		}
	}
}
