package app

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/starling-broker/starling/netcore/alert"
	"github.com/starling-broker/starling/netcore/ephem"
	"github.com/starling-broker/starling/netcore/notice"
	"github.com/starling-broker/starling/netcore/voevent"
)

// AlertContext is what an alert's position means on the sky: how much of
// the probability its error radius holds, where it lies in the Galaxy, and
// how far the Sun and the Moon were from it when the event happened.
type AlertContext struct {
	// HasPosition is false when the alert gives no position; then nothing
	// else is set.
	HasPosition bool
	// RA, Dec and ErrorDeg are the position and its error radius (degrees;
	// ErrorDeg 0 when unknown). For a sky map they are its most probable
	// position, and FromSkymap is true.
	RA, Dec, ErrorDeg float64
	FromSkymap        bool
	// Containment is the probability (0–1) that the source lies within
	// ErrorDeg; 0 when it is not known.
	Containment float64
	// ContainmentNote qualifies it ("statistical only, 1σ"); "" when none.
	ContainmentNote string
	// ContainmentFrom says where the level comes from: "the notice" or
	// the documentation in containmentTable.
	ContainmentFrom string
	// L and B are the Galactic longitude and latitude (degrees).
	L, B float64
	// At is the time the Sun and Moon are taken at: the event time, else
	// the time received.
	At time.Time
	// SunDeg and MoonDeg are the Sun's and the Moon's geocentric angular
	// distances from the position (degrees).
	SunDeg, MoonDeg float64
	// MoonLit is the Moon's illuminated fraction (0–1).
	MoonLit float64
}

// containmentLevel is the documented containment of one mission's error radius.
type containmentLevel struct {
	level float64
	note  string
	from  string
}

// containmentTable is the one place that says what an error radius holds,
// by mission (alert.Summary.Mission), as the senders document it. A mission
// missing here is "unknown": nothing is guessed.
//   - Swift BAT, XRT, UVOT: 90 %, GCN's Swift notice page (gcn.gsfc.nasa.gov/swift.html,
//     "Error Boxes"); for XRT also GCN Circular 5628 ("the quoted XRT 90%
//     confidence radius"). Whether BAT's radius holds systematics has
//     changed over the mission (GCN Circular 6781), so no note says so.
//   - Fermi GBM: GCN's Fermi page (gcn.gsfc.nasa.gov/fermi.html): the
//     location error of GBM notices is the 1σ (68 %) statistical radius; the
//     systematic error (several degrees) is not included.
//   - IceCube: the notice itself says (src_error_90 / src_error_50 params,
//     "90% containment"), read by containmentFromParams, not from this table.
var containmentTable = map[string]containmentLevel{
	"Swift BAT":  {0.90, "", "GCN Swift notices"},
	"Swift XRT":  {0.90, "", "GCN Swift notices"},
	"Swift UVOT": {0.90, "", "GCN Swift notices"},
	"Fermi GBM":  {0.68, "1σ, statistical only", "GCN Fermi notices"},
}

// Context is the context of archived alert id (see ContextOf).
func (ar *Archive) Context(ctx context.Context, id int64) (AlertContext, error) {
	row, raw, err := ar.c.store.GetEventByID(ctx, id)
	if err != nil {
		return AlertContext{}, err
	}
	return ContextOf(row, raw), nil
}

// Context is the detail's alert context (ContextOf its row and raw bytes,
// with the params already read).
func (d EventDetail) Context() AlertContext { return contextOf(d.Row, d.Raw, d.Fields.Params) }

// ContextOf is the context of an archived alert from its row and raw bytes:
// the containment of its error radius (the notice's own word first, then
// containmentTable, else unknown), its Galactic coordinates and the Sun's
// and Moon's distances at the event time. An alert without a position (nor
// a sky map's most probable one) gets a zero AlertContext.
func ContextOf(row EventRow, raw []byte) AlertContext {
	var params []voevent.Param
	if row.Format != string(alert.FormatJSON) {
		if ev, err := voevent.Parse(raw); err == nil {
			params = voevent.ReadFields(ev).Params
		}
	}
	return contextOf(row, raw, params)
}

// contextOf is ContextOf with a VOEvent's params already read.
func contextOf(row EventRow, raw []byte, params []voevent.Param) AlertContext {
	var c AlertContext
	switch {
	case row.HasPosition:
		c.HasPosition, c.RA, c.Dec, c.ErrorDeg = true, row.RA, row.Dec, row.ErrorRadius
	case row.Skymap != nil && row.Skymap.NPix > 0:
		c.HasPosition, c.RA, c.Dec, c.FromSkymap = true, row.Skymap.RA, row.Skymap.Dec, true
	default:
		return c
	}
	if c.ErrorDeg > 0 {
		c.Containment, c.ContainmentNote, c.ContainmentFrom = containmentOf(row, raw, params)
	}
	c.L, c.B = ephem.EquatorialToGalactic(c.RA, c.Dec)
	c.At = row.EventTime
	if c.At.IsZero() {
		c.At = row.Received
	}
	if !c.At.IsZero() {
		c.SunDeg, c.MoonDeg, c.MoonLit = sunMoon(c.RA, c.Dec, c.At)
	}
	return c
}

