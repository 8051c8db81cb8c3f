package notice

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/starling-broker/starling/netcore/alert"
)

// schemaMissions names the missions of the GCN unified schema by the folder
// their schemas live in (https://gcn.nasa.gov/schema/<tag>/gcn/notices/<folder>/…).
var schemaMissions = map[string]string{
	"boom":           "BOOM",
	"burstcube":      "BurstCube",
	"chime":          "CHIME/FRB",
	"dsa110":         "DSA-110",
	"einstein_probe": "Einstein Probe",
	"fermi":          "Fermi",
	"glowbug":        "GLOWBUG",
	"icecube":        "IceCube",
	"km3net":         "KM3NeT",
	"lvk":            "LVK",
	"maxi":           "MAXI",
	"superk":         "Super-Kamiokande",
	"svom":           "SVOM",
	"swift":          "Swift",
}

// gbmSubtypes maps the Fermi GBM trigger notice's subtype to the GBM sequence.
var gbmSubtypes = map[string]string{
	"INITIAL_ALERT":   "Alert",
	"FLIGHT_POSITION": "Flight position",
	"GROUND_POSITION": "Ground position",
	"FINAL_POSITION":  "Final position",
}

// summarizeGCN fills the summary of a GCN notice in the unified JSON schema
// (the core Alert, Reporter, Event, Localization, … properties).
func summarizeGCN(s *alert.Summary, obj map[string]any, topic string) {
	mission, instrument := str(obj, "mission"), str(obj, "instrument")
	if mission == "" {
		mission = schemaMissions[missionFolder(str(obj, "$schema"), topic)]
	}
	s.Mission = mission
	if instrument != "" && !strings.Contains(strings.ToLower(mission), strings.ToLower(instrument)) {
		s.Mission = joinText(mission, instrument)
	}
	s.Author = s.Mission

	ids := strs(obj, "id")
	s.Trigger = strings.Join(ids, "|")
	eventName := strings.Join(strs(obj, "event_name"), " ")
	targets, _ := sub(obj, "data")["targets"].([]any)
	var target map[string]any
	if len(targets) > 0 {
		target, _ = targets[0].(map[string]any)
	}
	if s.Trigger == "" {
		s.Trigger = firstNonEmpty(str(obj, "ref_ID"), eventName, str(target, "event_name"))
	}

	rawType := str(obj, "alert_type")
	s.AlertType = gbmSubtypes[str(obj, "subtype")]
	if s.AlertType == "" {
		s.AlertType = capitalise(rawType)
	}
	s.Retraction = strings.EqualFold(rawType, "retraction")
	s.Test = strings.EqualFold(str(obj, "alert_tense"), "test")
	if t, ok := parseTime(str(obj, "trigger_time")); ok {
		s.EventTime = t
	}

	setPosition(s, obj)
	if !s.HasPosition {
		setPosition(s, sub(obj, "most_probable_direction"))
	}
	if !s.HasPosition && target != nil {
		setPosition(s, target)
	}

	if far, ok := num(obj, "far"); ok && far > 0 {
		s.FAR = far
	}
	s.Significance = joinSignificance(farText(s.FAR), snrText(obj),
		topClass(classification(sub(obj, "classification"))), pValueText(obj))

	s.Description = joinText(alert.Title(s.Mission, s.AlertType), firstNonEmpty(eventName, s.Trigger))
	if s.Retraction {
		if m := str(obj, "update_message"); m != "" {
			s.Description = m
		}
	}
	text := []string{s.Mission, s.Author, strings.Join(ids, " "), eventName, rawType,
		str(obj, "subtype"), str(obj, "type"), str(obj, "ref_ID"), str(obj, "trigger_type"),
		str(obj, "known_source"), str(obj, "follow_up_event"), str(obj, "description"),
		str(obj, "update_message"), str(obj, "additional_info"), str(target, "event_name")}
	text = append(text, sortedKeys(classification(sub(obj, "classification")))...)
	for _, k := range []string{"healpix_url", "data_archive_page", "url", "light_curve_url"} {
		text = append(text, str(obj, k))
	}
	s.Text = joinText(text...)
}

// missionFolder is the mission folder of a GCN $schema URL, or the mission
// part of a gcn.notices.<mission>… topic; "" when neither names one.
func missionFolder(schema, topic string) string {
	if _, rest, ok := strings.Cut(schema, "/gcn/notices/"); ok {
		folder, _, _ := strings.Cut(rest, "/")
		return folder
	}
	if rest, ok := strings.CutPrefix(topic, "gcn.notices."); ok {
		folder, _, _ := strings.Cut(rest, ".")
		return folder
	}
	return ""
}

// snrText is the notice's signal-to-noise ratio: snr, rate_snr or image_snr.
func snrText(obj map[string]any) string {
	for _, k := range []string{"snr", "rate_snr", "image_snr"} {
		if v, ok := num(obj, k); ok && v > 0 {
			return "SNR " + formatShort(v)
		}
	}
	return ""
}

// pValueText is a neutrino search's p-value (pval_generic).
func pValueText(obj map[string]any) string {
	if v, ok := num(obj, "pval_generic"); ok {
		return "p-value " + formatShort(v)
	}
	return ""
}

// capitalise turns "initial" into "Initial".
func capitalise(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return ""
	}
	return string(unicode.ToUpper(r)) + strings.ToLower(s[n:])
}

// firstNonEmpty is the first non-empty string.
func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// formatShort writes a value with three significant figures: 12.7, 0.0191.
func formatShort(v float64) string {
	return strconv.FormatFloat(v, 'g', 3, 64)
}
