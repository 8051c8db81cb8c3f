package skymap

import (
	"fmt"
	"testing"
)

func TestParseHeaderValues(t *testing.T) {
	raw := header(
		card("SIMPLE", true),
		card("OBJECT", "it's"),
		card("NSIDE", 1024),
		fmt.Sprintf("%-80s", "DISTMEAN=              1.5D+02 / in Mpc"),
		fmt.Sprintf("%-80s", "CPLX    = (1.0, 2.0) / complex: left out"),
		fmt.Sprintf("%-80s", "HISTORY this = is not a value"),
		card("FLAG", false),
	)
	h, n, err := ParseHeader(raw)
	if err != nil || n != blockSize {
		t.Fatalf("%v, %d bytes", err, n)
	}
	if s, _ := h.String("OBJECT"); s != "it's" {
		t.Errorf("OBJECT %q", s)
	}
	if v, ok := h.Int("NSIDE"); !ok || v != 1024 {
		t.Errorf("NSIDE %v %v", v, ok)
	}
	if v, ok := h.Float("DISTMEAN"); !ok || v != 150 {
		t.Errorf("DISTMEAN %v %v", v, ok)
	}
	if v, ok := h.Values["FLAG"].(bool); !ok || v {
		t.Errorf("FLAG %v", h.Values["FLAG"])
	}
	if _, ok := h.Values["CPLX"]; ok {
		t.Error("complex value kept")
	}
	if _, ok := h.Values["HISTORY"]; ok {
		t.Error("HISTORY read as a value")
	}
}
