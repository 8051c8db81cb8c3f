package skymap

import (
	"os"
	"testing"
)

// The largest sample alert (2.07 MB of JSON, two embedded maps) and sample
// map (777,600 bytes, 19,200 pixels); see BENCHMARKS.md, "Sky maps".
const (
	benchAlert = "lvk-gocart/MS230425j-preliminary.json"
	benchMap   = "lvk-userguide/bayestar.multiorder.fits"
)

func BenchmarkSkymapAlertDecodeSummary(b *testing.B) {
	raw, err := os.ReadFile(notices + benchAlert)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		fits, err := FromAlertJSON(raw)
		if err != nil {
			b.Fatal(err)
		}
		m, err := Read(fits)
		if err != nil {
			b.Fatal(err)
		}
		m.Summary()
	}
}

func BenchmarkSkymapReadSummary(b *testing.B) {
	raw, err := os.ReadFile(notices + benchMap)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		m, err := Read(raw)
		if err != nil {
			b.Fatal(err)
		}
		m.Summary()
	}
}

func BenchmarkSkymapProbInCircle(b *testing.B) {
	m := loadSample(b, benchMap)
	ra, dec := m.MostProbable()
	for b.Loop() {
		m.ProbInCircle(ra, dec, 2)
	}
}

// BenchmarkSkymapRender1024 is a 1024×512 image with the lookup grid for
// that width already made (every image after the first).
func BenchmarkSkymapRender1024(b *testing.B) {
	m := loadSample(b, benchMap)
	opt := RenderOptions{Width: 1024, Circles: []Circle{{RA: 194, Dec: -18, Radius: 5}}, Grids: &Grids{}}
	if _, err := Render(m, opt); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		Render(m, opt)
	}
}

// BenchmarkSkymapRender1024Cold also makes the lookup grid (the first image
// of a width).
func BenchmarkSkymapRender1024Cold(b *testing.B) {
	m := loadSample(b, benchMap)
	opt := RenderOptions{Width: 1024, Circles: []Circle{{RA: 194, Dec: -18, Radius: 5}}}
	for b.Loop() {
		Render(m, opt) // no Grids: each image makes its grid
	}
}

// BenchmarkSkymapReadCompact reads the sample map back from its compact
// form, as the window does when an archived alert is selected.
func BenchmarkSkymapReadCompact(b *testing.B) {
	c := loadSample(b, benchMap).Compact()
	b.SetBytes(int64(len(c)))
	for b.Loop() {
		if _, err := ReadCompact(c); err != nil {
			b.Fatal(err)
		}
	}
}
