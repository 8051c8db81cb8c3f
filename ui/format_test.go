package ui

import (
	"math"
	"testing"
)

func TestFormatAngle(t *testing.T) {
	for _, c := range []struct {
		deg  float64
		want string
	}{
		{0, "0″"},
		{2.778e-05, "0.1″"},
		{1.0 / 3600, "1″"},
		{0.01, "36″"},
		{1.5 / 60, "1.5′"},
		{0.5, "30′"},
		{1, "1°"},
		{3.2, "3.2°"},
		{12.345, "12.3°"},
		{180, "180°"},
		{-0.5, "-30′"},
		{math.NaN(), "unknown"},
	} {
		if got := FormatAngle(c.deg); got != c.want {
			t.Errorf("FormatAngle(%g) = %q, want %q", c.deg, got, c.want)
		}
	}
}
