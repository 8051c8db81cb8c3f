package ui

import (
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/starling-broker/starling/app"
)

// viewerWindow finds the open window titled for file name.
func viewerWindow(name string) fyne.Window {
	for _, w := range fyne.CurrentApp().Driver().AllWindows() {
		if w.Title() == "Starling — "+name {
			return w
		}
	}
	return nil
}

// windowText is every label's and rich text's words in w, and whether an
// image is drawn.
func windowText(w fyne.Window) (string, bool) {
	var b strings.Builder
	drawn := false
	for _, o := range test.LaidOutObjects(w.Content()) {
		switch x := o.(type) {
		case *widget.Label:
			b.WriteString(x.Text + "\n")
		case *widget.RichText:
			b.WriteString(x.String() + "\n")
		case *canvas.Image:
			drawn = drawn || x.Image != nil && x.Image.Bounds().Dx() > 0
		}
	}
	return b.String(), drawn
}

// TestDroppedJSONAndFITSOpenInViewers drops real files on the window: an LVK
// JSON alert with its sky map, a gzipped FITS map and a multi-order FITS map
// each open in a viewer with the details' words, the map drawn and the
// plain message; none reaches the Send panel, whose XML check would refuse
// them. A VOEvent dropped with them still goes to the Send panel.
func TestDroppedJSONAndFITSOpenInViewers(t *testing.T) {
	u := newWindow(t)
	td := filepath.Join("..", "testdata")
	files := map[string][]string{
		filepath.Join(td, "notices", "lvk-userguide", "MS181101ab-preliminary.json"):   {"MS181101ab", "Preliminary", "90% area", "Galactic: l ", "(most probable position)"},
		filepath.Join(td, "notices", "gwcelery", "fermi_skymap.fits.gz"):               {"Sky map fermi_skymap.fits.gz", "most probable RA", "Galactic: l "},
		filepath.Join(td, "notices", "gwcelery", "MS220722v_bayestar.multiorder.fits"): {"Sky map MS220722v_bayestar.multiorder.fits", "Distance"},
	}
	var uris []fyne.URI
	for p := range files {
		abs, err := filepath.Abs(p)
		if err != nil {
			t.Fatal(err)
		}
		uris = append(uris, storage.NewFileURI(abs))
	}
	xml, _ := filepath.Abs(filepath.Join("testdata", "voevent.xml"))
	uris = append(uris, storage.NewFileURI(xml))
	onUI(func() { u.DropURIs(uris) })

	for p, words := range files {
		name := filepath.Base(p)
		eventually(t, name+" viewed with its map", u, func() bool {
			w := viewerWindow(name)
			if w == nil {
				return false
			}
			text, drawn := windowText(w)
			return drawn && strings.Contains(text, words[0])
		})
		var text string
		onUI(func() { text, _ = windowText(viewerWindow(name)) })
		for _, want := range append(words, app.NotSendableText, "dropped file "+name) {
			if !strings.Contains(text, want) {
				t.Errorf("%s viewer lacks %q:\n%s", name, want, text)
			}
		}
		onUI(func() { viewerWindow(name).Close() })
	}
	lines := u.Core.Sends().Lines()
	if len(lines) != 1 || lines[0].Name != "voevent.xml" {
		t.Errorf("send lines %+v, want only the VOEvent", lines)
	}
}

// TestViewerSaysWhyAFileCannotBeRead: a broken JSON file opens a viewer
// that says what is wrong, in words.
func TestViewerSaysWhyAFileCannotBeRead(t *testing.T) {
	u := newWindow(t)
	bad := writeFile(t, "broken.json", []byte(`{"superevent_id": "S1`))
	onUI(func() { u.DropURIs([]fyne.URI{storage.NewFileURI(bad)}) })
	eventually(t, "the viewer to say why", u, func() bool {
		w := viewerWindow("broken.json")
		if w == nil {
			return false
		}
		text, _ := windowText(w)
		return strings.Contains(text, "broken.json is neither a JSON alert nor a FITS sky map")
	})
	onUI(func() { viewerWindow("broken.json").Close() })
}
