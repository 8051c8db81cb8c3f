package vtp

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestFrameRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	msgs := [][]byte{[]byte("<a/>"), bytes.Repeat([]byte("x"), 70000), []byte("z")}
	for _, m := range msgs {
		if err := WriteFrame(&buf, m); err != nil {
			t.Fatal(err)
		}
	}
	for i, want := range msgs {
		got, err := ReadFrame(&buf, DefaultMaxFrame)
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("frame %d: got %d bytes, want %d", i, len(got), len(want))
		}
	}
	if _, err := ReadFrame(&buf, DefaultMaxFrame); err != io.EOF {
		t.Fatalf("after last frame: got %v, want io.EOF", err)
	}
}

func TestFramePrefixIsBigEndian(t *testing.T) {
	got := AppendFrame(nil, []byte("abc"))
	if !bytes.Equal(got[:4], []byte{0, 0, 0, 3}) {
		t.Fatalf("prefix %v", got[:4])
	}
}

func TestReadFrameRefusals(t *testing.T) {
	le := make([]byte, 4)
	binary.LittleEndian.PutUint32(le, 500)
	cases := []struct {
		name  string
		input []byte
		check func(error) bool
		text  string
	}{
		{"empty frame", []byte{0, 0, 0, 0}, func(e error) bool { return errors.Is(e, ErrEmptyFrame) }, "empty frame"},
		{"too large", []byte{0, 0x20, 0, 1}, func(e error) bool { var t *FrameTooLargeError; return errors.As(e, &t) }, "limit is 1048576"},
		{"little endian", append(le, bytes.Repeat([]byte("x"), 500)...), func(e error) bool { var t *FrameTooLargeError; return errors.As(e, &t) }, "wrong byte order"},
		{"short header", []byte{0, 0}, func(e error) bool { return errors.Is(e, io.ErrUnexpectedEOF) }, ""},
		{"short payload", []byte{0, 0, 0, 10, 'a'}, func(e error) bool { return errors.Is(e, io.ErrUnexpectedEOF) }, "cut short"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadFrame(bytes.NewReader(c.input), DefaultMaxFrame)
			if err == nil || !c.check(err) {
				t.Fatalf("got %v", err)
			}
			if !strings.Contains(err.Error(), c.text) {
				t.Fatalf("error %q lacks %q", err, c.text)
			}
		})
	}
}

func TestReadFrameConfiguredLimit(t *testing.T) {
	in := AppendFrame(nil, bytes.Repeat([]byte("y"), 101))
	if _, err := ReadFrame(bytes.NewReader(in), 100); err == nil {
		t.Fatal("101-byte frame accepted with a 100-byte limit")
	}
	if _, err := ReadFrame(bytes.NewReader(in), 101); err != nil {
		t.Fatalf("101-byte frame refused with a 101-byte limit: %v", err)
	}
}

func FuzzReadFrame(f *testing.F) {
	f.Add(AppendFrame(nil, []byte("<x/>")), 16)
	f.Add([]byte{0, 0, 0, 0}, 16)
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 1}, 1<<20)
	f.Fuzz(func(t *testing.T, data []byte, max int) {
		if max > 1<<20 || max < -1 {
			max = 1 << 20
		}
		r := bytes.NewReader(data)
		for {
			p, err := ReadFrame(r, max)
			if err != nil {
				return
			}
			if len(p) == 0 || (max > 0 && len(p) > max) {
				t.Fatalf("frame of %d bytes passed limit %d", len(p), max)
			}
		}
	})
}
