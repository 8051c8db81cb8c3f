package voevent

import (
	"testing"
	"time"
)

var benchPackets = []string{
	"voevent-parse/SWIFT_bat_position_v2.0_example.xml",
	"fink-voevent/ivo__gwnet_LVCMS191201o1Preliminary.xml",
	"voevent-parse/Gaia16aac.xml",
}

const benchFilter = "//Param[@name='Packet_Type' and @value='61']"

// BenchmarkOnePass is a receiver's and a broadcaster's whole work on one
// event, in one libxml2 pass: Check (read, IVORN, validate), Summarize and
// one subscriber filter.
func BenchmarkOnePass(b *testing.B) {
	c := &Checker{Schema: loadSchema(b)}
	f, err := CompileFilter(benchFilter)
	if err != nil {
		b.Fatal(err)
	}
	for _, name := range benchPackets {
		raw := samplePacket(b, name)
		b.Run(name[:8], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				ev, err := c.Check(raw)
				if err != nil {
					b.Fatal(err)
				}
				_ = ReadFields(ev)
				_ = f.Match(ev)
			}
		})
	}
}

// BenchmarkStages splits BenchmarkOnePass into its parts on the Swift packet.
func BenchmarkStages(b *testing.B) {
	benchStages(b, samplePacket(b, benchPackets[0]))
}

// BenchmarkStagesTestEvent is BenchmarkStages on the small test event that
// `starling bench submit` sends.
func BenchmarkStagesTestEvent(b *testing.B) {
	benchStages(b, TestEvent("ivo://bench/x", time.Unix(0, 0)))
}

func benchStages(b *testing.B, raw []byte) {
	sch := loadSchema(b)
	ev := mustParse(b, raw)
	f, err := CompileFilter(benchFilter)
	if err != nil {
		b.Fatal(err)
	}
	for _, s := range []struct {
		name string
		f    func()
	}{
		{"parse", func() { _, _ = Parse(raw) }},
		{"validate", func() { _ = sch.Validate(ev) }},
		{"summary", func() { _ = ReadFields(ev) }},
		{"filter", func() { _ = f.Match(ev) }},
	} {
		b.Run(s.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s.f()
			}
		})
	}
}
