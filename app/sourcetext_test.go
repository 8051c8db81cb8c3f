package app

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

func TestSourceTextShowsNoticeTypeFirst(t *testing.T) {
	for _, tc := range []struct {
		row  EventRow
		want string
	}{
		{EventRow{Topic: "gcn.classic.voevent.SWIFT_BAT_GRB_POS_ACK", Source: "kafka: gcn.classic.voevent.SWIFT_BAT_GRB_POS_ACK"}, "SWIFT_BAT_GRB_POS_ACK (gcn.classic.voevent)"},
		{EventRow{Topic: "gcn.notices.swift.bat.guano"}, "swift.bat.guano (gcn.notices)"},
		{EventRow{Topic: "igwn.gwalert"}, "igwn.gwalert"},
		{EventRow{Source: "subscription: 4pisky"}, "4pisky"},
		{EventRow{Source: "dropped file GRB.xml"}, "dropped file GRB.xml"},
		{EventRow{Source: "192.0.2.7:41234"}, "192.0.2.7:41234"},
	} {
		if got := SourceText(tc.row); got != tc.want {
			t.Errorf("SourceText(%+v) = %q, want %q", tc.row, got, tc.want)
		}
	}
	// Every classic GCN topic in the real list begins with its notice type,
	// so that a cut cell still shows it.
	f, err := os.Open("../testdata/gcn-kafka-topics.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	for sc := bufio.NewScanner(f); sc.Scan(); {
		topic := strings.TrimSpace(sc.Text())
		if topic == "" || strings.HasPrefix(topic, "#") || !strings.HasPrefix(topic, "gcn.classic.") {
			continue
		}
		n++
		typ := topic[strings.LastIndexByte(topic, '.')+1:]
		if got := SourceText(EventRow{Topic: topic}); !strings.HasPrefix(got, typ) {
			t.Errorf("%s: %q does not begin with its notice type", topic, got)
		}
	}
	if n < 50 {
		t.Fatalf("only %d classic topics", n)
	}
}
