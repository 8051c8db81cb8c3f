package assets

import _ "embed"

// SampleTestEvent is a small role="test" VOEvent 2.0 packet (the voevent-parse
// tutorial's my_gaia.xml), used as the template for benchmarks and demos.
//
//go:embed samples/my_gaia.xml
var SampleTestEvent []byte

// SampleObservation is a Swift BAT GRB position packet from NASA GCN.
//
//go:embed samples/swift_bat_position.xml
var SampleObservation []byte
