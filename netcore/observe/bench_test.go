package observe

import (
	"testing"
	"time"
)

// benchSites are ten observatories in both hemispheres (public coordinates).
var benchSites = []Site{
	NewSite("La Silla", -29.2567, -70.7300, 2400),
	NewSite("Palomar", 33.3563, -116.8650, 1712),
	NewSite("Siding Spring", -31.2733, 149.0617, 1165),
	NewSite("Mauna Kea", 19.8207, -155.4681, 4205),
	NewSite("La Palma", 28.7606, -17.8816, 2396),
	NewSite("Cerro Pachón", -30.2407, -70.7366, 2715),
	NewSite("SAAO", -32.3760, 20.8107, 1798),
	NewSite("Kitt Peak", 31.9583, -111.5967, 2096),
	NewSite("Xinglong", 40.3958, 117.5750, 960),
	NewSite("Hanle", 32.7794, 78.9642, 4500),
}

// BenchmarkObservabilityMap is one multi-order LVK map (19,200 pixels)
// over the default grid (24 h every 10 min, 145 instants) at one site.
func BenchmarkObservabilityMap(b *testing.B) {
	region, err := FromMap(readMap(b, "gwcelery/MS220722v_bayestar.multiorder.fits"))
	if err != nil {
		b.Fatal(err)
	}
	grid := DefaultGrid(time.Date(2021, 12, 21, 12, 0, 0, 0, time.UTC))
	for b.Loop() {
		if _, err := Compute(benchSites[1], grid, region); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkObservabilityMapTenSites is the figure: the same map
// and grid at ten sites, from the compact form's decoded map to ten results.
func BenchmarkObservabilityMapTenSites(b *testing.B) {
	m := readMap(b, "gwcelery/MS220722v_bayestar.multiorder.fits")
	grid := DefaultGrid(time.Date(2021, 12, 21, 12, 0, 0, 0, time.UTC))
	for b.Loop() {
		region, err := FromMap(m)
		if err != nil {
			b.Fatal(err)
		}
		for _, s := range benchSites {
			if _, err := Compute(s, grid, region); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkObservabilityCircle is an error circle over the default grid at one site.
func BenchmarkObservabilityCircle(b *testing.B) {
	grid := DefaultGrid(time.Date(2021, 12, 21, 12, 0, 0, 0, time.UTC))
	for b.Loop() {
		region, err := FromCircle(250, 20, 30)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Compute(benchSites[1], grid, region); err != nil {
			b.Fatal(err)
		}
	}
}
