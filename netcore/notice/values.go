package notice

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/starling-broker/starling/netcore/alert"
)

var (
	errTrailing  = errors.New("data after the JSON value")
	errNotObject = errors.New("not a JSON object")
)

// has reports whether obj holds key with a non-null value.
func has(obj map[string]any, key string) bool {
	v, ok := obj[key]
	return ok && v != nil
}

// sub is obj[key] as an object; nil when it is not one.
func sub(obj map[string]any, key string) map[string]any {
	m, _ := obj[key].(map[string]any)
	return m
}

// scalar is a JSON string, number or boolean as text; "" for anything else.
func scalar(v any) string {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	}
	return ""
}

// str is obj[key] as text (see scalar).
func str(obj map[string]any, key string) string {
	return scalar(obj[key])
}

// strs is obj[key] as a list of non-empty texts: a scalar gives one, a list
// gives its scalars.
func strs(obj map[string]any, key string) []string {
	var out []string
	switch x := obj[key].(type) {
	case []any:
		for _, e := range x {
			if t := scalar(e); t != "" {
				out = append(out, t)
			}
		}
	default:
		if t := scalar(x); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// number is v as a finite float when it is a JSON number.
func number(v any) (float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(n.String(), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// num is obj[key] as a finite float.
func num(obj map[string]any, key string) (float64, bool) {
	return number(obj[key])
}

// timeLayouts are the date-time forms seen in notices: RFC 3339 with or
// without a zone, fractions of any length, and a space instead of the T.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
}

// parseTime reads a notice's date-time as UTC; a time without a zone is UTC.
func parseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// joinText joins the non-empty parts with single spaces, for search text.
func joinText(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(p)
	}
	return b.String()
}

// setPosition reads ra, dec (degrees) and their error from obj: ra_dec_error
// is a radius or an ellipse [a, b, angle] (the larger semi-axis is kept), and
// the draft ra_uncertainty is a one-element list.
func setPosition(s *alert.Summary, obj map[string]any) {
	ra, okRA := num(obj, "ra")
	dec, okDec := num(obj, "dec")
	if !okRA || !okDec || dec < -90 || dec > 90 {
		return
	}
	s.HasPosition, s.RA, s.Dec = true, ra, dec
	s.ErrorDeg = errorRadius(obj["ra_dec_error"])
	if s.ErrorDeg == 0 {
		s.ErrorDeg = errorRadius(obj["ra_uncertainty"])
	}
	if p, ok := num(obj, "containment_probability"); ok && p > 0 && p <= 1 {
		s.Containment = p
	}
}

// errorRadius is a radius, or the larger of an ellipse's two semi-axes.
func errorRadius(v any) float64 {
	if r, ok := number(v); ok && r > 0 {
		return r
	}
	list, _ := v.([]any)
	best := 0.0
	for i, e := range list {
		if i == 2 {
			break // the ellipse's position angle
		}
		if r, ok := number(e); ok && r > best {
			best = r
		}
	}
	return best
}
