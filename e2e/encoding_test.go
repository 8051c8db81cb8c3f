package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/unicode"

	"github.com/starling-broker/starling/internal/porttest"
	"github.com/starling-broker/starling/netcore/vtp"
)

// utf16 encodes s as UTF-16 with a byte-order mark.
func utf16(t *testing.T, s string, big bool) []byte {
	t.Helper()
	order := unicode.LittleEndian
	if big {
		order = unicode.BigEndian
	}
	b, err := unicode.UTF16(order, unicode.UseBOM).NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestUTF16Event: a UTF-16 copy of a real event (testdata/voevent-utf16.xml)
// is sent by sendvo and acked by the receiver, a big-endian copy is acked over
// a raw socket, both reach subscribers (one through an XPath filter) byte for
// byte and are archived byte for byte; a DTD in UTF-16 is refused with the
// DTD reason by the receiver, and by sendvo before it sends.
func TestUTF16Event(t *testing.T) {
	ports := porttest.Free(t, 2)
	data := t.TempDir()
	b := startRelay(t, "utf16", data, ports[0], ports[1], "--broadcast-test-interval", "0")
	all := dialSub(t, addr(ports[1]), nil)
	hotwired := dialSub(t, addr(ports[1]), []string{"//Who/AuthorIVORN[contains(., 'hotwired')]"})
	waitFor(t, "two subscribers", func() bool { return strings.Count(b.logText(), "New subscriber at") == 2 })

	le := readFile(t, "testdata/voevent-utf16.xml")
	if !bytes.HasPrefix(le, []byte{0xFF, 0xFE}) {
		t.Fatal("testdata/voevent-utf16.xml is not UTF-16LE with a byte-order mark")
	}
	r := run(t, "", nil, "sendvo", addr(ports[0]), "testdata/voevent-utf16.xml")
	if r.code != 0 || !strings.Contains(r.stdout, "ACK received") || !strings.Contains(r.stdout, "ivo://hotwired.org/gaia_demo#1") {
		t.Fatalf("sendvo of the UTF-16 event: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	utf8 := strings.Replace(string(sample(t)), "encoding='UTF-8'", "encoding='UTF-16'", 1)
	be := utf16(t, string(withIVORN([]byte(utf8), "ivo://hotwired.org/gaia_demo#be")), true)
	if m := submit(t, addr(ports[0]), be); m.Role != vtp.RoleAck || m.Origin != "ivo://hotwired.org/gaia_demo#be" {
		t.Fatalf("UTF-16BE event: %s %q (%s)", m.Role, m.Origin, m.Result)
	}
	waitFor(t, "both events at both subscribers", func() bool { return len(all.got()) == 2 && len(hotwired.got()) == 2 })
	if got := all.got(); !bytes.Equal(got[0], le) || !bytes.Equal(got[1], be) {
		t.Error("the broadcast bytes differ from the submitted bytes")
	}

	// The archive keeps the bytes as received.
	for key, want := range map[string][]byte{"ivo://hotwired.org/gaia_demo#1": le, "ivo://hotwired.org/gaia_demo#be": be} {
		r := run(t, "", nil, "events", "show", key, "--raw", "--data-dir", data)
		if r.code != 0 || r.stdout != string(want) {
			t.Errorf("events show %s --raw: exit %d, %d bytes (want %d) %s", key, r.code, len(r.stdout), len(want), r.stderr)
		}
	}

	// A DTD, however encoded, is refused for what it is.
	dtd := "<?xml version='1.0' encoding='UTF-16'?>\n<!DOCTYPE voe:VOEvent [<!ENTITY x 'y'>]>\n" + utf8[strings.Index(utf8, "<voe:VOEvent"):]
	for _, big := range []bool{false, true} {
		raw := utf16(t, string(withIVORN([]byte(dtd), "ivo://hotwired.org/gaia_demo#dtd")), big)
		if m := submit(t, addr(ports[0]), raw); m.Role != vtp.RoleNak || m.Result != "Event rejected: DTD or entity declarations are not accepted" {
			t.Errorf("UTF-16 DTD (big-endian %v): %s %q", big, m.Role, m.Result)
		}
		file := filepath.Join(t.TempDir(), "dtd.xml")
		if err := os.WriteFile(file, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		if r := run(t, "", nil, "sendvo", addr(ports[0]), file); r.code != 6 || !strings.Contains(r.stderr, "DTD or entity declarations are not accepted") {
			t.Errorf("sendvo of a UTF-16 DTD (big-endian %v): exit %d %q", big, r.code, r.stderr)
		}
	}
}
