// Package vtp holds the VOEvent Transport Protocol: length-prefixed framing and
// the Transport messages (ack, nak, iamalive, authenticate) as Comet writes them.
package vtp

import (
	"bufio"
	"bytes"
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

// cutShortError is a frame whose payload ended early.
type cutShortError struct {
	declared uint32
	err      error // io.ErrUnexpectedEOF, or what the stream said
}

func (e *cutShortError) Error() string {
	return fmt.Sprintf("frame of %d bytes cut short: %v", e.declared, e.err)
}

func (e *cutShortError) Unwrap() error { return e.err }

// cutShort words a frame whose payload ended early.
func cutShort(n uint32, err error) error {
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return &cutShortError{declared: n, err: err}
}

// ReadFrame reads one frame from r and returns its payload in a buffer of
// its own, reading no byte past the frame. It refuses an empty frame and a
// declared length above max without reading the payload. It is a
// FrameReader without a buffer; readers of many frames keep a FrameReader.
func ReadFrame(r io.Reader, max int) ([]byte, error) {
	return NewFrameReader(r, 0, max).Next()
}

// FrameReader is the one reader of VTP frames: it reads length-prefixed
// frames from a stream, through a buffer (a frame that fits it is returned
// without copying) or, without one, exactly each frame's bytes.
type FrameReader struct {
	r        io.Reader     // the stream, read exactly when br is nil
	br       *bufio.Reader // the buffer, nil for exact reads
	max      int
	frames   int  // frames read
	borrowed bool // the last payload is in br's buffer
}

// NewFrameReader reads frames of at most max bytes (<= 0: DefaultMaxFrame)
// from r through a buffer of size bytes; with size <= 0 it reads no byte past
// each frame and every payload is a buffer of its own (for a connection that
// carries one frame, or whose bytes another reader takes after).
func NewFrameReader(r io.Reader, size, max int) *FrameReader {
	if size <= 0 {
		return &FrameReader{r: r, max: max}
	}
	return &FrameReader{r: r, br: bufio.NewReaderSize(r, size), max: max}
}

// Buffered is how many bytes have arrived and wait to be read: a client
// that answers many frames flushes its answers when it reaches zero.
func (f *FrameReader) Buffered() int {
	if f.br == nil {
		return 0
	}
	return f.br.Buffered()
}

// Frames is how many frames have been read so far (see DescribeReadError).
func (f *FrameReader) Frames() int { return f.frames }

// Next returns the next frame's payload. Through a buffer it is valid only
// until the next call (NextOwned keeps it). An empty frame gives
// ErrEmptyFrame and the stream can go on; a declared length above the limit
// gives a *FrameTooLargeError and the stream cannot (the payload is not
// read); end of stream between frames is io.EOF, within one
// io.ErrUnexpectedEOF.
func (f *FrameReader) Next() ([]byte, error) {
	f.borrowed = false
	var n uint32
	if f.br == nil {
		var hdr [4]byte
		if _, err := io.ReadFull(f.r, hdr[:]); err != nil {
			return nil, err
		}
		n = binary.BigEndian.Uint32(hdr[:])
		if err := checkLength(n, f.max); err != nil {
			return nil, err
		}
	} else {
		hdr, err := f.br.Peek(4)
		if err != nil {
			if err == io.EOF && f.br.Buffered() > 0 {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		n = binary.BigEndian.Uint32(hdr)
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
			f.frames++
			f.borrowed = true
			return buf[4:], nil
		}
		f.br.Discard(4)
	}
	var src io.Reader = f.r
	if f.br != nil {
		src = f.br
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(src, buf); err != nil {
		return nil, cutShort(n, err)
	}
	f.frames++
	return buf, nil
}

// NextOwned is Next with the payload in a buffer of the caller's own, for a
// payload kept past the next read (an event handed on).
func (f *FrameReader) NextOwned() ([]byte, error) {
	p, err := f.Next()
	if err == nil && f.borrowed {
		p = bytes.Clone(p)
	}
	return p, err
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
