package ui

import (
	"math"
	"testing"
)

// TestShareWidths: room left over is shared in proportion; room missing
// comes from the wide columns first; the widths always fill the row.
func TestShareWidths(t *testing.T) {
	ws := []float32{40, 100, 200}
	for _, c := range []struct {
		width float32
		want  []float32
	}{
		{680, []float32{80, 200, 400}},
		{340, []float32{40, 100, 200}},
		{340 - 40, []float32{40, 100 - 40*36.0/172, 200 - 40*136.0/172}},
		{100, []float32{100 * 40.0 / 340, 100 * 100.0 / 340, 100 * 200.0 / 340}},
	} {
		got := shareWidths(ws, c.width)
		var sum float32
		for i := range got {
			sum += got[i]
			if math.Abs(float64(got[i]-c.want[i])) > 0.01 {
				t.Errorf("width %v: %v, want %v", c.width, got, c.want)
				break
			}
		}
		if math.Abs(float64(sum-c.width)) > 0.01 {
			t.Errorf("width %v: the columns fill %v", c.width, sum)
		}
	}
}
