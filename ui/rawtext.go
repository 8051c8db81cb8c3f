package ui

import (
	"bytes"
	"regexp"
	"strings"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/unicode"
)

// xmlEncoding is the encoding an XML declaration names.
var xmlEncoding = regexp.MustCompile(`^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']`)

// rawText is an alert's raw bytes as text for a person: a VOEvent in UTF-16
// (either byte order, with or without a byte-order mark), in EBCDIC or in an
// 8-bit encoding that its XML declaration names is decoded, as the broker's
// parser reads it; anything else (UTF-8, JSON) is shown as it is. The
// archive keeps the bytes as received: this is only for showing and copying.
func rawText(raw []byte) string {
	var enc encoding.Encoding
	switch {
	case bytes.HasPrefix(raw, []byte{0xFF, 0xFE}), len(raw) >= 2 && raw[0] != 0 && raw[1] == 0:
		enc = unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM)
		if !bytes.HasPrefix(raw, []byte{0xFF, 0xFE}) {
			enc = unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
		}
	case bytes.HasPrefix(raw, []byte{0xFE, 0xFF}), len(raw) >= 2 && raw[0] == 0 && raw[1] != 0:
		enc = unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM)
		if !bytes.HasPrefix(raw, []byte{0xFE, 0xFF}) {
			enc = unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)
		}
	case bytes.HasPrefix(raw, []byte{0x4C, 0x6F, 0xA7, 0x94}): // "<?xm" in EBCDIC
		enc = charmap.CodePage037 // enough to read the declaration, which names the code page
		if head, err := enc.NewDecoder().Bytes(raw[:min(len(raw), 200)]); err == nil {
			if named := declared(head); named != nil {
				enc = named
			}
		}
	default:
		enc = declared(raw[:min(len(raw), 200)])
	}
	if enc == nil {
		return string(raw)
	}
	text, err := enc.NewDecoder().Bytes(raw)
	if err != nil {
		return string(raw)
	}
	return string(text)
}

// declared is the encoding that head's XML declaration names, when it is
// one that needs decoding (not UTF-8 or ASCII) and is known; nil otherwise.
func declared(head []byte) encoding.Encoding {
	m := xmlEncoding.FindSubmatch(head)
	if m == nil {
		return nil
	}
	switch strings.ToLower(string(m[1])) {
	case "utf-8", "utf8", "us-ascii", "ascii", "utf-16", "utf-16le", "utf-16be":
		return nil // UTF-8 as it is; UTF-16 was told by its first bytes
	}
	enc, err := ianaindex.IANA.Encoding(string(m[1]))
	if err != nil {
		return nil
	}
	return enc
}
