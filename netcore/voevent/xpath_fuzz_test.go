package voevent

import (
	"os"
	"testing"
)

// FuzzFilter compiles arbitrary XPath (as a subscriber's authenticate answer
// may carry) and evaluates what compiles against a real packet: never a panic.
func FuzzFilter(f *testing.F) {
	for _, s := range []string{
		"//Param[@name='Packet_Type' and @value='61']",
		"/*[local-name()='VOEvent'][@role='observation']",
		"count(//Param) > 5", "string(//Who/Date)", "1 div 0", "//voe:VOEvent",
		"//Param[", "))", "substring-before(//Who/AuthorIVORN, '/')",
	} {
		f.Add(s)
	}
	raw, err := os.ReadFile("testdata/voevent-parse/SWIFT_bat_position_v2.0_example.xml")
	if err != nil {
		f.Fatal(err)
	}
	ev, err := Parse(raw)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		flt, err := CompileFilter(expr)
		if err != nil {
			return
		}
		flt.Match(ev)
	})
}
