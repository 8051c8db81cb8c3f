package ui

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"sort"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/starling-broker/starling/app"
)

// maxSeries is how many sources the chart tells apart; the rest are "other".
const maxSeries = 5

// seriesColours are the sources' colours, the last for "other".
var seriesColours = []color.RGBA{
	{31, 119, 180, 255}, {255, 127, 14, 255}, {44, 160, 44, 255}, {214, 39, 40, 255}, {148, 103, 189, 255}, {127, 127, 127, 255},
}

// rateData is what the chart shows: alerts per bucket and source over a range.
type rateData struct {
	bins         []app.RateBin
	since, until time.Time
	width        time.Duration
}

// series returns the sources in the chart's order (most alerts first, at
// most maxSeries and then "other") and each bin's series index.
func (d rateData) series() ([]string, func(src string) int) {
	total := map[string]int{}
	for _, b := range d.bins {
		total[b.Source] += b.Count
	}
	names := make([]string, 0, len(total))
	for s := range total {
		names = append(names, s)
	}
	sort.Slice(names, func(i, j int) bool {
		if total[names[i]] != total[names[j]] {
			return total[names[i]] > total[names[j]]
		}
		return names[i] < names[j]
	})
	index := map[string]int{}
	for i, s := range names {
		index[s] = min(i, maxSeries)
	}
	if len(names) > maxSeries {
		names = append(names[:maxSeries], "other")
	}
	return names, func(src string) int { return index[src] }
}

// buckets is the number of buckets in the range.
func (d rateData) buckets() int {
	if d.width <= 0 || !d.until.After(d.since) {
		return 0
	}
	return int((d.until.Truncate(d.width).Sub(d.since.Truncate(d.width)))/d.width) + 1
}

// drawRates draws stacked bars, one per bucket, coloured by source, with a
// baseline in fg, into a w × h image; it returns the tallest bar's count.
func drawRates(d rateData, w, h int, fg color.Color) (*image.RGBA, int) {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	n := d.buckets()
	for x := 0; x < w; x++ {
		img.Set(x, h-1, fg)
	}
	if n == 0 {
		return img, 0
	}
	_, idx := d.series()
	first := d.since.Truncate(d.width)
	stacks := make([][maxSeries + 1]int, n)
	peak := 0
	for _, b := range d.bins {
		k := int(b.Start.Sub(first) / d.width)
		if k < 0 || k >= n {
			continue
		}
		stacks[k][idx(b.Source)] += b.Count
	}
	for _, s := range stacks {
		t := 0
		for _, c := range s {
			t += c
		}
		peak = max(peak, t)
	}
	if peak == 0 {
		return img, 0
	}
	barW := float64(w) / float64(n)
	for k, s := range stacks {
		x0, x1 := int(float64(k)*barW), int(float64(k+1)*barW)
		if x1-x0 > 2 {
			x1-- // a gap between bars
		}
		y := h - 1
		for i, c := range s {
			if c == 0 {
				continue
			}
			top := h - 1 - int(float64(c+countBelow(s, i))*float64(h-2)/float64(peak)+0.5)
			draw.Draw(img, image.Rect(x0, top, x1, y), &image.Uniform{seriesColours[i]}, image.Point{}, draw.Src)
			y = top
		}
	}
	return img, peak
}

func countBelow(s [maxSeries + 1]int, i int) int {
	t := 0
	for _, c := range s[:i] {
		t += c
	}
	return t
}

// RateChart shows alerts per hour or per day, by source, with a legend.
type RateChart struct {
	content fyne.CanvasObject
	img     *canvas.Image
	title   *widget.Label
	from    *widget.Label
	to      *widget.Label
	legend  *fyne.Container
	data    rateData
}

// rateImageSize is the chart image's size in pixels.
var rateImageSize = image.Pt(720, 140)

func newRateChart() *RateChart {
	c := &RateChart{title: widget.NewLabel("alerts"), from: widget.NewLabel(""), to: widget.NewLabel(""), legend: container.NewHBox()}
	c.img = canvas.NewImageFromImage(image.NewRGBA(image.Rect(0, 0, 1, 1)))
	c.img.FillMode = canvas.ImageFillStretch
	c.img.SetMinSize(fyne.NewSize(360, 90))
	top := container.NewVBox(c.title, container.NewHScroll(c.legend))
	c.content = container.NewBorder(top, container.NewBorder(nil, nil, c.from, c.to), nil, nil, c.img)
	return c
}

// Set shows new counts; on the UI goroutine.
func (c *RateChart) Set(d rateData) {
	c.data = d
	fg := theme.Color(theme.ColorNameForeground)
	img, peak := drawRates(d, rateImageSize.X, rateImageSize.Y, fg)
	c.img.Image = img
	c.img.Refresh()
	per := "day"
	layout := "2006-01-02"
	if d.width < 24*time.Hour {
		per, layout = "hour", "2006-01-02 15:04"
	}
	c.title.SetText(fmt.Sprintf("alerts per %s (UTC; tallest bar %d)", per, peak))
	c.from.SetText(d.since.UTC().Format(layout))
	c.to.SetText(d.until.UTC().Format(layout))
	names, _ := d.series()
	var items []fyne.CanvasObject
	for i, s := range names {
		sw := canvas.NewRectangle(seriesColours[min(i, maxSeries)])
		sw.SetMinSize(fyne.NewSize(12, 12))
		items = append(items, container.NewCenter(sw), widget.NewLabel(s))
	}
	c.legend.Objects = items
	c.legend.Refresh()
}
