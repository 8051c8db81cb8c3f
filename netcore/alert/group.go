package alert

import "sort"

// Group is one trigger's alerts as a timeline, for the window's
// "Preliminary → Initial → Update" line.
type Group struct {
	// Trigger is the trigger key the alerts share.
	Trigger string
	// Alerts are the alert types in their sequence order.
	Alerts []string
	// Retracted is true when any alert of the trigger is a retraction.
	Retracted bool
	// Test is true when any alert of the trigger is a test or mock.
	Test bool
}

// UnknownAlertType names an alert that has no type in a timeline.
const UnknownAlertType = "Notice"

// sequenceRanks places the alert types of known sequences: LVK (Early
// warning → Preliminary → Initial → Update), Fermi GBM (Alert → Flight →
// Ground → Final position), Swift (BAT → XRT → UVOT position), INTEGRAL
// (Wakeup → Refined → Offline position). A retraction always comes last.
var sequenceRanks = map[string]int{
	"Early warning": 0, "Preliminary": 1, "Initial": 2, "Update": 3, "Subsequent": 3,
	"Alert": 0, "Flight position": 1, "Ground position": 2, "Final position": 3,
	"BAT alert": 0, "BAT position": 1, "XRT position": 2, "UVOT position": 3,
	"Wakeup position": 0, "Refined position": 1, "Offline position": 2,
}

// retractionRank puts retractions after everything else.
const retractionRank = 1 << 20

// Timeline orders one trigger's summaries, given in received order, into
// their sequence: alerts of a known type by their place in it (so an
// Initial that arrives after a Retraction still shows before it), alerts of
// other types just after the alert received before them, and retractions
// last. The trigger is the first non-empty one among the summaries.
func Timeline(summaries []Summary) Group {
	var g Group
	type item struct {
		name string
		rank int
	}
	items := make([]item, 0, len(summaries))
	last := 0
	for _, s := range summaries {
		if g.Trigger == "" {
			g.Trigger = s.Trigger
		}
		g.Test = g.Test || s.Test
		name := s.AlertType
		if name == "" {
			name = UnknownAlertType
		}
		rank, known := sequenceRanks[name]
		switch {
		case s.Retraction || name == "Retraction":
			g.Retracted = true
			rank = retractionRank
		case !known:
			rank = last
		default:
			last = rank
		}
		items = append(items, item{name, rank})
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].rank < items[j].rank })
	for _, it := range items {
		g.Alerts = append(g.Alerts, it.name)
	}
	return g
}

// Timelines groups summaries, in received order, by their trigger and
// returns one timeline per trigger in the order triggers were first seen.
// Summaries without a trigger belong to no group.
func Timelines(summaries []Summary) []Group {
	var order []string
	byTrigger := map[string][]Summary{}
	for _, s := range summaries {
		if s.Trigger == "" {
			continue
		}
		if _, ok := byTrigger[s.Trigger]; !ok {
			order = append(order, s.Trigger)
		}
		byTrigger[s.Trigger] = append(byTrigger[s.Trigger], s)
	}
	groups := make([]Group, 0, len(order))
	for _, t := range order {
		groups = append(groups, Timeline(byTrigger[t]))
	}
	return groups
}
