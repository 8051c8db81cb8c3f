package ephem

import "math"

// Vec is a Cartesian 3-vector; as a direction, x points to RA 0, Dec 0 and z to the pole.
type Vec [3]float64

// Mat is a 3×3 rotation matrix, applied as Mat·Vec.
type Mat [3]Vec

// UnitVector is the unit vector towards (ra, dec) in degrees.
func UnitVector(ra, dec float64) Vec {
	sr, cr := math.Sincos(ra * rad)
	sd, cd := math.Sincos(dec * rad)
	return Vec{cd * cr, cd * sr, sd}
}

// RADec is the direction of v as RA in [0, 360) and Dec in degrees; the zero vector gives (0, 0).
func (v Vec) RADec() (ra, dec float64) {
	h := math.Hypot(v[0], v[1])
	if h == 0 && v[2] == 0 {
		return 0, 0
	}
	return norm360(math.Atan2(v[1], v[0]) / rad), math.Atan2(v[2], h) / rad
}

// Dot is the scalar product of v and w.
func (v Vec) Dot(w Vec) float64 { return v[0]*w[0] + v[1]*w[1] + v[2]*w[2] }

// Sub is v − w.
func (v Vec) Sub(w Vec) Vec { return Vec{v[0] - w[0], v[1] - w[1], v[2] - w[2]} }

// Scale is v × k.
func (v Vec) Scale(k float64) Vec { return Vec{v[0] * k, v[1] * k, v[2] * k} }

// Norm is the length of v (scaled first, so that it overflows only when the length itself does).
func (v Vec) Norm() float64 { return math.Hypot(math.Hypot(v[0], v[1]), v[2]) }

// Apply is m·v.
func (m Mat) Apply(v Vec) Vec {
	return Vec{m[0].Dot(v), m[1].Dot(v), m[2].Dot(v)}
}

// Mul is the product m·n (apply n first, then m).
func (m Mat) Mul(n Mat) Mat {
	var out Mat
	for i := range 3 {
		for j := range 3 {
			out[i][j] = m[i][0]*n[0][j] + m[i][1]*n[1][j] + m[i][2]*n[2][j]
		}
	}
	return out
}

// Transpose is mᵀ, the inverse of a rotation.
func (m Mat) Transpose() Mat {
	var out Mat
	for i := range 3 {
		for j := range 3 {
			out[i][j] = m[j][i]
		}
	}
	return out
}

// rotX, rotY and rotZ rotate the coordinate axes by a (radians) about x, y
// and z: the R1, R2 and R3 of the IAU conventions.
func rotX(a float64) Mat {
	s, c := math.Sincos(a)
	return Mat{{1, 0, 0}, {0, c, s}, {0, -s, c}}
}

func rotY(a float64) Mat {
	s, c := math.Sincos(a)
	return Mat{{c, 0, -s}, {0, 1, 0}, {s, 0, c}}
}

func rotZ(a float64) Mat {
	s, c := math.Sincos(a)
	return Mat{{c, s, 0}, {-s, c, 0}, {0, 0, 1}}
}

// Separation is the angle in degrees between (ra1, dec1) and (ra2, dec2),
// by the Vincenty formula (accurate at every distance).
func Separation(ra1, dec1, ra2, dec2 float64) float64 {
	return VecSeparation(UnitVector(ra1, dec1), UnitVector(ra2, dec2))
}

// VecSeparation is the angle in degrees between two vectors (0 if either is zero).
func VecSeparation(a, b Vec) float64 {
	cx := a[1]*b[2] - a[2]*b[1]
	cy := a[2]*b[0] - a[0]*b[2]
	cz := a[0]*b[1] - a[1]*b[0]
	return math.Atan2(math.Sqrt(cx*cx+cy*cy+cz*cz), a.Dot(b)) / rad
}
