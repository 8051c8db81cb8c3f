package ui

import (
	"sort"

	"fyne.io/fyne/v2"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/netcore/skymap"
)

// skyState is what one render draws.
type skyState struct {
	pos      []app.Position
	dots     []skymap.Dot
	view     skymap.Viewport
	selected int64
	smap     *skymap.Map
	// outlines are the 90 % contours of the other GW alerts in range.
	outlines []skymap.Outline
	// site shades what the default site can observe now; nil for none.
	site *skymap.SiteView
	// offset and scale place the image in the widget (see SkyView).
	offset fyne.Position
	scale  float32
}

// bigDots is the number of alerts up to which each is drawn 3 pixels wide.
const bigDots = 20000

// bigCircle is the radius in pixels from which an error circle is drawn as
// a true circle on the sphere rather than as a circle on the image.
const bigCircle = 40

// maxTrueCircles is how many error circles at most are drawn as true
// circles on the sphere; the rest are drawn on the image.
const maxTrueCircles = 1000

// options are the render options for the state: every alert a dot, its
// error circle when at least a pixel across (drawn on the image up to
// bigCircle pixels, as a true circle on the sphere above, for the largest
// maxTrueCircles in view), the selected alert marked.
func (st skyState) options() skymap.RenderOptions {
	opt := skymap.RenderOptions{View: st.view, Dots: st.dots, SkipMap: st.smap == nil, MaxRing: bigCircle, Outlines: st.outlines, Site: st.site}
	if len(st.dots) <= bigDots {
		opt.DotRadius = 1
	}
	v := st.view
	sc := v.Scale()
	perDeg := sc / 360
	ox, oy := float64(v.W)/2-v.CX*sc, float64(v.H)/2-v.CY*sc
	minBig := float32(bigCircle / perDeg) // degrees
	var big []int
	for i, p := range st.pos {
		if p.ID == st.selected {
			opt.Points = append(opt.Points, skymap.Point{RA: float64(p.RA), Dec: float64(p.Dec)})
			if p.Err*float32(perDeg) >= 1 {
				opt.Circles = append(opt.Circles, skymap.Circle{RA: float64(p.RA), Dec: float64(p.Dec), Radius: float64(p.Err)})
			}
			continue
		}
		if p.Err <= minBig {
			continue
		}
		// Off the image by more than twice its radius (the projection
		// stretches circles up to about twice near the ellipse's edge)?
		d, r := st.dots[i], 2*float64(p.Err)*perDeg
		if x, y := float64(d.X)*sc+ox, float64(d.Y)*sc+oy; x < -r || y < -r || x > float64(v.W)+r || y > float64(v.H)+r {
			continue
		}
		big = append(big, i)
	}
	if len(big) > maxTrueCircles {
		sort.Slice(big, func(a, b int) bool { return st.pos[big[a]].Err > st.pos[big[b]].Err })
		opt.MaxRing = float64(st.pos[big[maxTrueCircles]].Err) * perDeg
		big = big[:maxTrueCircles]
	}
	for _, i := range big {
		p := st.pos[i]
		if p.ID != st.selected && float64(p.Err)*perDeg > opt.MaxRing {
			opt.Circles = append(opt.Circles, skymap.Circle{RA: float64(p.RA), Dec: float64(p.Dec), Radius: float64(p.Err)})
		}
	}
	return opt
}
