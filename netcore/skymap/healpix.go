package skymap

import "math"

// HEALPix pixel geometry (Górski et al. 2005, ApJ 622, 759). Colatitude θ
// runs from 0 at the north pole to π at the south pole; longitude φ from 0
// to 2π. Angles are radians.

// MaxOrder is the deepest HEALPix order that 64-bit NUNIQ indices allow (nside 2^29).
const MaxOrder = 29

// Base-pixel layout: the ring (in units of nside) of each face's southern
// corner, and its longitude (in units of π/4).
var (
	faceRing = [12]int64{2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4}
	faceLon  = [12]int64{1, 3, 5, 7, 0, 2, 4, 6, 1, 3, 5, 7}
)

// PixelArea is the solid angle in steradians of one pixel at nside.
func PixelArea(nside int64) float64 {
	return 4 * math.Pi / (12 * float64(nside) * float64(nside))
}

// spread puts the low 32 bits of v on the even bit positions.
func spread(v int64) int64 {
	x := uint64(v) & 0xffffffff
	x = (x | x<<16) & 0x0000ffff0000ffff
	x = (x | x<<8) & 0x00ff00ff00ff00ff
	x = (x | x<<4) & 0x0f0f0f0f0f0f0f0f
	x = (x | x<<2) & 0x3333333333333333
	x = (x | x<<1) & 0x5555555555555555
	return int64(x)
}

// gather takes the even bits of v into the low 32 bits: spread's inverse.
func gather(v int64) int64 {
	x := uint64(v) & 0x5555555555555555
	x = (x | x>>1) & 0x3333333333333333
	x = (x | x>>2) & 0x0f0f0f0f0f0f0f0f
	x = (x | x>>4) & 0x00ff00ff00ff00ff
	x = (x | x>>8) & 0x0000ffff0000ffff
	x = (x | x>>16) & 0x00000000ffffffff
	return int64(x)
}

// capTheta is the colatitude of a polar-cap ring nr rings from the pole,
// computed from sin(θ/2) to keep its precision near the pole.
func capTheta(nr, nside int64) float64 {
	return 2 * math.Asin(float64(nr)/(math.Sqrt(6)*float64(nside)))
}

// NestToAng returns the centre (θ, φ) of NESTED pixel ipix at nside (a power of two).
func NestToAng(nside, ipix int64) (theta, phi float64) {
	npface := nside * nside
	face := ipix / npface
	ipf := ipix % npface
	ix, iy := gather(ipf), gather(ipf>>1)
	jr := faceRing[face]*nside - (ix + iy) - 1 // ring number, 1 … 4nside−1
	var nr, kshift int64
	switch {
	case jr < nside:
		nr = jr
		theta = capTheta(nr, nside)
	case jr > 3*nside:
		nr = 4*nside - jr
		theta = math.Pi - capTheta(nr, nside)
	default:
		nr = nside
		theta = math.Acos(float64(2*nside-jr) * 2 / (3 * float64(nside)))
		kshift = (jr - nside) & 1
	}
	jp := (faceLon[face]*nr + ix - iy + 1 + kshift) / 2
	if jp > 4*nside {
		jp -= 4 * nside
	}
	if jp < 1 {
		jp += 4 * nside
	}
	phi = (float64(jp) - float64(kshift+1)*0.5) * (math.Pi / 2 / float64(nr))
	return theta, phi
}

// isqrt is ⌊√n⌋ for n ≥ 0.
func isqrt(n int64) int64 {
	r := int64(math.Sqrt(float64(n)))
	for r*r > n {
		r--
	}
	for (r+1)*(r+1) <= n {
		r++
	}
	return r
}

// RingToAng returns the centre (θ, φ) of RING pixel ipix at nside.
func RingToAng(nside, ipix int64) (theta, phi float64) {
	ncap := 2 * nside * (nside - 1)
	npix := 12 * nside * nside
	switch {
	case ipix < ncap: // north polar cap
		ring := (1 + isqrt(1+2*ipix)) / 2
		iphi := ipix + 1 - 2*ring*(ring-1)
		return capTheta(ring, nside), (float64(iphi) - 0.5) * math.Pi / (2 * float64(ring))
	case ipix < npix-ncap: // equatorial belt
		ip := ipix - ncap
		ring := ip/(4*nside) + nside
		iphi := ip%(4*nside) + 1
		shift := 0.5
		if (ring+nside)&1 == 1 {
			shift = 1
		}
		z := float64(2*nside-ring) * 2 / (3 * float64(nside))
		return math.Acos(z), (float64(iphi) - shift) * math.Pi / (2 * float64(nside))
	default: // south polar cap
		ip := npix - ipix
		ring := (1 + isqrt(2*ip-1)) / 2
		iphi := 4*ring + 1 - (ip - 2*ring*(ring-1))
		return math.Pi - capTheta(ring, nside), (float64(iphi) - 0.5) * math.Pi / (2 * float64(ring))
	}
}

