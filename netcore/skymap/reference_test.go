package skymap

import (
	"encoding/json"
	"math"
	"os"
	"strings"
	"testing"
)

// reference is testdata/reference.json, computed by healpy and astropy
// (testdata/reference.py); the tests never run Python.
type reference struct {
	Maps []struct {
		File          string   `json:"file"`
		RA            float64  `json:"ra"`
		Dec           float64  `json:"dec"`
		Area50        float64  `json:"area50"`
		Area90        float64  `json:"area90"`
		DistMean      *float64 `json:"distmean"`
		DistStd       *float64 `json:"diststd"`
		NPix          int      `json:"npix"`
		MaxOrder      int      `json:"max_order"`
		MinOrder      int      `json:"min_order"`
		Total         float64  `json:"total"`
		BestPixelSize float64  `json:"best_pixel_size_deg"`
		Circles       []struct {
			RA, Dec, Radius, Prob float64
		} `json:"circles"`
	} `json:"maps"`
	Centres []struct {
		Nside int64   `json:"nside"`
		Nest  bool    `json:"nest"`
		Ipix  int64   `json:"ipix"`
		Theta float64 `json:"theta"`
		Phi   float64 `json:"phi"`
	} `json:"centres"`
	AngToNest []struct {
		Nside int64   `json:"nside"`
		Theta float64 `json:"theta"`
		Phi   float64 `json:"phi"`
		Nest  int64   `json:"nest"`
	} `json:"ang2nest"`
}

const notices = "../../testdata/notices/"

func loadReference(t testing.TB) *reference {
	t.Helper()
	b, err := os.ReadFile("testdata/reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var r reference
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Maps) == 0 || len(r.Centres) == 0 || len(r.AngToNest) == 0 {
		t.Fatal("reference.json is missing sections")
	}
	return &r
}

// loadSample reads a sample map by its reference name: a FITS file, or an
// alert whose embedded map is read with FromAlertJSON.
func loadSample(t testing.TB, name string) *Map {
	t.Helper()
	b, err := os.ReadFile(notices + name)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(name, ".json") {
		if b, err = FromAlertJSON(b); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	m, err := Read(b)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m
}

// angSepDeg is the angle in degrees between two (RA, Dec) directions.
func angSepDeg(ra1, dec1, ra2, dec2 float64) float64 {
	return angDist(AngToVec(RADecToAng(ra1, dec1)), AngToVec(RADecToAng(ra2, dec2))) * 180 / math.Pi
}

func TestSkymapSummaryMatchesHealpy(t *testing.T) {
	for _, want := range loadReference(t).Maps {
		t.Run(want.File, func(t *testing.T) {
			m := loadSample(t, want.File)
			s := m.Summary()
			if d := angSepDeg(s.RA, s.Dec, want.RA, want.Dec); d > want.BestPixelSize {
				t.Errorf("most probable (%.5f, %.5f), healpy (%.5f, %.5f): %.4f° apart, more than a pixel (%.4f°)", s.RA, s.Dec, want.RA, want.Dec, d, want.BestPixelSize)
			}
			for _, a := range []struct {
				name      string
				got, want float64
			}{{"area50", s.Area50, want.Area50}, {"area90", s.Area90, want.Area90}} {
				if math.Abs(a.got-a.want) > 0.01*a.want {
					t.Errorf("%s = %.4f deg², healpy %.4f", a.name, a.got, a.want)
				}
			}
			if s.NPix != want.NPix || s.MaxOrder != want.MaxOrder || m.MinOrder != want.MinOrder {
				t.Errorf("npix %d, orders %d–%d; healpy %d, %d–%d", s.NPix, m.MinOrder, s.MaxOrder, want.NPix, want.MinOrder, want.MaxOrder)
			}
			if want.DistMean == nil {
				if m.HasDistance || s.DistMean != nil || s.DistStd != nil {
					t.Errorf("distance %v ± %v where the file has none", s.DistMean, s.DistStd)
				}
			} else if !m.HasDistance || s.DistMean == nil || s.DistStd == nil || *s.DistMean != *want.DistMean || *s.DistStd != *want.DistStd {
				t.Errorf("distance %v ± %v, want %v ± %v", s.DistMean, s.DistStd, *want.DistMean, *want.DistStd)
			}
			if math.Abs(m.Total-want.Total) > 1e-9 || m.Warning != "" {
				t.Errorf("total %v (warning %q), healpy %v", m.Total, m.Warning, want.Total)
			}
			for _, c := range want.Circles {
				got := m.ProbInCircle(c.RA, c.Dec, c.Radius)
				if math.Abs(got-c.Prob) > 0.01*c.Prob+1e-6 {
					t.Errorf("probability in %.2f° around (%.3f, %.3f) = %.6g, healpy %.6g", c.Radius, c.RA, c.Dec, got, c.Prob)
				}
			}
		})
	}
}

func TestPixelCentresMatchHealpy(t *testing.T) {
	r := loadReference(t)
	for _, c := range r.Centres {
		var th, ph float64
		if c.Nest {
			th, ph = NestToAng(c.Nside, c.Ipix)
		} else {
			th, ph = RingToAng(c.Nside, c.Ipix)
		}
		if math.Abs(th-c.Theta) > 1e-9 || math.Abs(ph-c.Phi) > 1e-9 {
			t.Errorf("nside %d nest=%v pixel %d: (%.12f, %.12f), healpy (%.12f, %.12f)", c.Nside, c.Nest, c.Ipix, th, ph, c.Theta, c.Phi)
		}
	}
	for _, c := range r.AngToNest {
		if got := AngToNest(c.Nside, c.Theta, c.Phi); got != c.Nest {
			t.Errorf("nside %d (%.12f, %.12f): pixel %d, healpy %d", c.Nside, c.Theta, c.Phi, got, c.Nest)
		}
	}
}

// TestNestRoundTrip checks that each pixel's centre falls back in the pixel,
// and that RING to NESTED is a permutation, at small nsides.
func TestNestRoundTrip(t *testing.T) {
	for order := 0; order <= 5; order++ {
		nside := int64(1) << order
		seen := map[int64]bool{}
		for p := int64(0); p < 12*nside*nside; p++ {
			th, ph := NestToAng(nside, p)
			if got := AngToNest(nside, th, ph); got != p {
				t.Fatalf("nside %d: centre of pixel %d falls in %d", nside, p, got)
			}
			n := RingToNest(nside, p)
			if seen[n] {
				t.Fatalf("nside %d: two RING pixels give NESTED %d", nside, n)
			}
			seen[n] = true
		}
	}
}
