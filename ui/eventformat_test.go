package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/netcore/alert"
)

func TestSexagesimalAndErrorUnits(t *testing.T) {
	for _, c := range []struct {
		got, want string
	}{
		{sexaRA(83.633), "05:34:31.9"}, {sexaRA(359.99999), "00:00:00.0"}, {sexaRA(-15), "23:00:00.0"},
		{sexaDec(22.0145), "+22:00:52"}, {sexaDec(-5.391), "−05:23:28"}, {sexaDec(-0.5), "−00:30:00"},
		{thousands(900300), "900,300"}, {thousands(999), "999"}, {thousands(1000), "1,000"},
		{distanceText(nil, nil), "—"}, {distanceText(ptr(39.76999609489013), ptr(8.308435058808886)), "39.77 ± 8.308 Mpc"},
		{errorText(0.0005), "1.8″"}, {errorText(0.05), "3′"}, {errorText(3.2), "3.2°"}, {errorText(0), ""},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestHighlightXMLAndJSON(t *testing.T) {
	colours := func(raw string) map[string]fyne.ThemeColorName {
		m := map[string]fyne.ThemeColorName{}
		for _, s := range highlight([]byte(raw)) {
			ts := s.(*widget.TextSegment)
			m[strings.TrimSpace(ts.Text)] = ts.Style.ColorName
		}
		return m
	}
	x := colours(`<Date>2012-09-07</Date><Param value="61"/>`)
	if x["<Date>"] != theme.ColorNamePrimary || x["2012-09-07"] != theme.ColorNameForeground || x[`"61"`] != theme.ColorNameSuccess {
		t.Errorf("XML colours %v", x)
	}
	j := colours(`{"far": 1e-9, "id": "S1"}`)
	if j[`"far"`] != theme.ColorNamePrimary || j["1e-9"] != theme.ColorNameWarning || j[`"S1"`] != theme.ColorNameSuccess {
		t.Errorf("JSON colours %v", j)
	}
	if got := highlight([]byte(`{"a":"` + strings.Repeat("x", 300) + `"}`)); !strings.Contains(got[len(got)-2].(*widget.TextSegment).Text, "300 bytes") {
		t.Errorf("a long JSON string is not shortened: %v", got)
	}
}

func ptr(v float64) *float64 { return &v }

// TestSummaryDistance: the detail's summary gives a sky map's distance, and
// "—" for a map without one (never "0 ± 0 Mpc").
func TestSummaryDistance(t *testing.T) {
	text := func(m *alert.SkymapSummary) string {
		_, text := summaryText(app.EventRow{Skymap: m})
		return text
	}
	if got := text(&alert.SkymapSummary{Area90: 30}); !strings.Contains(got, "Distance: —") || strings.Contains(got, "Mpc") {
		t.Errorf("a map without distance: %q", got)
	}
	if got := text(&alert.SkymapSummary{Area90: 30, DistMean: ptr(39.77), DistStd: ptr(8.308)}); !strings.Contains(got, "Distance: 39.77 ± 8.308 Mpc") {
		t.Errorf("a map with distance: %q", got)
	}
}
