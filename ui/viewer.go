package ui

import (
	"image"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/netcore/skymap"
)

// viewerMapWidth is the width of a viewer's all-sky image, in pixels.
const viewerMapWidth = 720

// Viewer is a window that shows a dropped JSON alert or sky map: the
// summary in the details' words, the context, the sky map and why the file
// is not sent.
type Viewer struct {
	Win fyne.Window
	// Summary is the alert's summary and context; Message says the file
	// cannot be sent over VTP, or why it cannot be read.
	Summary *widget.RichText
	Message *widget.Label
	// Map is the all-sky image (empty until drawn, or without a position).
	Map *canvas.Image
}

// viewablePaths splits paths into files opened for viewing (JSON alerts,
// sky maps) and the rest (to the Send panel).
func viewablePaths(paths []string) (view, send []string) {
	for _, p := range paths {
		if app.IsViewFile(p) {
			view = append(view, p)
		} else {
			send = append(send, p)
		}
	}
	return view, send
}

// openViewers opens a viewer for each path.
func (u *Window) openViewers(paths []string) []*Viewer {
	out := make([]*Viewer, len(paths))
	for i, p := range paths {
		out[i] = u.openViewer(p)
	}
	return out
}

// openViewer opens a window for the file at path and fills it off the UI
// goroutine: reading, decoding the map and drawing it take a while for a
// large map.
func (u *Window) openViewer(path string) *Viewer {
	name := filepath.Base(path)
	v := &Viewer{
		Win:     fyne.CurrentApp().NewWindow("Starling — " + name),
		Summary: widget.NewRichTextWithText("Reading " + name + "…"),
		Message: widget.NewLabel(app.NotSendableText),
		Map:     canvas.NewImageFromImage(nil),
	}
	v.Summary.Wrapping = fyne.TextWrapWord
	v.Message.Wrapping = fyne.TextWrapWord
	v.Message.Importance = widget.LowImportance
	v.Map.FillMode = canvas.ImageFillContain
	v.Map.SetMinSize(fyne.NewSize(viewerMapWidth/2, viewerMapWidth/4))
	top := container.NewVBox(v.Message, widget.NewSeparator())
	body := container.NewVSplit(container.NewVScroll(v.Summary), v.Map)
	body.Offset = 0.45
	v.Win.SetContent(container.NewBorder(top, nil, nil, nil, body))
	v.Win.Resize(fyne.NewSize(760, 720))
	v.Win.Show()
	go func() {
		fv, err := app.ReadViewFile(path)
		if err != nil {
			fyne.Do(func() {
				v.Summary.ParseMarkdown("")
				v.Message.SetText(err.Error())
				v.Message.Importance = widget.DangerImportance
				v.Message.Refresh()
			})
			return
		}
		segs := viewerSegments(fv)
		img := viewerImage(fv)
		fyne.Do(func() {
			v.Summary.Segments = segs
			v.Summary.Refresh()
			if img != nil {
				v.Map.Image = img
				v.Map.Refresh()
			}
		})
	}()
	return v
}

// viewerSegments are the details' summary of the file's alert, then its context.
func viewerSegments(fv app.FileView) []widget.RichTextSegment {
	segs := []widget.RichTextSegment{&widget.TextSegment{Text: fv.Name + " (" + fv.Kind + ")", Style: widget.RichTextStyleHeading}}
	title, text := summaryText(fv.Row)
	segs = append(segs, &widget.TextSegment{Text: title, Style: widget.RichTextStyleSubHeading},
		&widget.TextSegment{Text: text, Style: widget.RichTextStyleParagraph})
	for _, l := range fv.Context.Lines() {
		segs = append(segs, &widget.TextSegment{Text: l, Style: widget.RichTextStyleParagraph})
	}
	return segs
}

// viewerImage draws the file's sky map, or its position's error circle;
// nil when it has neither.
func viewerImage(fv app.FileView) image.Image {
	opt := skymap.RenderOptions{Width: viewerMapWidth}
	r := fv.Row
	if r.HasPosition {
		if r.ErrorRadius > 0 {
			opt.Circles = []skymap.Circle{{RA: r.RA, Dec: r.Dec, Radius: r.ErrorRadius}}
		}
		opt.Points = []skymap.Point{{RA: r.RA, Dec: r.Dec}}
	}
	if fv.Map == nil && !r.HasPosition {
		return nil
	}
	img, err := skymap.Render(fv.Map, opt)
	if err != nil {
		return nil
	}
	return img
}
