// Package skymap reads HEALPix sky maps (FITS binary tables, multi-order
// NUNIQ or flat NESTED/RING, plain or gzipped), summarises them (most probable
// direction, credible areas, distance, probability inside a circle) and draws
// them as all-sky Mollweide images. A map read once is kept in a compact
// form (compact.go: the multi-order columns, little-endian) that ReadCompact
// reads back without FITS. It knows nothing of SQLite or Fyne.
package skymap

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// FITS files are made of 2880-byte blocks; headers are 80-character cards.
const (
	blockSize = 2880
	cardSize  = 80
	// maxHeaderBlocks bounds a header (36 cards a block): 1000 blocks is
	// 36,000 cards, far more than any sky map carries.
	maxHeaderBlocks = 1000
)

// Header is one HDU's header: its keywords in order, with their values.
type Header struct {
	// Keys are the keywords in the order of their cards (COMMENT and HISTORY left out).
	Keys []string
	// Values maps a keyword to its value: string (quotes removed, trailing
	// blanks trimmed), bool, int64 or float64.
	Values map[string]any
}

// String returns a keyword's string value and whether it has one.
func (h *Header) String(key string) (string, bool) {
	s, ok := h.Values[key].(string)
	return s, ok
}

// Int returns a keyword's integer value and whether it has one.
func (h *Header) Int(key string) (int64, bool) {
	n, ok := h.Values[key].(int64)
	return n, ok
}

// Float returns a keyword's numeric value (integer or real) and whether it has one.
func (h *Header) Float(key string) (float64, bool) {
	switch v := h.Values[key].(type) {
	case float64:
		return v, true
	case int64:
		return float64(v), true
	}
	return 0, false
}

// ParseHeader reads one header from the start of data: whole 2880-byte blocks
// of 80-character cards up to and including the END card. It returns the
// header and the number of bytes the header occupies (a multiple of 2880).
func ParseHeader(data []byte) (*Header, int, error) {
	h := &Header{Values: map[string]any{}}
	for block := 0; ; block++ {
		if block >= maxHeaderBlocks {
			return nil, 0, fmt.Errorf("FITS header has no END card in its first %d blocks", maxHeaderBlocks)
		}
		start := block * blockSize
		if start+blockSize > len(data) {
			if start == len(data) && block == 0 {
				return nil, 0, fmt.Errorf("FITS file is empty")
			}
			return nil, 0, fmt.Errorf("FITS header cut mid-block: block %d has %d of its 2880 bytes, and no END card came before", block, len(data)-start)
		}
		for c := start; c < start+blockSize; c += cardSize {
			card := data[c : c+cardSize]
			key := string(bytes.TrimRight(card[:8], " "))
			if key == "END" {
				return h, start + blockSize, nil
			}
			if err := checkCard(card); err != nil {
				return nil, 0, fmt.Errorf("FITS header card %d: %v", (c)/cardSize+1, err)
			}
			if key == "" || key == "COMMENT" || key == "HISTORY" || string(card[8:10]) != "= " {
				continue
			}
			v, err := parseValue(string(card[10:]))
			if err != nil {
				// Complex numbers and broken values: left out, so that a
				// keyword we need reads as missing or not a number.
				continue
			}
			if _, dup := h.Values[key]; !dup {
				h.Keys = append(h.Keys, key)
			}
			h.Values[key] = v
		}
	}
}

// checkCard refuses cards that are not printable ASCII, the first sign of a
// file that is not FITS at all.
func checkCard(card []byte) error {
	for _, b := range card {
		if b < 0x20 || b > 0x7e {
			return fmt.Errorf("byte 0x%02x is not printable ASCII: not a FITS header", b)
		}
	}
	return nil
}

// parseValue reads a card's value field (after "= "), dropping its comment.
func parseValue(s string) (any, error) {
	t := strings.TrimLeft(s, " ")
	if strings.HasPrefix(t, "'") {
		var b strings.Builder
		for i := 1; i < len(t); i++ {
			if t[i] == '\'' {
				if i+1 < len(t) && t[i+1] == '\'' {
					b.WriteByte('\'')
					i++
					continue
				}
				return strings.TrimRight(b.String(), " "), nil
			}
			b.WriteByte(t[i])
		}
		return nil, fmt.Errorf("string value has no closing quote")
	}
	if i := strings.IndexByte(t, '/'); i >= 0 {
		t = t[:i]
	}
	t = strings.TrimSpace(t)
	switch t {
	case "":
		return "", nil // an undefined value
	case "T":
		return true, nil
	case "F":
		return false, nil
	}
	if n, err := strconv.ParseInt(t, 10, 64); err == nil {
		return n, nil
	}
	f, err := strconv.ParseFloat(strings.NewReplacer("D", "E", "d", "e").Replace(t), 64)
	if err != nil {
		return nil, fmt.Errorf("value %q is neither a string, a logical nor a number", t)
	}
	return f, nil
}

