package notice

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestLiftedDecodeSamples checks that every sample notice, the LVK alerts
// with their megabyte sky maps among them, decodes to the same tree with
// long strings lifted out as encoding/json gives for the whole.
func TestLiftedDecodeSamples(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(noticeDir, "*", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatal(files, err)
	}
	lifted := 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, min := range []int{liftMin, 16} {
			if _, spans := liftStrings(raw, min); spans != nil {
				lifted++
			}
			checkLifted(t, f, raw, min)
		}
	}
	if lifted < 10 {
		t.Errorf("only %d decodes lifted a string", lifted)
	}
}

// checkLifted compares decodeLifted with encoding/json's decode of raw.
func checkLifted(t *testing.T, name string, raw []byte, min int) {
	t.Helper()
	got, gerr := decodeLifted(raw, min)
	want, werr := decodeWhole(raw)
	if (gerr == nil) != (werr == nil) || (gerr != nil && gerr.Error() != werr.Error()) {
		t.Fatalf("%s (lift from %d): error %v, encoding/json: %v", name, min, gerr, werr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s (lift from %d): trees differ", name, min)
	}
}

// TestLiftedDecodeEdges covers escapes, keys, bad strings and stand-in
// look-alikes, with strings lifted from 4 bytes.
func TestLiftedDecodeEdges(t *testing.T) {
	for _, raw := range []string{
		`{"a": "abcdefgh", "b": ["ijklmnop", {"c": "qrstuvwx"}]}`,
		`{"a": "abc\"def\\", "b": "\\\\\\\\"}`,
		`{"longkeyname": "v", "k": "longvalue"}`,
		`{"a": "bad \x escape here"}`,
		"{\"a\": \"control \x01 char\"}",
		"{\"a\": \"invalid \xff utf-8 \"}",
		`{"a": "\u0000 nul escape present", "b": "xxxxxxxx"}`,
		`{"a": "unterminated`,
		`{"a": "abcdefgh"} trailing "ijklmnop"`,
		`{"a": "abcdefgh", "a": "ijklmnop"}`,
		`["abcdefgh"]`,
		`{"a": x"abcdefgh"}`,
	} {
		checkLifted(t, raw, []byte(raw), 4)
	}
}

// FuzzLiftedDecode checks decodeLifted against encoding/json on mutated
// notices, with strings lifted from 4 bytes so that small inputs lift.
func FuzzLiftedDecode(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(noticeDir, "*", "*.json"))
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		if len(raw) <= 4096 {
			f.Add(raw)
		}
	}
	f.Add([]byte(`{"a": "abc\"def\\", "b": ["\u00e9\ud83d\ude00 long enough"]}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		checkLifted(t, "input", raw, 4)
	})
}
