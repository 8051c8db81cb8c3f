package notice

import (
	"bytes"
	"encoding/base64"
	"strings"
)

// minSkymapBase64 is the shortest base64 text that can hold a FITS file:
// one 2,880-byte header block.
const minSkymapBase64 = 2880 / 3 * 4

// skymapText is the base64 text of the sky map a record embeds: an LVK
// alert's event.skymap, else a GCN notice's healpix_file; "" for none.
func skymapText(obj map[string]any) string {
	if ev := sub(obj, "event"); ev != nil {
		if t, ok := ev["skymap"].(string); ok && t != "" {
			return t
		}
	}
	t, _ := obj["healpix_file"].(string)
	return t
}

// base64Chars marks the characters of standard base64 (padding aside).
var base64Chars = func() (t [256]bool) {
	for _, c := range []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") {
		t[c] = true
	}
	return t
}()

// looksLikeSkymap reports whether base64 text embeds what looks like a sky
// map: text long enough for a FITS header, of base64 characters only, that
// starts with a FITS "SIMPLE" card or the gzip magic. Placeholders
// ("stuff", "H4sIAAAAAAAAC.......") and "..."-truncated display copies fail.
func looksLikeSkymap(t string) bool {
	t = strings.TrimRight(t, "=")
	if len(t) < minSkymapBase64 {
		return false
	}
	for i := 0; i < len(t); i++ {
		if !base64Chars[t[i]] {
			return false
		}
	}
	head, err := base64.RawStdEncoding.DecodeString(t[:12])
	if err != nil {
		return false
	}
	return bytes.HasPrefix(head, []byte("SIMPLE")) || bytes.HasPrefix(head, []byte{0x1f, 0x8b})
}

// Embedded is the field of a JSON alert that embeds its sky map, as
// skymap.FromAlertJSON picks it: healpix_file unless it is null or
// missing, else the event's skymap.
type Embedded struct {
	// Field is "healpix_file" or "event.skymap"; "" when the alert has
	// neither (no sky map, and nothing to say about it).
	Field string
	// Value is the field's JSON value: a string (base64 FITS) for a map,
	// anything else for an alert that is wrong.
	Value any
	// EventNotObject is true when the alert's event is not a JSON object,
	// so that its sky map cannot be found.
	EventNotObject bool
	// text is the field's text, for LooksLikeSkymap.
	text string
}

// LooksLikeSkymap is what Summarize says in HasSkymap: whether the alert
// embeds what looks like a sky map (see alert.Summary.HasSkymap).
func (e Embedded) LooksLikeSkymap() bool { return looksLikeSkymap(e.text) }

// embeddedField finds the sky map field of a decoded alert (see Embedded).
func embeddedField(obj map[string]any) Embedded {
	if v := obj["healpix_file"]; v != nil {
		return Embedded{Field: "healpix_file", Value: v}
	}
	ev, present := obj["event"]
	if !present || ev == nil {
		return Embedded{}
	}
	m, ok := ev.(map[string]any)
	if !ok {
		return Embedded{Field: "event", EventNotObject: true}
	}
	if v := m["skymap"]; v != nil {
		return Embedded{Field: "event.skymap", Value: v}
	}
	return Embedded{}
}

// EmbeddedSkymap returns the sky map file (FITS, possibly gzipped) that a
// JSON alert embeds as base64 (LVK event.skymap or GCN healpix_file), for the
// skymap package to read; ok is false when there is none or it does not
// look like one (see alert.Summary.HasSkymap).
func EmbeddedSkymap(raw []byte) (file []byte, ok bool) {
	obj, err := decodeObject(raw)
	if err != nil {
		return nil, false
	}
	t := skymapText(obj)
	if !looksLikeSkymap(t) {
		return nil, false
	}
	file, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(t, "="))
	if err != nil {
		return nil, false
	}
	return file, true
}
