package skymap

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// ErrNoSkymap is returned by FromAlertJSON for alerts that carry no sky map.
var ErrNoSkymap = errors.New("alert carries no sky map")

// FromAlertJSON extracts and decodes the sky map embedded in an alert: the
// base64 FITS file in event.skymap (LVK igwn.gwalert) or healpix_file (GCN
// JSON notices). It returns the FITS bytes (possibly gzipped) for Read.
func FromAlertJSON(raw []byte) ([]byte, error) {
	var doc struct {
		Event       json.RawMessage `json:"event"`
		HealpixFile json.RawMessage `json:"healpix_file"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("alert is not a JSON object: %v", err)
	}
	field, value := "healpix_file", doc.HealpixFile
	if isNull(value) && !isNull(doc.Event) {
		var ev struct {
			Skymap json.RawMessage `json:"skymap"`
		}
		if err := json.Unmarshal(doc.Event, &ev); err != nil {
			return nil, fmt.Errorf("alert's event is not a JSON object: %v", err)
		}
		field, value = "event.skymap", ev.Skymap
	}
	if isNull(value) {
		return nil, fmt.Errorf("%w (no event.skymap nor healpix_file)", ErrNoSkymap)
	}
	var v any
	if err := json.Unmarshal(value, &v); err != nil {
		return nil, fmt.Errorf("%s is not a string", field)
	}
	return EmbeddedFITS(field, v)
}

// EmbeddedFITS decodes the value of an alert's sky map field (field names
// it: "event.skymap" or "healpix_file"), as encoding/json decoded it: the
// base64 text of a FITS file (possibly gzipped), which it returns for Read.
// A JSON alert's summary finds the field in its own parse
// (notice.SummarizeEmbedded), so that the alert is parsed once.
func EmbeddedFITS(field string, value any) ([]byte, error) {
	if value == nil {
		return nil, fmt.Errorf("%w (no event.skymap nor healpix_file)", ErrNoSkymap)
	}
	s, ok := value.(string)
	if !ok {
		return nil, fmt.Errorf("%s is not a string", field)
	}
	if strings.TrimSpace(s) == "" {
		return nil, fmt.Errorf("%w (%s is empty)", ErrNoSkymap, field)
	}
	data, err := decodeBase64(s)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", field, err)
	}
	if !looksLikeFITS(data) {
		return nil, fmt.Errorf("%s is base64 but not of a FITS file (a placeholder?): it starts %q", field, preview(data))
	}
	return data, nil
}

func isNull(v json.RawMessage) bool {
	v = bytes.TrimSpace(v)
	return len(v) == 0 || string(v) == "null"
}

// decodeBase64 decodes standard base64, ignoring white space, and says how
// the text is wrong when it is.
func decodeBase64(s string) ([]byte, error) {
	if hasSpace(s) {
		s = strings.Map(func(r rune) rune {
			if r == ' ' || r == '\n' || r == '\r' || r == '\t' {
				return -1
			}
			return r
		}, s)
	}
	if strings.HasSuffix(s, "...") || strings.HasSuffix(s, "…") {
		return nil, fmt.Errorf("base64 sky map is cut short (it ends in an ellipsis after %d characters)", len(s))
	}
	data, err := base64.StdEncoding.DecodeString(s)
	var bad base64.CorruptInputError
	if errors.As(err, &bad) {
		if int(bad) >= len(s)-4 && len(s)%4 != 0 {
			return nil, fmt.Errorf("base64 sky map is truncated (%d characters, not a multiple of 4)", len(s))
		}
		return nil, fmt.Errorf("not base64: bad character at offset %d", int(bad))
	}
	return data, err
}

// hasSpace reports whether s holds a blank, tab or line break, with one
// fast byte search for each.
func hasSpace(s string) bool {
	for _, c := range []byte(" \n\r\t") {
		if strings.IndexByte(s, c) >= 0 {
			return true
		}
	}
	return false
}

// looksLikeFITS is true for a FITS file's first card or gzip's magic bytes.
func looksLikeFITS(b []byte) bool {
	return bytes.HasPrefix(b, []byte("SIMPLE  =")) || (len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b)
}

func preview(b []byte) string {
	if len(b) > 16 {
		b = b[:16]
	}
	return string(b)
}
