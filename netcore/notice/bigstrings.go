package notice

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// Alerts that embed a sky map are a megabyte or two of base64 in one or
// two JSON strings and a few kilobytes of everything else. encoding/json
// walks every byte of a string through its state machine, twice (a scan to
// find the value, then the decode); finding a string's end with
// bytes.IndexByte is many times faster. So decodeObject first lifts every
// long string value out of the bytes, leaving a short stand-in, lets
// encoding/json parse what is left, and puts the strings back in the tree.
// The result is the same tree encoding/json gives for the whole input.

// liftMin is the length from which a string value is lifted out.
const liftMin = 4096

// nulEscape is the JSON escape of U+0000. The stand-ins begin with U+0000,
// which no other string of the input can hold when the input does not
// contain this escape (JSON has no other way to write it).
var nulEscape = []byte(`\u0000`)

// liftStrings returns raw with each string value of at least min bytes
// replaced by the stand-in "\u0000<k>" (k its index in spans), and the spans
// of the strings replaced (quotes included). It returns nil when there is
// nothing to lift or raw may hold a stand-in of its own; then raw is parsed
// as it is.
func liftStrings(raw []byte, min int) (small []byte, spans [][2]int) {
	if len(raw) < min || bytes.Contains(raw, nulEscape) {
		return nil, nil
	}
	at := 0 // raw[:at] is copied to small already, or lifted
	for i := 0; i < len(raw); {
		q := bytes.IndexByte(raw[i:], '"')
		if q < 0 {
			break
		}
		start := i + q
		end := stringEnd(raw, start)
		if end < 0 {
			return nil, nil // unterminated: encoding/json says so
		}
		i = end + 1
		if end-start-1 < min || isKey(raw, i) {
			continue
		}
		if small == nil {
			small = make([]byte, 0, 4096)
		}
		small = append(small, raw[at:start]...)
		small = append(small, `"\u0000`...)
		small = strconv.AppendInt(small, int64(len(spans)), 10)
		small = append(small, '"')
		spans = append(spans, [2]int{start, end + 1})
		at = end + 1
	}
	if len(spans) == 0 {
		return nil, nil
	}
	return append(small, raw[at:]...), spans
}

// stringEnd is the index of the quote that ends the string whose opening
// quote is at raw[start]; -1 when none does.
func stringEnd(raw []byte, start int) int {
	for k := start + 1; ; {
		q := bytes.IndexByte(raw[k:], '"')
		if q < 0 {
			return -1
		}
		end := k + q
		n := 0 // backslashes just before the quote
		for j := end - 1; j > start && raw[j] == '\\'; j-- {
			n++
		}
		if n%2 == 0 {
			return end
		}
		k = end + 1
	}
}

// isKey reports whether the string that ends just before raw[i] is an
// object key: a colon follows it.
func isKey(raw []byte, i int) bool {
	for ; i < len(raw); i++ {
		switch raw[i] {
		case ' ', '\t', '\n', '\r':
			continue
		case ':':
			return true
		}
		return false
	}
	return false
}

// liftedString is the value of a lifted JSON string (quotes included), as
// encoding/json decodes it; ok is false when it is not a valid string.
func liftedString(quoted []byte) (string, bool) {
	body := quoted[1 : len(quoted)-1]
	plain := true
	for _, c := range body {
		if c < 0x20 || c >= 0x7f || c == '\\' {
			plain = false
			break
		}
	}
	if plain {
		return string(body), true
	}
	var s string
	if err := json.Unmarshal(quoted, &s); err != nil {
		return "", false
	}
	return s, true
}

// liftedValues decodes the lifted strings; ok is false when one of them
// is not a valid JSON string.
func liftedValues(raw []byte, spans [][2]int) ([]string, bool) {
	vals := make([]string, len(spans))
	for k, sp := range spans {
		s, ok := liftedString(raw[sp[0]:sp[1]])
		if !ok {
			return nil, false
		}
		vals[k] = s
	}
	return vals, true
}

// restore puts the lifted strings back in place of their stand-ins in v,
// a tree that encoding/json decoded from the lifted bytes.
func restore(v any, vals []string) any {
	switch x := v.(type) {
	case string:
		if len(x) > 0 && x[0] == 0 {
			if k, err := strconv.Atoi(x[1:]); err == nil && k >= 0 && k < len(vals) {
				return vals[k]
			}
		}
	case map[string]any:
		for key, e := range x {
			x[key] = restore(e, vals)
		}
	case []any:
		for i, e := range x {
			x[i] = restore(e, vals)
		}
	}
	return v
}
