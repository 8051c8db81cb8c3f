package ui

import (
	"math"
	"strconv"
)

// FormatAngle words an angle given in degrees by its size: arcseconds below
// an arcminute, arcminutes below a degree, degrees above ("1.2″", "3.5′",
// "2.78°"), with three significant figures at most.
func FormatAngle(deg float64) string {
	if math.IsNaN(deg) || math.IsInf(deg, 0) {
		return "unknown"
	}
	a := math.Abs(deg)
	switch {
	case a == 0:
		return "0″"
	case a < 1.0/60:
		return sig(deg*3600) + "″"
	case a < 1:
		return sig(deg*60) + "′"
	}
	return sig(deg) + "°"
}

// sig formats x with at most three significant figures, without an exponent.
func sig(x float64) string {
	a := math.Abs(x)
	digits := 0
	switch {
	case a < 1:
		digits = 3
	case a < 10:
		digits = 2
	case a < 100:
		digits = 1
	}
	if a < 0.001 {
		digits = 4
	}
	s := strconv.FormatFloat(x, 'f', digits, 64)
	if digits > 0 {
		for s[len(s)-1] == '0' {
			s = s[:len(s)-1]
		}
		if s[len(s)-1] == '.' {
			s = s[:len(s)-1]
		}
	}
	return s
}