// containmentOf finds the containment of row's error radius: a JSON
// notice's containment_probability, a VOEvent param that gives the same
// radius with its level (IceCube's src_error_90), else containmentTable.
func containmentOf(row EventRow, raw []byte, params []voevent.Param) (float64, string, string) {
	if row.Format == string(alert.FormatJSON) {
		if s := notice.Summarize(row.Topic, raw); s.Containment > 0 {
			return s.Containment, "", "the notice"
		}
	}
	if p := containmentFromParams(row.ErrorRadius, params); p > 0 {
		return p, "", "the notice"
	}
	if l, ok := containmentTable[row.Mission]; ok {
		return l.level, l.note, l.from
	}
	return 0, "", ""
}

// containmentFromParams reads the level of radius r from a param that
// gives r and names its containment in its name (src_error_90, Error90…).
func containmentFromParams(r float64, params []voevent.Param) float64 {
	for _, p := range params {
		name := strings.ToLower(p.Name)
		if !strings.Contains(name, "err") {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(p.Value), 64)
		if err != nil || math.Abs(v-r) > 1e-6*math.Max(1, r) {
			continue
		}
		switch {
		case strings.HasSuffix(name, "90"):
			return 0.90
		case strings.HasSuffix(name, "50"):
			return 0.50
		}
	}
	return 0
}

// sunMoon is the Sun's and Moon's geocentric distances from the J2000
// position (ra, dec) at t (degrees; the position is precessed to the
// equator of date, where ephem gives both) and the Moon's illuminated
// fraction, from the elongation and the distances (phase angle i:
// lit = (1 + cos i) / 2).
func sunMoon(ra, dec float64, t time.Time) (sun, moon, lit float64) {
	sra, sdec, sAU := ephem.Sun(t)
	mra, mdec, mKm := ephem.Moon(t)
	p := ephem.Precession(t).Apply(ephem.UnitVector(ra, dec))
	sun = ephem.VecSeparation(p, ephem.UnitVector(sra, sdec))
	moon = ephem.VecSeparation(p, ephem.UnitVector(mra, mdec))
	elong := ephem.Separation(sra, sdec, mra, mdec) * math.Pi / 180
	const auKm = 149597870.7
	r := sAU * auKm
	i := math.Atan2(r*math.Sin(elong), mKm-r*math.Cos(elong))
	return sun, moon, (1 + math.Cos(i)) / 2
}

// ContainmentText says the error radius's containment: "90 % containment",
// "68 % containment (1σ, statistical only)", "containment unknown"; "" when
// there is no error radius.
func (c AlertContext) ContainmentText() string {
	switch {
	case !c.HasPosition || c.ErrorDeg <= 0:
		return ""
	case c.Containment <= 0:
		return "containment unknown"
	}
	s := strconv.FormatFloat(100*c.Containment, 'f', -1, 64) + " % containment"
	if c.ContainmentNote != "" {
		s += " (" + c.ContainmentNote + ")"
	}
	return s
}

// GalacticText is "l 123.4° b −5.6°"; "" without a position.
func (c AlertContext) GalacticText() string {
	if !c.HasPosition {
		return ""
	}
	return fmt.Sprintf("l %.1f° b %s°", c.L, minus(fmt.Sprintf("%.1f", c.B)))
}

// SunMoonText is "Sun 112°, Moon 45° (62 % lit)" at the event time; "" without a position or a time.
func (c AlertContext) SunMoonText() string {
	if !c.HasPosition || c.At.IsZero() {
		return ""
	}
	return fmt.Sprintf("Sun %.0f°, Moon %.0f° (%.0f %% lit)", c.SunDeg, c.MoonDeg, 100*c.MoonLit)
}

// Lines are the context as the details print it, one "label: words" line
// each: error containment, Galactic coordinates, Sun and Moon. None
// without a position.
func (c AlertContext) Lines() []string {
	if !c.HasPosition {
		return nil
	}
	var out []string
	if t := c.ContainmentText(); t != "" {
		out = append(out, "Error radius: "+t)
	}
	pos := "Galactic: " + c.GalacticText()
	if c.FromSkymap {
		pos += " (most probable position)"
	}
	out = append(out, pos)
	if t := c.SunMoonText(); t != "" {
		out = append(out, "At the event time: "+t)
	}
	return out
}

// minus writes a leading hyphen-minus as a minus sign.
func minus(s string) string {
	if strings.HasPrefix(s, "-") {
		return "−" + s[1:]
	}
	return s
}
