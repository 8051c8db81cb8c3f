// Package vtp holds the VOEvent Transport Protocol: length-prefixed framing and
// the Transport messages (ack, nak, iamalive, authenticate) as Comet writes them.
package vtp

import (
	"bufio"
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

// checkLength vets a frame's declared length against the limit (max <= 0:
// DefaultMaxFrame); it is the one place that knows what a length may be.
func checkLength(n uint32, max int) error {
	if max <= 0 {
		max = DefaultMaxFrame
	}
	switch {
	case n == 0:
		return ErrEmptyFrame
	case int64(n) > int64(max):
		return &FrameTooLargeError{Declared: n, Limit: max}
	}
	return nil
}

// cutShort words a frame whose payload ended early.
func cutShort(n uint32, err error) error {
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("frame of %d bytes cut short: %w", n, err)
}

// ReadFrame reads one frame and returns its payload in a buffer of its own.
// It refuses an empty frame and a declared length above max without reading
// the payload. Readers of many frames use a FrameReader instead.
func ReadFrame(r io.Reader, max int) ([]byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(hdr[:])
	if err := checkLength(n, max); err != nil {
		return nil, err
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, cutShort(n, err)
	}
	return buf, nil
}

// FrameReader reads frames from a stream through one buffer: a frame that
// fits the buffer is returned without copying.
type FrameReader struct {
	br  *bufio.Reader
	max int
}

// NewFrameReader reads frames of at most max bytes (<= 0: DefaultMaxFrame)
// from r through a buffer of size bytes.
func NewFrameReader(r io.Reader, size, max int) *FrameReader {
	return &FrameReader{br: bufio.NewReaderSize(r, size), max: max}
}

// Buffered is how many bytes have arrived and wait to be read: a client
// that answers many frames flushes its answers when it reaches zero.
func (f *FrameReader) Buffered() int { return f.br.Buffered() }

// Next returns the next frame's payload. It is valid only until the next
// call. An empty frame gives ErrEmptyFrame and the stream can go on; a
// declared length above the limit gives a *FrameTooLargeError and the
// stream cannot (the payload is not read).
func (f *FrameReader) Next() ([]byte, error) {
	hdr, err := f.br.Peek(4)
	if err != nil {
		if err == io.EOF && f.br.Buffered() > 0 {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	n := binary.BigEndian.Uint32(hdr)
	if err := checkLength(n, f.max); err != nil {
		if n == 0 {
			f.br.Discard(4)
		}
		return nil, err
	}
	if int(n)+4 <= f.br.Size() {
		buf, err := f.br.Peek(int(n) + 4)
		if err != nil {
			return nil, cutShort(n, err)
		}
		f.br.Discard(int(n) + 4)
		return buf[4:], nil
	}
	f.br.Discard(4)
	buf := make([]byte, n)
	if _, err := io.ReadFull(f.br, buf); err != nil {
		return nil, cutShort(n, err)
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
