package skymap

import (
	"image"
	"image/color"
	"math"

	"github.com/starling-broker/starling/netcore/ephem"
)

// SiteView is what a site can observe at one instant, for Draw to shade:
// the sky below its horizon darkened, the sky below its airmass limit
// dimmed, both edges drawn, and the Sun and the Moon marked (all ICRS,
// degrees).
type SiteView struct {
	// ZenithRA and ZenithDec are the site's zenith.
	ZenithRA, ZenithDec float64
	// LimitAlt is the altitude of the airmass limit (23.6° for airmass 2.5).
	LimitAlt float64
	// Sun and Moon are their directions.
	SunRA, SunDec, MoonRA, MoonDec float64
}

// The colours of a site's shading.
var (
	colHorizon = color.RGBA{255, 170, 60, 255}
	colLimit   = color.RGBA{200, 150, 90, 255}
	colSun     = color.RGBA{255, 220, 40, 255}
	colMoon    = color.RGBA{220, 220, 220, 255}
)

// The shading of a site's sky: what it keeps of a pixel's colour.
const (
	belowHorizon = 0.35
	belowLimit   = 0.7
)

// LabelSite names a site's Sun, Moon or horizon.
const LabelSite LabelKind = LabelContour50 + 1

// drawSite shades img (inside the ellipse) for s and returns the labels of
// the Sun and the Moon.
func drawSite(img *image.RGBA, v Viewport, s *SiteView) []Label {
	zen := ephem.UnitVector(s.ZenithRA, s.ZenithDec)
	sinLimit := math.Sin(s.LimitAlt * math.Pi / 180)
	w, h := img.Rect.Dx(), img.Rect.Dy()
	parallelRows(h, func(y int) {
		for x := 0; x < w; x++ {
			o := 4 * (y*w + x)
			if img.Pix[o+3] == 0 {
				continue // outside the ellipse
			}
			ra, dec, ok := v.Unproject(float64(x)+0.5, float64(y)+0.5)
			if !ok {
				continue
			}
			sinAlt := ephem.UnitVector(ra, dec).Dot(zen)
			keep := 1.0
			switch {
			case sinAlt < 0:
				keep = belowHorizon
			case sinAlt < sinLimit:
				keep = belowLimit
			default:
				continue
			}
			for c := 0; c < 3; c++ {
				img.Pix[o+c] = uint8(float64(img.Pix[o+c]) * keep)
			}
		}
	})
	for _, c := range []struct {
		radius float64
		col    color.RGBA
	}{{90, colHorizon}, {90 - s.LimitAlt, colLimit}} {
		drawCirclesIn(img, v, []Circle{{RA: s.ZenithRA, Dec: s.ZenithDec, Radius: c.radius}}, c.col)
	}
	var labels []Label
	for _, b := range []struct {
		name    string
		ra, dec float64
		r       int
		col     color.RGBA
	}{{"Sun", s.SunRA, s.SunDec, 6, colSun}, {"Moon", s.MoonRA, s.MoonDec, 5, colMoon}} {
		p := v.Project(b.ra, b.dec)
		if p.X < -10 || p.Y < -10 || p.X > float64(w)+10 || p.Y > float64(h)+10 {
			continue
		}
		x0, y0 := int(p.X), int(p.Y)
		for dy := -b.r; dy <= b.r; dy++ {
			for dx := -b.r; dx <= b.r; dx++ {
				if dx*dx+dy*dy <= b.r*b.r {
					set(img, x0+dx, y0+dy, b.col)
				}
			}
		}
		labels = append(labels, Label{Text: b.name, X: p.X + float64(b.r) + 3, Y: p.Y, AlignY: 0.5, Kind: LabelSite})
	}
	return labels
}
