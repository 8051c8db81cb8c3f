package kafka

import (
	"strings"
	"testing"
)

func TestClassify(t *testing.T) {
	for _, c := range []struct {
		value   string
		headers map[string]string
		want    Kind
		why     string
	}{
		{value: "<?xml version='1.0'?><voe:VOEvent/>", want: KindVOEvent},
		{value: "\ufeff\n  <voe:VOEvent/>", want: KindVOEvent},
		{value: `{"superevent_id": "S1"}`, want: KindJSON},
		{value: `[1,2]`, want: KindJSON},
		{value: `{"content": "…"}`, headers: map[string]string{HeaderFormat: "voevent"}, want: KindJSON},
		{value: `anything`, headers: map[string]string{HeaderFormat: "circular"}, want: KindJSON},
		{value: `abc`, headers: map[string]string{HeaderFormat: "avro"}, want: KindOther, why: "Hopskotch format avro"},
		{value: "", want: KindOther, why: "empty"},
		{value: "\x00\x01\x02", want: KindOther, why: "binary"},
		{value: "\xff\xfe<\x00?\x00x\x00", want: KindVOEvent}, // UTF-16LE with its byte-order mark
		{value: "\x00<\x00?\x00x", want: KindVOEvent},         // UTF-16BE without one
		{value: "hello", want: KindOther, why: "neither XML nor JSON"},
	} {
		got, why := Classify(&Record{Value: []byte(c.value), Headers: c.headers})
		if got != c.want || !strings.Contains(why, c.why) {
			t.Errorf("Classify(%q, %v) = %v %q, want %v %q", c.value, c.headers, got, why, c.want, c.why)
		}
	}
}

func TestRecordTest(t *testing.T) {
	for h, want := range map[string]bool{"true": true, "": true, "false": false, "0": false} {
		r := &Record{Headers: map[string]string{HeaderTest: h}}
		if r.Test() != want {
			t.Errorf("_test=%q: Test() = %v", h, r.Test())
		}
	}
	if (&Record{}).Test() {
		t.Error("a record without _test is a test")
	}
}

func TestSourceName(t *testing.T) {
	s := SourceName("igwn.gwalert")
	if !IsSource(s) || IsSource("upstream 1.2.3.4:8099") || IsSource("127.0.0.1") {
		t.Fatalf("SourceName/IsSource disagree: %q", s)
	}
}

func FuzzClassify(f *testing.F) {
	f.Add([]byte("<VOEvent/>"), "")
	f.Add([]byte(`{"a":1}`), "voevent")
	f.Add([]byte("\xef\xbb\xbf  "), "blob")
	f.Fuzz(func(t *testing.T, value []byte, format string) {
		r := &Record{Value: value}
		if format != "" {
			r.Headers = map[string]string{HeaderFormat: format}
		}
		k, why := Classify(r)
		if (k == KindOther) != (why != "") {
			t.Fatalf("Classify(%q, %q) = %v with reason %q", value, format, k, why)
		}
	})
}
