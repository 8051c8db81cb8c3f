package alert

import "strings"

// Title names an alert for a person: its mission, then its alert type
// without a leading word that the mission already ends with, so that
// "Swift BAT" and "BAT position" make "Swift BAT position", not "Swift BAT
// BAT position". Either may be empty.
func Title(mission, alertType string) string {
	mission, alertType = strings.TrimSpace(mission), strings.TrimSpace(alertType)
	switch {
	case mission == "":
		return alertType
	case alertType == "":
		return mission
	}
	last := mission[strings.LastIndexAny(mission, " -")+1:]
	first, rest, _ := strings.Cut(alertType, " ")
	if strings.EqualFold(first, last) {
		if rest == "" {
			return mission
		}
		return mission + " " + rest
	}
	return mission + " " + alertType
}
