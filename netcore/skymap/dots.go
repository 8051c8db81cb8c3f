package skymap

import (
	"image"
	"image/color"
	"math"
)

// drawDots sets a square of pixels per dot; dots off the image are skipped.
func drawDots(img *image.RGBA, v Viewport, dots []Dot, r int) {
	s := v.Scale()
	ox, oy := float64(v.W)/2-v.CX*s, float64(v.H)/2-v.CY*s
	w, h := v.W, v.H
	pix := img.Pix
	for _, d := range dots {
		x := int(float64(d.X)*s + ox)
		y := int(float64(d.Y)*s + oy)
		if r > 0 {
			for dy := -r; dy <= r; dy++ {
				for dx := -r; dx <= r; dx++ {
					set(img, x+dx, y+dy, colPoint)
				}
			}
			continue
		}
		if x < 0 || y < 0 || x >= w || y >= h {
			continue
		}
		o := 4 * (y*w + x)
		pix[o], pix[o+1], pix[o+2], pix[o+3] = colPoint.R, colPoint.G, colPoint.B, 255
	}
}

// fillEllipse paints the sky colour inside the ellipse.
func fillEllipse(img *image.RGBA, v Viewport) {
	s := v.Scale()
	parallelRows(v.H, func(j int) {
		_, y := v.ToUnit(0, float64(j)+0.5)
		yy := (1 - 4*y) * math.Sqrt2 // plane y in [−√2, √2]
		rest := 1 - yy*yy/2
		if rest < 0 {
			return
		}
		// |x| ≤ 2√2·√rest on the plane, x = (4u − 2)·√2 for unit u.
		half := math.Sqrt(rest) / 2 // in units of the ellipse's width
		i0 := max(0, int(math.Ceil((0.5-half-v.CX)*s+float64(v.W)/2-0.5)))
		i1 := min(v.W-1, int(math.Floor((0.5+half-v.CX)*s+float64(v.W)/2-0.5)))
		for i := i0; i <= i1; i++ {
			setIndex(img, j*v.W+i, colSky)
		}
	})
}

// drawRings draws each dot's error circle between 1 pixel and maxRing in radius.
func drawRings(img *image.RGBA, v Viewport, dots []Dot, maxRing float64) {
	s := v.Scale()
	ox, oy := float64(v.W)/2-v.CX*s, float64(v.H)/2-v.CY*s
	perDeg := s / 360
	for _, d := range dots {
		r := float64(d.R) * perDeg
		if r < 1 || r > maxRing {
			continue
		}
		ring(img, Projected{X: float64(d.X)*s + ox, Y: float64(d.Y)*s + oy}, r, colCircle)
	}
}

// ring draws a circle of radius r pixels around c in image space (midpoint
// algorithm); a radius under one pixel draws nothing.
func ring(img *image.RGBA, c Projected, r float64, col color.RGBA) {
	if r < 1 {
		return
	}
	cx, cy, R := int(c.X), int(c.Y), int(r+0.5)
	if cx+R < 0 || cy+R < 0 || cx-R >= img.Rect.Dx() || cy-R >= img.Rect.Dy() {
		return
	}
	x, y, e := R, 0, 1-R
	for x >= y {
		for _, d := range [8][2]int{{x, y}, {y, x}, {-y, x}, {-x, y}, {-x, -y}, {-y, -x}, {y, -x}, {x, -y}} {
			set(img, cx+d[0], cy+d[1], col)
		}
		y++
		if e < 0 {
			e += 2*y + 1
		} else {
			x--
			e += 2*(y-x) + 1
		}
	}
}
