package notice

import (
	"math"
	"strconv"
	"strings"

	"github.com/starling-broker/starling/netcore/alert"
	"github.com/starling-broker/starling/netcore/voevent"
)

// lvkVOEventTypes maps an LVK VOEvent's AlertType param to the one model's types.
var lvkVOEventTypes = map[string]string{
	"earlywarning": "Early warning",
	"preliminary":  "Preliminary",
	"initial":      "Initial",
	"update":       "Update",
	"retraction":   "Retraction",
}

// SummarizeVOEvent describes a parsed VOEvent (see voevent.Parse): its
// IVORN is the dedup key; its trigger is the GCN trigger number (TrigID,
// Trigger_Number, IceCube/AMON run_id_event_id, SVOM Burst_Id), else the LVK GraceID, else
// the first IVORN it cites, else ""; its alert type comes from the LVK
// AlertType or the GCN Packet_Type; a retraction is an LVK retraction or a
// packet that cites another with cite="retraction". It never panics; a nil
// event gives a summary with only Format set.
func SummarizeVOEvent(ev *voevent.Event) alert.Summary {
	if ev == nil {
		return alert.Summary{Format: alert.FormatVOEvent}
	}
	return SummarizeParsed(ev, voevent.ReadFields(ev))
}

// SummarizeParsed is SummarizeVOEvent for a caller that already has the
// event's voevent.Fields, so that it is not made twice.
func SummarizeParsed(ev *voevent.Event, vs voevent.Fields) alert.Summary {
	s := alert.Summary{Format: alert.FormatVOEvent}
	s.Key, s.Role = ev.IVORN, ev.Role
	s.Author, s.Description = vs.Author, vs.Description
	s.Test = ev.Role == "test"
	// GCN fills the position of a notice that has none (a GBM Alert) with
	// RA 0, Dec 0, error 0; so does CHIME/FRB's retraction.
	placeholder := vs.RA == 0 && vs.Dec == 0 && vs.ErrorRadius == 0
	if vs.HasPosition && !placeholder && vs.Dec >= -90 && vs.Dec <= 90 {
		s.HasPosition, s.RA, s.Dec = true, vs.RA, vs.Dec
		if vs.ErrorRadius > 0 {
			s.ErrorDeg = vs.ErrorRadius
		}
	}
	params := paramIndex(vs.Params)

	// Everything comes from the one parse that vs was made from.
	if s.Author == "" {
		s.Author = vs.AuthorName
	}
	if t, ok := parseTime(vs.ISOTime); ok {
		s.EventTime = t
	}
	s.Probability = vs.Probability
	cites := make([]citation, len(vs.Citations))
	for i, c := range vs.Citations {
		cites[i] = citation{ivorn: c.IVORN, cite: c.Cite}
	}

	ivorn := parseIVORNParts(ev.IVORN)
	s.Mission = missionOf(ivorn)
	packet, _ := strconv.Atoi(params["Packet_Type"].Value)
	pt := packetTypes[packet]
	if pt.test || strings.EqualFold(params["Test_Submission"].Value, "true") {
		s.Test = true
	}
	s.AlertType = pt.name
	if t := lvkVOEventTypes[strings.ToLower(params["AlertType"].Value)]; t != "" {
		s.AlertType = t
	}
	if s.AlertType == "" {
		s.AlertType = gbmTypeFromIVORN(ivorn)
	}
	for _, c := range cites {
		if strings.EqualFold(c.cite, "retraction") {
			s.Retraction = true
		}
	}
	if s.AlertType == "Retraction" {
		s.Retraction = true
	}
	if s.Retraction && s.AlertType == "" {
		s.AlertType = "Retraction"
	}

	s.Trigger = voeventTrigger(params, cites)
	if s.Mission == "INTEGRAL" {
		s.Trigger = integralTrigger(s.Trigger)
	}
	if s.Mission == "LVK" && isMockSuperevent(params["GraceID"].Value) {
		s.Test = true
	}
	if s.Mission == "LVK" {
		s.GW = voeventGW(params)
	}
	if s.Mission == "SVOM" && params["Instrument"].Value != "" {
		s.Mission += " " + params["Instrument"].Value
	}
	s.Description = voeventDescription(s, vs.Description)
	s.FAR = voeventFAR(params["FAR"])
	s.Significance = voeventSignificance(s.FAR, vs.Params)
	s.Text = voeventText(ev.IVORN, s.Author, s.Description, vs.Params, cites)
	return s
}

// paramIndex maps each param name to its first occurrence.
func paramIndex(ps []voevent.Param) map[string]voevent.Param {
	m := make(map[string]voevent.Param, len(ps))
	for _, p := range ps {
		p.Value = strings.TrimSpace(p.Value)
		if _, ok := m[p.Name]; !ok {
			m[p.Name] = p
		}
	}
	return m
}

