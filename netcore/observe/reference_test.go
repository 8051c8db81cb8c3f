package observe

import (
	"encoding/json"
	"math"
	"os"
	"sort"
	"testing"
	"time"

	"github.com/starling-broker/starling/netcore/skymap"
)

const notices = "../../testdata/notices/"

// reference is testdata/reference.json, made by astroplan 0.7 with astropy
// 5.2.1 and healpy 1.16.1 (testdata/make_reference.py); the tests never run Python.
type reference struct {
	Command  string `json:"command"`
	MOC      string `json:"moc"`
	MOC2     string `json:"moc2"`
	MOC3     string `json:"moc3"`
	Flat     string `json:"flat"`
	StepS    int    `json:"step_s"`
	Instants int    `json:"instants"`
	Cases    []struct {
		Region       string     `json:"region"`
		Site         string     `json:"site"`
		Lat          float64    `json:"lat"`
		Lon          float64    `json:"lon"`
		Height       float64    `json:"height"`
		Start        string     `json:"start"`
		MaxAirmass   float64    `json:"max_airmass"`
		SunAlt       float64    `json:"sun_alt"`
		MoonDistance float64    `json:"moon_distance"`
		Targets      int        `json:"targets"`
		Total        float64    `json:"total"`
		P            []float64  `json:"p"`
		PAny         float64    `json:"p_any"`
		Circle       [3]float64 `json:"circle"`
	} `json:"cases"`
}

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
	if len(r.Cases) == 0 || r.Instants == 0 {
		t.Fatal("reference.json is missing sections")
	}
	return &r
}

func readMap(t testing.TB, name string) *skymap.Map {
	t.Helper()
	raw, err := os.ReadFile(notices + name)
	if err != nil {
		t.Fatal(err)
	}
	if raw, err = skymap.Gunzip(raw); err != nil {
		t.Fatal(err)
	}
	m, err := skymap.Read(raw)
	if err != nil {
		t.Fatal(err)
	}
	// Through the compact form, as the archive keeps maps.
	m, err = skymap.ReadCompact(m.Compact())
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// Tolerances against astroplan, in probability (1 = 100 %): at every
// instant, at the median of the instants where either side is above 0,
// and for P_any (the figures: 1 and 0.5 percentage points).
const (
	tolEvery  = 0.01
	tolMedian = 0.005
	tolAny    = 0.01
)

func TestObservabilityAgainstAstroplan(t *testing.T) {
	r := loadReference(t)
	regions := map[string]*Region{}
	for _, c := range r.Cases {
		name := c.Region + " " + c.Site + " " + c.Start
		g := regions[c.Region]
		if g == nil {
			var err error
			switch c.Region {
			case "moc":
				g, err = FromCompact(readMap(t, r.MOC).Compact())
			case "moc2":
				g, err = FromMap(readMap(t, r.MOC2))
			case "moc3":
				g, err = FromMap(readMap(t, r.MOC3))
			case "flat":
				g, err = FromMap(readMap(t, r.Flat))
			default:
				g, err = FromCircle(c.Circle[0], c.Circle[1], c.Circle[2])
			}
			if err != nil {
				t.Fatal(err)
			}
			regions[c.Region] = g
		}
		if c.Region[0] != 'c' && math.Abs(g.Total()-c.Total) > 1e-9 {
			t.Errorf("%s: total %v, healpy %v", name, g.Total(), c.Total)
		}
		start, err := time.Parse(time.RFC3339, c.Start)
		if err != nil {
			t.Fatal(err)
		}
		site := Site{Name: c.Site, Lat: c.Lat, Lon: c.Lon, Height: c.Height,
			MaxAirmass: c.MaxAirmass, SunAlt: c.SunAlt, MoonDistance: c.MoonDistance}
		grid := Grid{Start: start, Step: time.Duration(r.StepS) * time.Second,
			Duration: time.Duration(r.StepS*(r.Instants-1)) * time.Second}
		res, err := Compute(site, grid, g)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.P) != len(c.P) {
			t.Fatalf("%s: %d instants, astroplan %d", name, len(res.P), len(c.P))
		}
		// The median is over the instants where either side sees
		// something: the daytime zeros would make any median 0.
		var diffs []float64
		worst, at := 0.0, 0
		for k := range c.P {
			d := math.Abs(res.P[k] - c.P[k])
			if d > worst {
				worst, at = d, k
			}
			if res.P[k] > 0 || c.P[k] > 0 {
				diffs = append(diffs, d)
			}
		}
		median := 0.0
		if len(diffs) > 0 {
			sort.Float64s(diffs)
			median = diffs[len(diffs)/2]
		}
		if c.Site == "Abisko" && (res.Best != -1 || res.PAny != 0) {
			t.Errorf("%s: no astronomical night above the Arctic circle in June, but best %d, P_any %v", name, res.Best, res.PAny)
		}
		if worst > tolEvery {
			t.Errorf("%s: P at %v is %.4f, astroplan %.4f", name, grid.Time(at), res.P[at], c.P[at])
		}
		if median > tolMedian {
			t.Errorf("%s: median |ΔP| %.4f", name, median)
		}
		if d := math.Abs(res.PAny - c.PAny); d > tolAny {
			t.Errorf("%s: P_any %.4f, astroplan %.4f", name, res.PAny, c.PAny)
		}
		t.Logf("%s: max |ΔP| %.4f, median %.5f, P_any %.4f (astroplan %.4f), best %.4f", name, worst, median, res.PAny, c.PAny, res.PBest)
	}
}
