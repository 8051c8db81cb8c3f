package ephem

import (
	"math"
	"time"
)

// moonTerm is one periodic term of Meeus, Astronomical Algorithms (2nd ed.),
// tables 47.A and 47.B: the multiples of D, M, M′ and F, and the
// coefficient of the sine (longitude, latitude: 10⁻⁶ degree) or cosine
// (distance: 10⁻³ km).
type moonTerm struct {
	d, m, mp, f int8
	sin, cos    int32
}

// moonLR is table 47.A (longitude and distance), every term.
var moonLR = []moonTerm{
	{0, 0, 1, 0, 6288774, -20905355},
	{2, 0, -1, 0, 1274027, -3699111},
	{2, 0, 0, 0, 658314, -2955968},
	{0, 0, 2, 0, 213618, -569925},
	{0, 1, 0, 0, -185116, 48888},
	{0, 0, 0, 2, -114332, -3149},
	{2, 0, -2, 0, 58793, 246158},
	{2, -1, -1, 0, 57066, -152138},
	{2, 0, 1, 0, 53322, -170733},
	{2, -1, 0, 0, 45758, -204586},
	{0, 1, -1, 0, -40923, -129620},
	{1, 0, 0, 0, -34720, 108743},
	{0, 1, 1, 0, -30383, 104755},
	{2, 0, 0, -2, 15327, 10321},
	{0, 0, 1, 2, -12528, 0},
	{0, 0, 1, -2, 10980, 79661},
	{4, 0, -1, 0, 10675, -34782},
	{0, 0, 3, 0, 10034, -23210},
	{4, 0, -2, 0, 8548, -21636},
	{2, 1, -1, 0, -7888, 24208},
	{2, 1, 0, 0, -6766, 30824},
	{1, 0, -1, 0, -5163, -8379},
	{1, 1, 0, 0, 4987, -16675},
	{2, -1, 1, 0, 4036, -12831},
	{2, 0, 2, 0, 3994, -10445},
	{4, 0, 0, 0, 3861, -11650},
	{2, 0, -3, 0, 3665, 14403},
	{0, 1, -2, 0, -2689, -7003},
	{2, 0, -1, 2, -2602, 0},
	{2, -1, -2, 0, 2390, 10056},
	{1, 0, 1, 0, -2348, 6322},
	{2, -2, 0, 0, 2236, -9884},
	{0, 1, 2, 0, -2120, 5751},
	{0, 2, 0, 0, -2069, 0},
	{2, -2, -1, 0, 2048, -4950},
	{2, 0, 1, -2, -1773, 4130},
	{2, 0, 0, 2, -1595, 0},
	{4, -1, -1, 0, 1215, -3958},
	{0, 0, 2, 2, -1110, 0},
	{3, 0, -1, 0, -892, 3258},
	{2, 1, 1, 0, -810, 2616},
	{4, -1, -2, 0, 759, -1897},
	{0, 2, -1, 0, -713, -2117},
	{2, 2, -1, 0, -700, 2354},
	{2, 1, -2, 0, 691, 0},
	{2, -1, 0, -2, 596, 0},
	{4, 0, 1, 0, 549, -1423},
	{0, 0, 4, 0, 537, -1117},
	{4, -1, 0, 0, 520, -1571},
	{1, 0, -2, 0, -487, -1739},
	{2, 1, 0, -2, -399, 0},
	{0, 0, 2, -2, -381, -4421},
	{1, 1, 1, 0, 351, 0},
	{3, 0, -2, 0, -340, 0},
	{4, 0, -3, 0, 330, 0},
	{2, -1, 2, 0, 327, 0},
	{0, 2, 1, 0, -323, 1165},
	{1, 1, -1, 0, 299, 0},
	{2, 0, 3, 0, 294, 0},
	{2, 0, -1, -2, 0, 8752},
}

