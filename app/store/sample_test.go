package store

import (
	"os"

	"github.com/starling-broker/starling/netcore/alert"
	"github.com/starling-broker/starling/netcore/describe"
)

// benchText is the search text of a real Swift BAT position notice, so that
// admissions in tests and benchmarks index as much text as real ones do.
var benchText = func() string {
	raw, err := os.ReadFile("../../testdata/voevents/voevent-parse/SWIFT_bat_position_v2.0_example.xml")
	if err != nil {
		panic(err)
	}
	return describe.Raw(alert.FormatVOEvent, "", raw).Text
}()
