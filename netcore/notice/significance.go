package notice

import (
	"math"
	"sort"
	"strconv"
	"strings"
)

// Periods for FormatFAR, in seconds (a Julian year).
const (
	secondsPerYear  = 365.25 * 86400
	secondsPerMonth = secondsPerYear / 12
	secondsPerDay   = 86400
	secondsPerHour  = 3600
	secondsPerMin   = 60
)

// FormatFAR writes a false-alarm rate in Hz the way people read it: "1 per
// 350,000 years", "1 per 4.7 months", "1 per 16 days", "1 per 5 seconds".
// Counts below 10 keep one decimal, larger ones two significant figures,
// and millions and billions are named. It returns "" for a rate that is not
// positive and finite.
func FormatFAR(hz float64) string {
	if !(hz > 0) || math.IsInf(hz, 0) {
		return ""
	}
	period := 1 / hz
	units := []struct {
		secs float64
		name string
	}{
		{secondsPerYear, "year"},
		{secondsPerMonth, "month"},
		{secondsPerDay, "day"},
		{secondsPerHour, "hour"},
		{secondsPerMin, "minute"},
	}
	for _, u := range units {
		if period >= u.secs {
			return "1 per " + count(period/u.secs, u.name)
		}
	}
	return "1 per " + count(period, "second")
}

// count writes n of a unit: "1 year", "4.7 months", "350,000 years",
// "61 million years".
func count(n float64, unit string) string {
	var text string
	switch {
	case n >= 1e9:
		text = roundSig(n/1e9, 2) + " billion"
	case n >= 1e6:
		text = roundSig(n/1e6, 2) + " million"
	case n >= 10:
		text = roundSig(n, 2)
	default:
		text = strconv.FormatFloat(math.Round(n*10)/10, 'f', -1, 64)
	}
	if text == "1" {
		return "1 " + unit
	}
	return text + " " + unit + "s"
}

// roundSig rounds n to sig significant figures and writes it with thousands
// separators when it is a whole number of at least 1,000.
func roundSig(n float64, sig int) string {
	if n <= 0 {
		return "0"
	}
	mag := math.Pow(10, float64(sig)-math.Ceil(math.Log10(n)))
	r := math.Round(n*mag) / mag
	if r < 1000 {
		return strconv.FormatFloat(r, 'f', -1, 64)
	}
	digits := strconv.FormatFloat(r, 'f', 0, 64)
	var b strings.Builder
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// topClass is the most probable class of a classification map and its
// probability as "BNS 95%"; "" when the map is empty or all zero.
func topClass(classes map[string]float64) string {
	names := make([]string, 0, len(classes))
	for n := range classes {
		names = append(names, n)
	}
	sort.Strings(names) // ties go to the first name, whatever the map order
	best, bestP := "", 0.0
	for _, n := range names {
		if p := classes[n]; p > bestP {
			best, bestP = n, p
		}
	}
	if best == "" {
		return ""
	}
	return best + " " + strconv.Itoa(int(math.Round(bestP*100))) + "%"
}

// classification reads a JSON classification object ({"BNS": 0.95, …}).
func classification(obj map[string]any) map[string]float64 {
	out := map[string]float64{}
	for k, v := range obj {
		if p, ok := number(v); ok {
			out[k] = p
		}
	}
	return out
}

// joinSignificance joins the non-empty parts of a significance text with " · ".
func joinSignificance(parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, " · ")
}

// farText is "FAR " and FormatFAR, or "" for no rate.
func farText(hz float64) string {
	if f := FormatFAR(hz); f != "" {
		return "FAR " + f
	}
	return ""
}