// moonB is table 47.B (latitude) down to 0.001°; the 30 smaller terms
// together stay under 0.005°.
var moonB = []moonTerm{
	{0, 0, 0, 1, 5128122, 0},
	{0, 0, 1, 1, 280602, 0},
	{0, 0, 1, -1, 277693, 0},
	{2, 0, 0, -1, 173237, 0},
	{2, 0, -1, 1, 55413, 0},
	{2, 0, -1, -1, 46271, 0},
	{2, 0, 0, 1, 32573, 0},
	{0, 0, 2, 1, 17198, 0},
	{2, 0, 1, -1, 9266, 0},
	{0, 0, 2, -1, 8822, 0},
	{2, -1, 0, -1, 8216, 0},
	{2, 0, -2, -1, 4324, 0},
	{2, 0, 1, 1, 4200, 0},
	{2, 1, 0, -1, -3359, 0},
	{2, -1, -1, 1, 2463, 0},
	{2, -1, 0, 1, 2211, 0},
	{2, -1, -1, -1, 2065, 0},
	{0, 1, -1, -1, -1870, 0},
	{4, 0, -1, -1, 1828, 0},
	{0, 1, 0, 1, -1794, 0},
	{0, 0, 0, 3, -1749, 0},
	{0, 1, -1, 1, -1565, 0},
	{1, 0, 0, 1, -1491, 0},
	{0, 1, 1, 1, -1475, 0},
	{0, 1, 1, -1, -1410, 0},
	{0, 1, 0, -1, -1344, 0},
	{1, 0, 0, -1, -1335, 0},
	{0, 0, 3, 1, 1107, 0},
	{4, 0, 0, -1, 1021, 0},
	{4, 0, -1, 1, 833, 0},
}

// Moon is the Moon's geocentric RA and Dec (degrees, mean equator and
// equinox of date) and distance (km) at t, by Meeus ch. 47 (about 10″ in
// longitude, 4″ in latitude with these terms; nutation left out).
func Moon(t time.Time) (ra, dec, distKm float64) {
	v := moonVector(t)
	ra, dec = v.RADec()
	return ra, dec, v.Norm()
}

// moonVector is the Moon's geocentric position in km, mean equator of date.
func moonVector(t time.Time) Vec {
	T := CenturiesTT(t)
	deg := func(a float64) float64 { return math.Mod(a, 360) * rad }
	Lp := deg(218.3164477 + T*(481267.88123421+T*(-0.0015786+T*(1.0/538841-T/65194000))))
	D := deg(297.8501921 + T*(445267.1114034+T*(-0.0018819+T*(1.0/545868-T/113065000))))
	M := deg(357.5291092 + T*(35999.0502909+T*(-0.0001536+T/24490000)))
	Mp := deg(134.9633964 + T*(477198.8675055+T*(0.0087414+T*(1.0/69699-T/14712000))))
	F := deg(93.2720950 + T*(483202.0175233+T*(-0.0036539+T*(-1.0/3526000+T/863310000))))
	A1 := deg(119.75 + 131.849*T)
	A2 := deg(53.09 + 479264.290*T)
	A3 := deg(313.45 + 481266.484*T)
	E := 1 - T*(0.002516+0.0000074*T)
	ecc := func(m int8) float64 {
		switch m {
		case 1, -1:
			return E
		case 2, -2:
			return E * E
		}
		return 1
	}
	var sl, sr, sb float64
	for _, k := range moonLR {
		arg := float64(k.d)*D + float64(k.m)*M + float64(k.mp)*Mp + float64(k.f)*F
		e := ecc(k.m)
		s, c := math.Sincos(arg)
		sl += float64(k.sin) * e * s
		sr += float64(k.cos) * e * c
	}
	for _, k := range moonB {
		arg := float64(k.d)*D + float64(k.m)*M + float64(k.mp)*Mp + float64(k.f)*F
		sb += float64(k.sin) * ecc(k.m) * math.Sin(arg)
	}
	sl += 3958*math.Sin(A1) + 1962*math.Sin(Lp-F) + 318*math.Sin(A2)
	sb += -2235*math.Sin(Lp) + 382*math.Sin(A3) + 175*math.Sin(A1-F) + 175*math.Sin(A1+F) +
		127*math.Sin(Lp-Mp) - 115*math.Sin(Lp+Mp)
	lambda := Lp + sl*1e-6*rad
	beta := sb * 1e-6 * rad
	dist := 385000.56 + sr/1000
	return eclipticToEquatorial(lambda, beta, meanObliquity(T)).Scale(dist)
}

// MoonTopocentric is the Moon's RA and Dec (degrees, mean equator of date)
// and distance (km) seen from loc at t: corrected for the parallax of up to
// 1° that the observer's place on the Earth makes.
func MoonTopocentric(t time.Time, loc Location) (ra, dec, distKm float64) {
	v := moonVector(t).Sub(Geocentric(t, loc))
	ra, dec = v.RADec()
	return ra, dec, v.Norm()
}

// MoonAltAz is the Moon's topocentric altitude and azimuth (degrees) seen from loc at t, without refraction.
func MoonAltAz(t time.Time, loc Location) (alt, az float64) {
	ra, dec, _ := MoonTopocentric(t, loc)
	return AltAz(ra, dec, t, loc)
}
