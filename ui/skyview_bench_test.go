package ui

import (
	"math"

	"fyne.io/fyne/v2"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/netcore/skymap"
)

// benchSky is n alerts spread over the sky: 70 % with an error under 0.1°
// (optical, X-ray, neutrino tracks), 25 % of 1–5° (GBM-like), 5 % of 5–20°.
func benchSky(n int) skyState {
	r := rand.New(rand.NewPCG(7, 8))
	st := skyState{pos: make([]app.Position, n), dots: make([]skymap.Dot, n), view: skymap.AllSky(1024)}
	for i := range st.pos {
		ra, dec := r.Float64()*360, math.Asin(2*r.Float64()-1)*180/math.Pi
		e := r.Float64() * 0.1
		switch k := r.IntN(100); {
		case k >= 95:
			e = 5 + 15*r.Float64()
		case k >= 70:
			e = 1 + 4*r.Float64()
		}
		st.pos[i] = app.Position{ID: int64(i + 1), RA: float32(ra), Dec: float32(dec), Err: float32(e)}
		x, y := skymap.UnitXY(ra, dec)
		st.dots[i] = skymap.Dot{X: float32(x), Y: float32(y)}
	}
	return st
}

func benchRedraw(b *testing.B, st skyState) {
	b.ReportAllocs()
	grids := &skymap.Grids{} // the view's own, as SkyView keeps it
	for b.Loop() {
		opt := st.options()
		opt.Grids = grids
		if _, err := skymap.Render(st.smap, opt); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSkyRedraw100k(b *testing.B) { benchRedraw(b, benchSky(100_000)) }

func BenchmarkSkyRedraw1M(b *testing.B) { benchRedraw(b, benchSky(1_000_000)) }

// BenchmarkSkyRedraw100kZoomed is the same at zoom 4 around RA 180°, Dec 0°
// (the grid is computed for the view, not cached).
func BenchmarkSkyRedraw100kZoomed(b *testing.B) {
	st := benchSky(100_000)
	st.view = st.view.ZoomAt(512, 256, 4)
	benchRedraw(b, st)
}

// BenchmarkSkyRedraw100kWithMap adds a selected LVK map and its contours.
func BenchmarkSkyRedraw100kWithMap(b *testing.B) {
	raw, err := os.ReadFile("../testdata/notices/lvk-userguide/MS181101ab-preliminary.json")
	if err != nil {
		b.Fatal(err)
	}
	fits, err := skymap.FromAlertJSON(raw)
	if err != nil {
		b.Fatal(err)
	}
	st := benchSky(100_000)
	if st.smap, err = skymap.Read(fits); err != nil {
		b.Fatal(err)
	}
	benchRedraw(b, st)
}

// BenchmarkSkyPick1M is a click or hover's nearest-alert search over 1,000,000 alerts.
func BenchmarkSkyPick1M(b *testing.B) {
	st := benchSky(1_000_000)
	s := &SkyView{pos: st.pos, dots: st.dots, view: st.view}
	for b.Loop() {
		s.nearest(fyneMid)
	}
}

var fyneMid = fyne.NewPos(512, 256)

// BenchmarkSkyPlace100k is placing 100,000 loaded positions on the plane
// (SetPositions, once per reload; redraws reuse it).
func BenchmarkSkyPlace100k(b *testing.B) {
	st := benchSky(100_000)
	s := &SkyView{reqs: make(chan struct{}, 1)}
	for b.Loop() {
		s.SetPositions(st.pos)
	}
}
