package vtp

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("boom") }

// TestDescribeReadError reads real streams through both kinds of
// FrameReader and checks the one wording of each way a read fails.
func TestDescribeReadError(t *testing.T) {
	frame := AppendFrame(nil, []byte("<a/>"))
	le := binary.LittleEndian.AppendUint32(nil, 100) // 100 bytes, wrong byte order
	for _, size := range []int{0, 64} {
		for _, c := range []struct {
			name   string
			stream io.Reader
			skip   int // frames read before the failure
			want   string
		}{
			{"nothing", bytes.NewReader(nil), 0, "closed the connection without sending anything"},
			{"after a frame", bytes.NewReader(frame), 1, "closed the connection"},
			{"mid-frame", bytes.NewReader(append(binary.BigEndian.AppendUint32(nil, 10), "abc"...)), 0,
				"closed the connection in the middle of a frame (frame of 10 bytes cut short)"},
			{"empty", bytes.NewReader(make([]byte, 4)), 0, "sent an empty frame"},
			{"little-endian", bytes.NewReader(append(le, make([]byte, 100)...)), 0,
				"exceeded the length limit: frame of 1677721600 bytes declared, limit is 1048576 (read little-endian it would be 100: wrong byte order?)"},
			{"broken", failingReader{}, 0, "sent an unreadable frame: boom"},
		} {
			fr := NewFrameReader(c.stream, size, 0)
			for range c.skip {
				if _, err := fr.Next(); err != nil {
					t.Fatal(err)
				}
			}
			_, err := fr.Next()
			if err == nil {
				t.Fatalf("%s (buffer %d): no error", c.name, size)
			}
			if got := DescribeReadError(err, fr.Frames(), 20*time.Second); got != c.want {
				t.Errorf("%s (buffer %d): %q, want %q", c.name, size, got, c.want)
			}
		}
		// A read deadline, before a frame and in the middle of one.
		for _, partial := range [][]byte{nil, binary.BigEndian.AppendUint32(nil, 10)} {
			a, b := net.Pipe()
			go a.Write(partial)
			b.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
			fr := NewFrameReader(b, size, 0)
			_, err := fr.Next()
			if got := DescribeReadError(err, fr.Frames(), 20*time.Second); got != "timed out after 20 seconds" {
				t.Errorf("deadline (buffer %d, %d bytes sent): %q (%v)", size, len(partial), got, err)
			}
			a.Close()
			b.Close()
		}
	}
}

// TestReadFrameReadsNoFurther: ReadFrame (the FrameReader without a buffer)
// leaves the bytes after its frame in the stream, and NextOwned's payload
// survives the next read.
func TestReadFrameReadsNoFurther(t *testing.T) {
	r := bytes.NewReader(append(AppendFrame(nil, []byte("one")), AppendFrame(nil, []byte("two"))...))
	if p, err := ReadFrame(r, 0); err != nil || string(p) != "one" {
		t.Fatalf("%q %v", p, err)
	}
	if r.Len() != 7 {
		t.Fatalf("%d bytes left, want 7", r.Len())
	}
	fr := NewFrameReader(strings.NewReader(string(AppendFrame(AppendFrame(nil, []byte("first")), []byte("other")))), 64, 0)
	p, err := fr.NextOwned()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fr.Next(); err != nil {
		t.Fatal(err)
	}
	if string(p) != "first" || fr.Frames() != 2 {
		t.Errorf("kept payload %q after the next read; %d frames", p, fr.Frames())
	}
}
