package ui

import (
	"fmt"
	"image/color"
	"math"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/netcore/notice"
)

// gwClasses are LVK's source classes in the order the card draws them,
// with their colours on the class bar.
var gwClasses = []struct {
	name string
	col  color.NRGBA
}{
	{"BNS", color.NRGBA{0x3a, 0x7b, 0xd5, 0xff}},
	{"NSBH", color.NRGBA{0x2a, 0xa1, 0x98, 0xff}},
	{"BBH", color.NRGBA{0x8e, 0x5c, 0xc2, 0xff}},
	{"Terrestrial", color.NRGBA{0x8a, 0x8a, 0x8a, 0xff}},
}

// gwCard shows an LVK alert at a glance: the class bar, the properties,
// significance, instruments, distance, areas and a RAVEN coincidence. Its
// text is selectable.
type gwCard struct {
	content *fyne.Container
	bar     *fyne.Container // the class bar's segments
	Classes *widget.Label
	Lines   *widget.Label
}

func newGWCard() *gwCard {
	c := &gwCard{Classes: widget.NewLabel(""), Lines: widget.NewLabel("")}
	c.Classes.Selectable = true
	c.Lines.Selectable = true
	c.Lines.Wrapping = fyne.TextWrapWord
	c.bar = container.New(&classBarLayout{})
	for _, k := range gwClasses {
		r := canvas.NewRectangle(k.col)
		r.SetMinSize(fyne.NewSize(0, 14))
		c.bar.Add(r)
	}
	title := widget.NewLabelWithStyle("Gravitational-wave candidate", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	c.content = container.NewVBox(title, c.bar, c.Classes, c.Lines)
	c.content.Hide()
	return c
}

// show fills the card for ed, or hides it for an alert that is not LVK's.
// UI goroutine.
func (c *gwCard) show(ed app.EventDetail) {
	l := ed.LVK
	if l == nil {
		c.content.Hide()
		return
	}
	lay := c.bar.Layout.(*classBarLayout)
	lay.weights = lay.weights[:0]
	var parts []string
	for _, k := range gwClasses {
		p, ok := l.GW.Classification[k.name]
		lay.weights = append(lay.weights, float32(p))
		if ok {
			parts = append(parts, fmt.Sprintf("%s %s", k.name, percent(p)))
		}
	}
	lines := gwLines(ed)
	if len(parts) == 0 && len(lines) == 0 {
		c.content.Hide() // a retraction says nothing of the candidate
		return
	}
	c.bar.Hidden = len(parts) == 0
	c.Classes.SetText(strings.Join(parts, " · "))
	c.Classes.Hidden = len(parts) == 0
	c.Lines.SetText(strings.Join(lines, "\n"))
	c.Lines.Hidden = len(lines) == 0
	c.bar.Refresh()
	c.content.Show()
}

// gwLines are the card's lines of text for an LVK alert.
func gwLines(ed app.EventDetail) []string {
	l := ed.LVK
	var lines []string
	var props []string
	for _, p := range []struct {
		name string
		v    *float64
	}{{"HasNS", l.GW.HasNS}, {"HasRemnant", l.GW.HasRemnant}, {"HasMassGap", l.GW.HasMassGap}} {
		if p.v != nil {
			props = append(props, p.name+" "+percent(*p.v))
		}
	}
	if len(props) > 0 {
		lines = append(lines, strings.Join(props, " · "))
	}
	var sig []string
	if f := notice.FormatFAR(l.FAR); f != "" {
		sig = append(sig, fmt.Sprintf("FAR %s (%.3g Hz)", f, l.FAR))
	}
	if s := l.GW.Significant; s != nil {
		if *s {
			sig = append(sig, "significant")
		} else {
			sig = append(sig, "low significance")
		}
	}
	if len(sig) > 0 {
		lines = append(lines, strings.Join(sig, " · "))
	}
	if len(l.Instruments) > 0 {
		how := strings.TrimSpace(strings.Join([]string{l.Group, l.Pipeline, l.Search}, " "))
		line := "Instruments " + strings.Join(l.Instruments, " ")
		if how != "" {
			line += " (" + how + ")"
		}
		lines = append(lines, line)
	}
	if m := ed.Row.Skymap; m != nil {
		if m.DistMean != nil {
			d := fmt.Sprintf("Distance %.0f Mpc", *m.DistMean)
			if m.DistStd != nil {
				d = fmt.Sprintf("Distance %.0f ± %.0f Mpc", *m.DistMean, *m.DistStd)
			}
			lines = append(lines, d)
		}
		if m.Area90 > 0 {
			lines = append(lines, fmt.Sprintf("Area 50 %%: %s · 90 %%: %s", area(m.Area50)+" deg²", area(m.Area90)+" deg²"))
		}
	}
	if x := l.External; x != nil {
		line := "RAVEN: coincident with " + strings.TrimSpace(x.Observatory+" "+x.Search)
		line += fmt.Sprintf(", GW − %s = %+.2f s", orWord(x.Observatory, "external"), x.TimeDifference)
		if f := notice.FormatFAR(x.TimeFAR); f != "" {
			line += fmt.Sprintf("; coincidence FAR in time %s (%.2g Hz)", f, x.TimeFAR)
		}
		if f := notice.FormatFAR(x.SkyFAR); f != "" {
			line += fmt.Sprintf(", in time and sky %s (%.2g Hz)", f, x.SkyFAR)
		}
		if x.CombinedSkymap {
			line += "; combined sky map included"
		}
		lines = append(lines, line)
	}
	return lines
}

// percent writes a probability as a person reads it: 100 %, 3 %, <1 %, 0 %.
func percent(p float64) string {
	switch {
	case p <= 0:
		return "0 %"
	case p < 0.01:
		return "<1 %"
	}
	return fmt.Sprintf("%.0f %%", math.Round(p*100))
}

// orWord is s, or word when s is empty.
func orWord(s, word string) string {
	if s == "" {
		return word
	}
	return s
}

// classBarLayout lays its rectangles side by side, each as wide as its
// weight's share of the row.
type classBarLayout struct{ weights []float32 }

func (b *classBarLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	var total float32
	for _, w := range b.weights {
		total += w
	}
	x := float32(0)
	for i, o := range objs {
		w := float32(0)
		if i < len(b.weights) && total > 0 {
			w = size.Width * b.weights[i] / total
		}
		o.Move(fyne.NewPos(x, 0))
		o.Resize(fyne.NewSize(w, size.Height))
		x += w
	}
}

func (b *classBarLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	return fyne.NewSize(120, 14)
}
