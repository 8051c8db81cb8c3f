package skymap

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Column is one field of a FITS binary table, as TTYPEn and TFORMn give it.
type Column struct {
	// Name is TTYPEn (upper case).
	Name string
	// Type is the TFORMn data type letter: K, J, D, E, … .
	Type byte
	// Repeat is how many values of Type each row holds (TFORMn's count, default 1).
	Repeat int
	// Offset is the column's byte offset within a row.
	Offset int
}

// width is the bytes one value of a TFORM type takes; X (bits) is special.
var width = map[byte]int{
	'L': 1, 'X': 1, 'B': 1, 'I': 2, 'J': 4, 'K': 8, 'A': 1,
	'E': 4, 'D': 8, 'C': 8, 'M': 16, 'P': 8, 'Q': 16,
}

// Table is a FITS binary table: its columns and its rows, read in place.
type Table struct {
	// Header is the BINTABLE extension's header.
	Header *Header
	// Columns are the fields in order.
	Columns []Column
	// RowBytes is NAXIS1 and Rows is NAXIS2.
	RowBytes, Rows int
	data           []byte
}

// ReadTable reads the first BINTABLE extension of a FITS file (plain bytes).
// Sizes claimed by the header are checked against the bytes present.
func ReadTable(fits []byte) (*Table, error) {
	h, data, err := FirstBinTable(fits)
	if err != nil {
		return nil, err
	}
	naxis, _ := h.Int("NAXIS")
	rowBytes, ok1 := h.Int("NAXIS1")
	rows, ok2 := h.Int("NAXIS2")
	if naxis != 2 || !ok1 || !ok2 {
		return nil, fmt.Errorf("BINTABLE is not two-dimensional (NAXIS = %d)", naxis)
	}
	if rowBytes*rows > int64(len(data)) {
		return nil, fmt.Errorf("BINTABLE rows (%d × %d bytes) exceed its data (%d bytes)", rows, rowBytes, len(data))
	}
	if rows > 0 && rowBytes <= 0 {
		return nil, fmt.Errorf("BINTABLE has %d rows of %d bytes", rows, rowBytes)
	}
	nf, ok := h.Int("TFIELDS")
	if !ok || nf < 0 || nf > 999 {
		return nil, fmt.Errorf("BINTABLE TFIELDS missing or out of range (0–999)")
	}
	t := &Table{Header: h, RowBytes: int(rowBytes), Rows: int(rows), data: data}
	off := 0
	for i := 1; i <= int(nf); i++ {
		n := strconv.Itoa(i)
		name, _ := h.String("TTYPE" + n)
		form, ok := h.String("TFORM" + n)
		if !ok {
			return nil, fmt.Errorf("BINTABLE column %d has no TFORM%d", i, i)
		}
		c, bytes, err := parseTForm(form, int(rowBytes))
		if err != nil {
			return nil, fmt.Errorf("BINTABLE column %d (%s): %v", i, name, err)
		}
		c.Name = strings.ToUpper(strings.TrimSpace(name))
		c.Offset = off
		off += bytes
		if off > int(rowBytes) {
			return nil, fmt.Errorf("BINTABLE columns take more than a row's %d bytes (NAXIS1)", rowBytes)
		}
		t.Columns = append(t.Columns, c)
	}
	return t, nil
}

// parseTForm reads a TFORM value such as "K", "1024E" or "16A"; it returns
// the column and the bytes it takes in a row (at most rowBytes).
func parseTForm(form string, rowBytes int) (Column, int, error) {
	s := strings.TrimSpace(form)
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	repeat := 1
	if i > 0 {
		n, err := strconv.Atoi(s[:i])
		if err != nil || n > rowBytes {
			return Column{}, 0, fmt.Errorf("TFORM %q: repeat count larger than the row", form)
		}
		repeat = n
	}
	if i >= len(s) {
		return Column{}, 0, fmt.Errorf("TFORM %q has no data type", form)
	}
	typ := s[i]
	w, ok := width[typ]
	if !ok {
		return Column{}, 0, fmt.Errorf("TFORM %q: unknown data type %q", form, typ)
	}
	bytes := repeat * w
	if typ == 'X' {
		bytes = (repeat + 7) / 8
	}
	if bytes > rowBytes {
		return Column{}, 0, fmt.Errorf("TFORM %q takes %d bytes, more than the row's %d", form, bytes, rowBytes)
	}
	return Column{Type: typ, Repeat: repeat}, bytes, nil
}

// Column returns the column named name (case-insensitive), or nil.
func (t *Table) Column(name string) *Column {
	for i := range t.Columns {
		if t.Columns[i].Name == strings.ToUpper(name) {
			return &t.Columns[i]
		}
	}
	return nil
}

// Len is the number of values a column holds: rows × repeat.
func (t *Table) Len(c *Column) int { return t.Rows * c.Repeat }

// Floats reads a numeric column (D, E, K or J), every row's values in turn
// (a repeat count of 1024 gives 1024 values a row, flattened).
func (t *Table) Floats(c *Column) ([]float64, error) {
	if !isNumeric(c.Type) {
		return nil, fmt.Errorf("column %s has type %c, want a number (D, E, K or J)", c.Name, c.Type)
	}
	out := make([]float64, 0, t.Len(c))
	t.each(c, func(b []byte) {
		switch c.Type {
		case 'D':
			out = append(out, math.Float64frombits(binary.BigEndian.Uint64(b)))
		case 'E':
			out = append(out, float64(math.Float32frombits(binary.BigEndian.Uint32(b))))
		case 'K':
			out = append(out, float64(int64(binary.BigEndian.Uint64(b))))
		case 'J':
			out = append(out, float64(int32(binary.BigEndian.Uint32(b))))
		}
	})
	return out, nil
}

// Ints reads an integer column (K or J), flattened as Floats is.
func (t *Table) Ints(c *Column) ([]int64, error) {
	if c.Type != 'K' && c.Type != 'J' {
		return nil, fmt.Errorf("column %s has type %c, want an integer (K or J)", c.Name, c.Type)
	}
	out := make([]int64, 0, t.Len(c))
	t.each(c, func(b []byte) {
		if c.Type == 'K' {
			out = append(out, int64(binary.BigEndian.Uint64(b)))
		} else {
			out = append(out, int64(int32(binary.BigEndian.Uint32(b))))
		}
	})
	return out, nil
}

func isNumeric(typ byte) bool { return typ == 'D' || typ == 'E' || typ == 'K' || typ == 'J' }

// each calls f with each value's bytes of column c, row by row.
func (t *Table) each(c *Column, f func([]byte)) {
	w := width[c.Type]
	for r := 0; r < t.Rows; r++ {
		row := t.data[r*t.RowBytes:]
		for k := 0; k < c.Repeat; k++ {
			o := c.Offset + k*w
			f(row[o : o+w])
		}
	}
}
