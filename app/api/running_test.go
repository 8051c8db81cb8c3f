package api

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCheckAddress(t *testing.T) {
	for _, tc := range []struct {
		addr  string
		token bool
		ok    bool
	}{
		{"127.0.0.1:8097", false, true}, {"localhost:0", false, true}, {"[::1]:0", false, true},
		{"0.0.0.0:8097", false, false}, {":8097", false, false}, {"192.0.2.1:80", false, false}, {"example.org:80", false, false},
		{"0.0.0.0:8097", true, true}, {":8097", true, true},
		{"127.0.0.1", false, false}, {"", true, false}, {"127.0.0.1:", false, false},
	} {
		err := CheckAddress(tc.addr, tc.token)
		if (err == nil) != tc.ok {
			t.Errorf("CheckAddress(%q, %v) = %v", tc.addr, tc.token, err)
		}
	}
}

// get fetches url with a bearer token when token is not "".
func get(t *testing.T, url, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// The API started as the window starts it: on loopback without a token,
// elsewhere only with one; a token file is read, never shown; Stop frees
// the port.
func TestStartServesAndStops(t *testing.T) {
	c, _ := testCore(t)
	ctx := context.Background()

	r, err := Start(ctx, c, Settings{Address: "127.0.0.1:0"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if code, body := get(t, "http://"+r.Addr()+"/scs?RA=1&DEC=2&SR=3", ""); code != http.StatusOK || !strings.Contains(body, `value="OK"`) {
		t.Fatalf("cone search: %d %s", code, body)
	}
	if err := r.Stop(); err != nil {
		t.Fatal(err)
	}
	if conn, err := net.DialTimeout("tcp", r.Addr(), time.Second); err == nil {
		conn.Close()
		t.Fatal("the API still listens after Stop")
	}

	if _, err := Start(ctx, c, Settings{Address: "0.0.0.0:0"}, nil); err == nil || !strings.Contains(err.Error(), "token file") {
		t.Fatalf("every interface without a token: %v", err)
	}
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	const secret = "s3cret-token-value"
	if err := os.WriteFile(tokenFile, []byte(secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err = Start(ctx, c, Settings{Address: "127.0.0.1:0", TokenFile: tokenFile}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Stop()
	if code, _ := get(t, "http://"+r.Addr()+"/scs?RA=1&DEC=2&SR=3", ""); code != http.StatusUnauthorized {
		t.Errorf("without the token: %d", code)
	}
	if code, _ := get(t, "http://"+r.Addr()+"/scs?RA=1&DEC=2&SR=3", secret); code != http.StatusOK {
		t.Errorf("with the token: %d", code)
	}

	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, nil, 0o600)
	for _, f := range []string{filepath.Join(dir, "missing"), empty} {
		_, err := Start(ctx, c, Settings{Address: "127.0.0.1:0", TokenFile: f}, nil)
		if err == nil || !strings.Contains(err.Error(), f) {
			t.Errorf("token file %s: %v", f, err)
		}
	}
	// The port is taken: a clear error.
	if _, err := Start(ctx, c, Settings{Address: r.Addr(), TokenFile: tokenFile}, nil); err == nil || strings.Contains(err.Error(), secret) {
		t.Errorf("a taken port: %v", err)
	}
}

func TestSettingsRoundTrip(t *testing.T) {
	c, _ := testCore(t)
	ctx := context.Background()
	if s := LoadSettings(ctx, c); s != (Settings{Address: DefaultAddress}) {
		t.Fatalf("defaults %+v", s)
	}
	want := Settings{Address: "0.0.0.0:9000", TokenFile: "/etc/starling/token", On: true}
	if err := SaveSettings(ctx, c, want); err != nil {
		t.Fatal(err)
	}
	if s := LoadSettings(ctx, c); s != want {
		t.Fatalf("loaded %+v, want %+v", s, want)
	}
}
