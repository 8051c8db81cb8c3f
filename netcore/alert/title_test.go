package alert

import "testing"

func TestTitleDoublesNoWord(t *testing.T) {
	for _, tc := range []struct{ mission, typ, want string }{
		{"Swift BAT", "BAT position", "Swift BAT position"},
		{"Swift XRT", "XRT position", "Swift XRT position"},
		{"Fermi GBM", "Flight position", "Fermi GBM Flight position"},
		{"Fermi LAT", "LAT offline position", "Fermi LAT offline position"},
		{"LVK", "LVK test", "LVK test"},
		{"Swift BAT-GUANO", "Initial", "Swift BAT-GUANO Initial"},
		{"AGILE MCAL", "MCAL", "AGILE MCAL"},
		{"", "Preliminary", "Preliminary"},
		{"IceCube", "", "IceCube"},
		{"Swift", "Slew", "Swift Slew"},
	} {
		if got := Title(tc.mission, tc.typ); got != tc.want {
			t.Errorf("Title(%q, %q) = %q, want %q", tc.mission, tc.typ, got, tc.want)
		}
	}
}
