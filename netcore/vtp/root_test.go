package vtp

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestPeekRoot(t *testing.T) {
	cases := []struct {
		in   string
		want Root
		ok   bool
	}{
		{string(Ack("ivo://a/b", "ivo://c/d#e")), Root{Local: "Transport", Role: "ack", Namespace: Namespace, Start: 39}, true},
		{`<?xml version="1.0"?><!-- c<> --><voe:VOEvent xmlns:voe="http://www.ivoa.net/xml/VOEvent/v2.0" ivorn='ivo://x/y#a&amp;b' role="test"/>`,
			Root{Local: "VOEvent", Role: "test", IVORN: "ivo://x/y#a&b", Namespace: "http://www.ivoa.net/xml/VOEvent/v2.0", Start: 33}, true},
		{"\xef\xbb\xbf <Transport\n role = 'iamalive'>", Root{Local: "Transport", Role: "iamalive", Start: 4}, true},
		{`<VOEvent xmlns="urn:x" xmlns:voe="urn:y" role="observation">`, Root{Local: "VOEvent", Role: "observation", Namespace: "urn:x"}, true},
		{`<Transport role="ack"`, Root{}, false},
		{`<!DOCTYPE x><Transport role="ack"/>`, Root{}, false},
		{`<!--><Transport role="ack"/>`, Root{}, false},
		{`<Transport role=ack>`, Root{}, false},
		{`<Transport role="a"role="b">`, Root{}, false},
		{``, Root{}, false},
		{`text`, Root{}, false},
	}
	for _, c := range cases {
		got, ok := PeekRoot([]byte(c.in))
		if ok != c.ok || got != c.want {
			t.Errorf("PeekRoot(%q) = %+v, %v; want %+v, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestRootElement(t *testing.T) {
	for in, want := range map[string]string{
		"\xef\xbb\xbf<?xml version='1.0'?>\n<!-- hi -->\n<a>x</a>\n<!-- bye -->\n<?pi?>\n": "<a>x</a>",
		"<a/>":                    "<a/>",
		"  <a>\n</a>  \n":         "<a>\n</a>",
		"<?xml unterminated <a/>": "<?xml unterminated <a/>",
	} {
		if got := string(RootElement([]byte(in))); got != want {
			t.Errorf("RootElement(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFrameReader(t *testing.T) {
	big := bytes.Repeat([]byte("x"), 5000)
	var stream []byte
	for _, p := range [][]byte{[]byte("<a/>"), big, []byte("<b/>")} {
		stream = AppendFrame(stream, p)
	}
	stream = append(stream, 0, 0, 0, 0) // an empty frame: refused, the stream goes on
	stream = AppendFrame(stream, []byte("<c/>"))
	stream = append(stream, 0, 0, 0x20, 0) // 8 KiB declared, limit 6000
	fr := NewFrameReader(bytes.NewReader(stream), 64, 6000)
	for _, want := range []string{"<a/>", string(big), "<b/>"} {
		got, err := fr.Next()
		if err != nil || string(got) != want {
			t.Fatalf("Next = %.20q, %v; want %.20q", got, err, want)
		}
	}
	if _, err := fr.Next(); !errors.Is(err, ErrEmptyFrame) {
		t.Fatalf("empty frame gave %v", err)
	}
	if got, err := fr.Next(); err != nil || string(got) != "<c/>" {
		t.Fatalf("after an empty frame: %q, %v", got, err)
	}
	var tooLarge *FrameTooLargeError
	if _, err := fr.Next(); !errors.As(err, &tooLarge) || tooLarge.Declared != 0x2000 {
		t.Fatalf("oversized frame gave %v", err)
	}
	cut := NewFrameReader(bytes.NewReader(AppendFrame(nil, []byte("<abc/>"))[:7]), 64, 0)
	if _, err := cut.Next(); !errors.Is(err, io.ErrUnexpectedEOF) || !strings.Contains(err.Error(), "cut short") {
		t.Fatalf("a cut frame gave %v", err)
	}
}

func FuzzPeekRoot(f *testing.F) {
	f.Add([]byte(Ack("ivo://a/b", "ivo://c/d#e")))
	f.Add([]byte(`<?xml version="1.0"?><!-- c --><voe:VOEvent xmlns:voe="urn:v" ivorn='ivo://x/y#a&amp;b' role="test"/>`))
	f.Add([]byte("\xef\xbb\xbf <Transport role='iamalive'>"))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, ok := PeekRoot(b)
		if !ok {
			return
		}
		if r.Start < 0 || r.Start >= len(b) || b[r.Start] != '<' {
			t.Fatalf("PeekRoot(%q): Start %d does not point at '<'", b, r.Start)
		}
		if r.Local == "" || strings.ContainsAny(r.Local, " <>:") {
			t.Fatalf("PeekRoot(%q): local name %q", b, r.Local)
		}
		if el := RootElement(b); !bytes.HasPrefix(el, []byte{'<'}) {
			t.Fatalf("RootElement(%q) = %q does not start with the root", b, el)
		}
	})
}

func FuzzFrameReader(f *testing.F) {
	f.Add(AppendFrame(AppendFrame(nil, []byte("<a/>")), bytes.Repeat([]byte("y"), 300)), 64)
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 1, 'x'}, 16)
	f.Add([]byte{1, 0, 0, 0}, 4096)
	f.Fuzz(func(t *testing.T, stream []byte, size int) {
		size = 16 + size%8192
		if size < 16 {
			size = 16
		}
		fr := NewFrameReader(bytes.NewReader(stream), size, 4096)
		copyR := bytes.NewReader(stream)
		for range 64 {
			got, err := fr.Next()
			want, werr := ReadFrame(copyR, 4096)
			if (err == nil) != (werr == nil) || !bytes.Equal(got, want) {
				t.Fatalf("FrameReader and ReadFrame disagree: %q %v / %q %v", got, err, want, werr)
			}
			if err != nil && !errors.Is(err, ErrEmptyFrame) {
				return
			}
		}
	})
}
