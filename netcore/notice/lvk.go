package notice

import (
	"sort"
	"strings"

	"github.com/starling-broker/starling/netcore/alert"
)

// lvkAlertTypes maps igwn.gwalert alert_type values to the alert types of
// the one event model.
var lvkAlertTypes = map[string]string{
	"EARLYWARNING": "Early warning",
	"PRELIMINARY":  "Preliminary",
	"INITIAL":      "Initial",
	"UPDATE":       "Update",
	"RETRACTION":   "Retraction",
}

// summarizeLVK fills the summary of an igwn.gwalert record (LVK Public
// Alerts User Guide, "Kafka notices"). A RETRACTION carries no event.
func summarizeLVK(s *alert.Summary, obj map[string]any) {
	id := str(obj, "superevent_id")
	raw := str(obj, "alert_type")
	s.Mission = "LVK"
	s.Author = "LIGO/Virgo/KAGRA"
	s.Trigger = id
	s.Test = isMockSuperevent(id)
	s.AlertType = lvkAlertTypes[strings.ToUpper(raw)]
	if s.AlertType == "" {
		s.AlertType = raw
	}
	s.Retraction = strings.EqualFold(raw, "RETRACTION")

	var text []string
	text = append(text, id, raw, s.AlertType)
	if urls := sub(obj, "urls"); urls != nil {
		text = append(text, str(urls, "gracedb"))
	}

	ev := sub(obj, "event")
	if ev != nil {
		if t, ok := parseTime(str(ev, "time")); ok {
			s.EventTime = t
		}
		if far, ok := num(ev, "far"); ok && far > 0 {
			s.FAR = far
		}
		classes := classification(sub(ev, "classification"))
		s.GW = lvkGW(ev, classes)
		top := topClass(classes)
		sig := ""
		if str(ev, "significant") == "false" {
			sig = "low significance"
		}
		s.Significance = joinSignificance(farText(s.FAR), top, sig)
		group, pipeline, search := str(ev, "group"), str(ev, "pipeline"), str(ev, "search")
		instruments := strings.Join(strs(ev, "instruments"), " ")
		text = append(text, group, pipeline, search, instruments)
		text = append(text, sortedKeys(classes)...)
		text = append(text, sortedKeys(classification(sub(ev, "properties")))...)
		s.Description = lvkDescription(id, s.AlertType, group, pipeline, instruments, top)
	} else {
		s.Description = "LVK " + id + " " + s.AlertType
	}
	if ext := sub(obj, "external_coinc"); ext != nil {
		obs, ivorn := str(ext, "observatory"), str(ext, "ivorn")
		text = append(text, "external_coinc", obs, str(ext, "search"), ivorn, str(ext, "gcn_notice_id"))
		if obs != "" {
			s.Description += ", with " + obs
		}
	}
	s.Text = joinText(text...)
}

// lvkDescription is one line for a person: "LVK MS181101ab Preliminary: CBC
// gstlal H1 L1 V1, BNS 95%".
func lvkDescription(id, alertType, group, pipeline, instruments, top string) string {
	d := strings.TrimSpace("LVK " + id + " " + alertType)
	detail := joinText(group, pipeline, instruments)
	if top != "" {
		detail = strings.TrimPrefix(detail+", "+top, ", ")
	}
	if detail != "" {
		d += ": " + detail
	}
	return d
}

// sortedKeys lists a map's keys in order.
func sortedKeys(m map[string]float64) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// isMockSuperevent reports whether a GraceDB superevent id is not a real
// candidate: M for mock (MDC) superevents, T for test ones; real ones start
// with S.
func isMockSuperevent(id string) bool {
	return strings.HasPrefix(id, "M") || strings.HasPrefix(id, "T")
}

// lvkGW reads an LVK event's classification, properties and significance.
func lvkGW(ev map[string]any, classes map[string]float64) *alert.GW {
	g := &alert.GW{}
	if len(classes) > 0 {
		g.Classification = classes
	}
	props := classification(sub(ev, "properties"))
	for name, into := range map[string]**float64{"HasNS": &g.HasNS, "HasRemnant": &g.HasRemnant, "HasMassGap": &g.HasMassGap} {
		if p, ok := props[name]; ok {
			*into = &p
		}
	}
	switch str(ev, "significant") {
	case "true":
		g.Significant = new(bool)
		*g.Significant = true
	case "false":
		g.Significant = new(bool)
	}
	if g.Empty() {
		return nil
	}
	return g
}