// padded rounds n up to a whole number of blocks.
func padded(n int64) int64 { return (n + blockSize - 1) / blockSize * blockSize }

// maxDataSize bounds the data size a header may claim (1 PiB), so that the
// arithmetic cannot overflow; the caller compares the size with the bytes present.
const maxDataSize = 1 << 50

// dataSize is the size in bytes of an HDU's data (without padding), from
// BITPIX, NAXISn, PCOUNT and GCOUNT; sizes beyond limit are an error.
func dataSize(h *Header, limit int64) (int64, error) {
	bitpix, ok := h.Int("BITPIX")
	if !ok {
		return 0, fmt.Errorf("FITS header has no BITPIX (or not a whole number)")
	}
	switch bitpix {
	case 8, 16, 32, 64, -32, -64:
	default:
		return 0, fmt.Errorf("FITS BITPIX %d is not one of 8, 16, 32, 64, -32, -64", bitpix)
	}
	naxis, ok := h.Int("NAXIS")
	if !ok || naxis < 0 || naxis > 999 {
		return 0, fmt.Errorf("FITS NAXIS missing, not a whole number, or out of range")
	}
	if naxis == 0 {
		return 0, nil
	}
	size := int64(1)
	for i := int64(1); i <= naxis; i++ {
		n, ok := h.Int("NAXIS" + strconv.FormatInt(i, 10))
		if !ok || n < 0 {
			return 0, fmt.Errorf("FITS NAXIS%d missing, not a whole number, or negative", i)
		}
		if n != 0 && size > limit/n {
			return 0, fmt.Errorf("FITS header claims an absurd data size (NAXIS%d = %d)", i, n)
		}
		size *= n
	}
	pcount, _ := h.Int("PCOUNT")
	gcount, ok := h.Int("GCOUNT")
	if !ok {
		gcount = 1
	}
	if pcount < 0 || gcount < 0 || pcount > limit || gcount > limit {
		return 0, fmt.Errorf("FITS PCOUNT %d or GCOUNT %d out of range", pcount, gcount)
	}
	bytesPer := bitpix
	if bytesPer < 0 {
		bytesPer = -bytesPer
	}
	bytesPer /= 8
	size += pcount
	if gcount != 0 && size > limit/gcount/bytesPer {
		return 0, fmt.Errorf("FITS header claims an absurd data size (%d×%d elements)", gcount, size)
	}
	return bytesPer * gcount * size, nil
}

// FirstBinTable finds the first BINTABLE extension in a FITS file and returns
// its header and its data (the table's rows and heap, without padding).
func FirstBinTable(data []byte) (*Header, []byte, error) {
	if len(data) == 0 {
		return nil, nil, fmt.Errorf("FITS file is empty")
	}
	off := 0
	for hdu := 0; off < len(data); hdu++ {
		h, n, err := ParseHeader(data[off:])
		if err != nil {
			if hdu > 0 {
				return nil, nil, fmt.Errorf("HDU %d: %w", hdu, err)
			}
			return nil, nil, err
		}
		if hdu == 0 {
			if v, ok := h.Values["SIMPLE"].(bool); !ok || !v {
				return nil, nil, fmt.Errorf("not a FITS file: the first card is not SIMPLE = T")
			}
		}
		off += n
		remaining := int64(len(data) - off)
		size, err := dataSize(h, maxDataSize)
		if err != nil {
			return nil, nil, fmt.Errorf("HDU %d: %w", hdu, err)
		}
		if size > remaining {
			return nil, nil, fmt.Errorf("FITS file cut short (or its header lies): HDU %d needs %d bytes of data, %d present", hdu, size, remaining)
		}
		if x, _ := h.String("XTENSION"); x == "BINTABLE" {
			return h, data[off : off+int(size)], nil
		}
		skip := padded(size)
		if skip > remaining {
			skip = remaining
		}
		off += int(skip)
	}
	return nil, nil, fmt.Errorf("FITS file has no BINTABLE extension (no sky map table)")
}