// AngToNest returns the NESTED pixel at nside (a power of two) that holds the
// direction (θ, φ).
func AngToNest(nside int64, theta, phi float64) int64 {
	z, polar := nestZ(theta)
	return nestFromZ(nside, z, polar, phi)
}

// nestZ returns what AngToNest needs of θ: z = cos θ and, for the polar
// caps, √6·sin(θ'/2) with θ' the distance to the nearer pole (which keeps
// the precision of √(3(1−|z|)) near the poles).
func nestZ(theta float64) (z, polar float64) {
	z = math.Cos(theta)
	tc := theta
	if z < 0 {
		tc = math.Pi - theta
	}
	return z, math.Sqrt(6) * math.Sin(tc/2)
}

// nestFromZ is AngToNest with θ's part precomputed by nestZ.
func nestFromZ(nside int64, z, polar, phi float64) int64 {
	za := math.Abs(z)
	tt := phi
	if tt < 0 || tt >= 2*math.Pi {
		tt = math.Mod(phi, 2*math.Pi)
	}
	if tt < 0 {
		tt += 2 * math.Pi
	}
	tt /= math.Pi / 2 // in [0, 4)
	if tt >= 4 {
		tt = 0
	}
	var face, ix, iy int64
	if za <= 2.0/3 {
		t1 := float64(nside) * (0.5 + tt)
		t2 := float64(nside) * z * 0.75
		jp := int64(t1 - t2) // index of the ascending edge line
		jm := int64(t1 + t2) // index of the descending edge line
		ifp, ifm := jp/nside, jm/nside
		switch {
		case ifp == ifm:
			face = ifp | 4
		case ifp < ifm:
			face = ifp
		default:
			face = ifm + 8
		}
		ix = jm & (nside - 1)
		iy = nside - (jp & (nside - 1)) - 1
	} else {
		ntt := int64(tt)
		if ntt > 3 {
			ntt = 3
		}
		tp := tt - float64(ntt)
		tmp := float64(nside) * polar // nside·√(3(1−|z|))
		jp := int64(tp * tmp)
		jm := int64((1 - tp) * tmp)
		jp = min(jp, nside-1)
		jm = min(jm, nside-1)
		if z >= 0 {
			face, ix, iy = ntt, nside-jm-1, nside-jp-1
		} else {
			face, ix, iy = ntt+8, jp, jm
		}
	}
	return face*nside*nside + spread(ix) + spread(iy)<<1
}

// RingToNest converts a RING pixel index to the NESTED one at the same nside.
func RingToNest(nside, ipix int64) int64 {
	theta, phi := RingToAng(nside, ipix)
	return AngToNest(nside, theta, phi)
}

// Vec is a unit vector on the sphere.
type Vec [3]float64

// AngToVec turns (θ, φ) into a unit vector.
func AngToVec(theta, phi float64) Vec {
	st := math.Sin(theta)
	return Vec{st * math.Cos(phi), st * math.Sin(phi), math.Cos(theta)}
}

// RADecToAng turns RA and Dec in degrees into (θ, φ) in radians.
func RADecToAng(ra, dec float64) (theta, phi float64) {
	return (90 - dec) * math.Pi / 180, ra * math.Pi / 180
}

// AngToRADec turns (θ, φ) in radians into RA in [0, 360) and Dec in degrees.
func AngToRADec(theta, phi float64) (ra, dec float64) {
	ra = math.Mod(phi*180/math.Pi, 360)
	if ra < 0 {
		ra += 360
	}
	return ra, 90 - theta*180/math.Pi
}

// angDist is the angle in radians between two unit vectors, accurate for small angles.
func angDist(a, b Vec) float64 {
	cx := a[1]*b[2] - a[2]*b[1]
	cy := a[2]*b[0] - a[0]*b[2]
	cz := a[0]*b[1] - a[1]*b[0]
	return math.Atan2(math.Sqrt(cx*cx+cy*cy+cz*cz), a[0]*b[0]+a[1]*b[1]+a[2]*b[2])
}
