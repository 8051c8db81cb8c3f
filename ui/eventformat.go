package ui

import (
	"fmt"
	"math"
	"time"
)

// Angle formatting for the Events panel. The Send panel's ui/format.go
// (FormatAngle) may replace these once both are merged.

// sexaRA formats a right ascension in degrees as HH:MM:SS.s.
func sexaRA(deg float64) string {
	deg = math.Mod(deg, 360)
	if deg < 0 {
		deg += 360
	}
	tenths := int64(math.Round(deg / 15 * 36000)) // tenths of a second of time
	tenths %= 24 * 36000
	return fmt.Sprintf("%02d:%02d:%04.1f", tenths/36000, tenths/600%60, float64(tenths%600)/10)
}

// sexaDec formats a declination in degrees as ±DD:MM:SS.
func sexaDec(deg float64) string {
	sign := "+"
	if deg < 0 {
		sign, deg = "−", -deg
	}
	secs := int64(math.Round(deg * 3600))
	return fmt.Sprintf("%s%02d:%02d:%02d", sign, secs/3600, secs/60%60, secs%60)
}

// errorText formats an error radius in degrees by its size (FormatAngle);
// "" when it is unknown.
func errorText(deg float64) string {
	if deg <= 0 {
		return ""
	}
	return FormatAngle(deg)
}

// distanceText formats a sky map's distance, mean ± standard deviation in
// Mpc; "—" when the map gives none (nil).
func distanceText(mean, std *float64) string {
	if mean == nil || std == nil {
		return "—"
	}
	return fmt.Sprintf("%.4g ± %.4g Mpc", *mean, *std)
}

// decimalDeg formats a coordinate in decimal degrees.
func decimalDeg(deg float64) string { return fmt.Sprintf("%.4f°", deg) }

// tableTime formats a time for a table cell: the time of day when it is
// today (UTC), else the date and time.
func tableTime(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	t, now = t.UTC(), now.UTC()
	if t.YearDay() == now.YearDay() && t.Year() == now.Year() {
		return t.Format("15:04:05")
	}
	return t.Format("2006-01-02 15:04")
}

// thousands formats n with commas between groups of three digits.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
