package ui

import (
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/starling-broker/starling/app"
)

// TopicChecklist is GCN's notice topics as checks, grouped by mission, that
// a search narrows as one types.
type TopicChecklist struct {
	content *fyne.Container
	// Checks are the topics' checks by topic name.
	Checks map[string]*widget.Check
	groups []checkGroup
}

type checkGroup struct {
	mission string
	heading *widget.Label
	topics  []string
}

func newTopicChecklist(groups []app.TopicGroup) *TopicChecklist {
	c := &TopicChecklist{content: container.NewVBox(), Checks: map[string]*widget.Check{}}
	for _, g := range groups {
		h := widget.NewLabelWithStyle(g.Mission, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		c.content.Add(h)
		c.groups = append(c.groups, checkGroup{mission: g.Mission, heading: h, topics: g.Topics})
		for _, t := range g.Topics {
			ch := widget.NewCheck(t, nil)
			c.Checks[t] = ch
			c.content.Add(ch)
		}
	}
	return c
}

// Filter shows the topics whose name or mission holds every word of q
// (case-insensitive), and the headings of the missions that keep one.
func (c *TopicChecklist) Filter(q string) {
	words := strings.Fields(strings.ToLower(q))
	for _, g := range c.groups {
		shown := false
		for _, t := range g.topics {
			hay := strings.ToLower(g.mission + " " + strings.ReplaceAll(t, "_", " ") + " " + t)
			ok := true
			for _, w := range words {
				if !strings.Contains(hay, w) {
					ok = false
					break
				}
			}
			if ok {
				c.Checks[t].Show()
				shown = true
			} else {
				c.Checks[t].Hide()
			}
		}
		if shown {
			g.heading.Show()
		} else {
			g.heading.Hide()
		}
	}
	c.content.Refresh()
}

// Visible lists the topics the search shows, in order.
func (c *TopicChecklist) Visible() []string {
	var out []string
	for _, g := range c.groups {
		for _, t := range g.topics {
			if c.Checks[t].Visible() {
				out = append(out, t)
			}
		}
	}
	return out
}

// Checked lists the ticked topics, sorted.
func (c *TopicChecklist) Checked() []string {
	var out []string
	for t, ch := range c.Checks {
		if ch.Checked {
			out = append(out, t)
		}
	}
	sort.Strings(out)
	return out
}
