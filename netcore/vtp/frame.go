// Package vtp holds the VOEvent Transport Protocol: length-prefixed framing and
// the Transport messages (ack, nak, iamalive, authenticate) as Comet writes them.
package vtp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// DefaultMaxFrame is the largest payload accepted unless configured otherwise (1 MiB).
const DefaultMaxFrame = 1 << 20

// ErrEmptyFrame reports a frame whose declared length is zero.
var ErrEmptyFrame = errors.New("empty frame (declared length 0)")

// FrameTooLargeError reports a declared length above the limit; a little-endian
// prefix usually shows up as one of these.
type FrameTooLargeError struct {
	Declared uint32
	Limit    int
}

func (e *FrameTooLargeError) Error() string {
	msg := fmt.Sprintf("frame of %d bytes declared, limit is %d", e.Declared, e.Limit)
	if le := binary.LittleEndian.Uint32(binary.BigEndian.AppendUint32(nil, e.Declared)); le > 0 && int64(le) <= int64(e.Limit) {
		msg += fmt.Sprintf(" (read little-endian it would be %d: wrong byte order?)", le)
	}
	return msg
}

// ReadFrame reads one frame and returns its payload. It refuses an empty frame
// and a declared length above max without reading the payload.
func ReadFrame(r io.Reader, max int) ([]byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(hdr[:])
	if n == 0 {
		return nil, ErrEmptyFrame
	}
	if max <= 0 {
		max = DefaultMaxFrame
	}
	if int64(n) > int64(max) {
		return nil, &FrameTooLargeError{Declared: n, Limit: max}
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(r, buf); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("frame of %d bytes cut short: %w", n, err)
	}
	return buf, nil
}

// AppendFrame appends the length prefix and payload to dst.
func AppendFrame(dst, payload []byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(payload)))
	return append(dst, payload...)
}

// WriteFrame writes payload with its length prefix in a single Write call.
func WriteFrame(w io.Writer, payload []byte) error {
	_, err := w.Write(AppendFrame(make([]byte, 0, 4+len(payload)), payload))
	return err
}
