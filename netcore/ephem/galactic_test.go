package ephem

import "testing"

func TestGalacticToEquatorial(t *testing.T) {
	// The galactic centre and the north galactic pole (IAU 1958, J2000
	// values), and the north celestial pole, both ways.
	for _, c := range []struct{ l, b, ra, dec float64 }{
		{0, 0, 266.40499, -28.93617},
		{0, 90, 192.85948, 27.12825},
		{122.93192, 27.12825, 0, 90},
	} {
		ra, dec := GalacticToEquatorial(c.l, c.b)
		if d := Separation(ra, dec, c.ra, c.dec); d > 1e-4 {
			t.Errorf("l=%v b=%v → (%v, %v), want (%v, %v)", c.l, c.b, ra, dec, c.ra, c.dec)
		}
		l, b := EquatorialToGalactic(c.ra, c.dec)
		if d := Separation(l, b, c.l, c.b); d > 1e-4 {
			t.Errorf("ra=%v dec=%v → (%v, %v), want (%v, %v)", c.ra, c.dec, l, b, c.l, c.b)
		}
	}
}