// voeventTrigger picks the trigger key as SummarizeVOEvent describes.
// GCN uses TrigID 0, negative numbers and 0xFFFFFF for "no trigger".
func voeventTrigger(params map[string]voevent.Param, cites []citation) string {
	for _, name := range []string{"TrigID", "Trigger_Number"} {
		v := params[name].Value
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 0 && n != 0xFFFFFF {
			return v
		}
	}
	if id := params["Burst_Id"].Value; id != "" { // SVOM
		return id
	}
	run := firstNonEmpty(params["run_id"].Value, params["Run_ID"].Value)
	event := firstNonEmpty(params["event_id"].Value, params["Event_ID"].Value)
	if run != "" && event != "" {
		return run + "_" + event
	}
	if id := params["GraceID"].Value; id != "" {
		return id
	}
	for _, c := range cites {
		if c.ivorn != "" {
			return c.ivorn
		}
	}
	return ""
}

// voeventFAR reads a FAR param in Hz; IceCube and AMON give it per year.
func voeventFAR(p voevent.Param) float64 {
	v, err := strconv.ParseFloat(p.Value, 64)
	if err != nil || !(v > 0) || math.IsInf(v, 0) {
		return 0
	}
	unit := strings.ToLower(strings.ReplaceAll(p.Unit, " ", ""))
	switch unit {
	case "yr^-1", "yr-1", "/yr", "1/yr", "peryear", "year^-1":
		return v / secondsPerYear
	}
	return v
}

// voeventSignificance joins the FAR, the first signal-to-noise ratio, an
// IceCube signalness and an LVK classification.
func voeventSignificance(far float64, ps []voevent.Param) string {
	var snr, signalness, low string
	classes := map[string]float64{}
	for _, p := range ps {
		v, err := strconv.ParseFloat(strings.TrimSpace(p.Value), 64)
		ok := err == nil && !math.IsNaN(v) && !math.IsInf(v, 0)
		switch {
		case !ok:
		case snr == "" && strings.Contains(p.UCD, "stat.snr") && v > 0:
			snr = "SNR " + formatShort(v)
		case signalness == "" && strings.EqualFold(p.Name, "signalness"):
			signalness = "signalness " + formatShort(v)
		case p.Group == "Classification":
			classes[p.Name] = v
		case p.Name == "Significant" && v == 0:
			low = "low significance"
		}
	}
	return joinSignificance(farText(far), snr, signalness, topClass(classes), low)
}

// voeventText is the search text: IVORN, author, description, param names
// and values, cited IVORNs.
func voeventText(ivorn, author, description string, ps []voevent.Param, cites []citation) string {
	parts := []string{ivorn, author, description}
	for _, p := range ps {
		parts = append(parts, p.Name, p.Value)
	}
	for _, c := range cites {
		parts = append(parts, c.ivorn)
	}
	return joinText(parts...)
}

// integralTrigger keeps the trigger number of an INTEGRAL TrigID, whose
// upper bits count the notices of one burst (75972, 141508 and 272580 are
// notices 1, 2 and 4 of trigger 10436).
func integralTrigger(trigID string) string {
	n, err := strconv.ParseInt(trigID, 10, 64)
	if err != nil || n <= 0 {
		return trigID
	}
	return strconv.FormatInt(n&0xFFFF, 10)
}

// voeventDescription is one line for a person: mission, alert type and
// trigger, then the packet's own description unless it is GCN's
// boilerplate about the software that wrote it.
func voeventDescription(s alert.Summary, own string) string {
	trigger := s.Trigger
	if strings.Contains(trigger, "://") {
		trigger = "" // a cited IVORN: too long for one line
	}
	head := joinText(alert.Title(s.Mission, s.AlertType), trigger)
	if own == "" || strings.HasPrefix(own, "This VOEvent message was created with") {
		return head
	}
	if head == "" {
		return own
	}
	return head + ": " + own
}

// voeventGW reads an LVK VOEvent's classification (BNS, NSBH, BBH,
// MassGap, Terrestrial), properties (HasNS, HasRemnant, HasMassGap) and
// Significant params.
func voeventGW(params map[string]voevent.Param) *alert.GW {
	g := &alert.GW{}
	prob := func(name string) (float64, bool) {
		v, err := strconv.ParseFloat(params[name].Value, 64)
		return v, err == nil && v >= 0 && v <= 1
	}
	for _, c := range []string{"BNS", "NSBH", "BBH", "MassGap", "Terrestrial"} {
		if p, ok := prob(c); ok {
			if g.Classification == nil {
				g.Classification = map[string]float64{}
			}
			g.Classification[c] = p
		}
	}
	for name, into := range map[string]**float64{"HasNS": &g.HasNS, "HasRemnant": &g.HasRemnant, "HasMassGap": &g.HasMassGap} {
		if p, ok := prob(name); ok {
			*into = &p
		}
	}
	switch params["Significant"].Value {
	case "1", "true":
		g.Significant = new(bool)
		*g.Significant = true
	case "0", "false":
		g.Significant = new(bool)
	}
	if g.Empty() {
		return nil
	}
	return g
}
