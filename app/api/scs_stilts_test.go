package api

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// stilts is the path of TOPCAT's command line (Debian's stilts); the test
// is skipped without it, except under CI, which installs it
// (scripts/setup-debian.sh).
func stilts(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("stilts")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("stilts is not installed (scripts/setup-debian.sh installs it): %v", err)
		}
		t.Skip("stilts is not installed")
	}
	return path
}

// TOPCAT's reader, run as a real process on the served URL, reads the
// cone search's VOTable and finds the rows the cones hold.
func TestConeSearchStilts(t *testing.T) {
	bin := stilts(t)
	c, lb := testCore(t)
	alerts := skyArchive(t, c, lb, 30)
	base, _ := serve(t, ConeSearchHandler(c))
	for _, cone := range [][3]float64{{0, 10, 2}, {45, 90, 1.5}, {10, -60, 5}} {
		url := fmt.Sprintf("%s/scs?RA=%g&DEC=%g&SR=%g", base, cone[0], cone[1], cone[2])
		var want []string
		for _, a := range alerts {
			if in, _ := within(a, cone[0], cone[1], cone[2]); in {
				want = append(want, fmt.Sprintf("%s %g %g", a.IVORN, a.RA, a.Dec))
			}
		}
		slices.Sort(want)

		// votlint checks the document against the VOTable standard.
		if out := runStilts(t, bin, "votlint", "votable="+url); out != "" {
			t.Errorf("%s: votlint says\n%s", url, out)
		}
		out := runStilts(t, bin, "tpipe", "in="+url, "ifmt=votable", "omode=count")
		// "columns: 9   rows: N"
		if f := strings.Fields(out); len(f) != 4 || f[0] != "columns:" || f[1] != "9" || f[3] != strconv.Itoa(len(want)) {
			t.Errorf("%s: stilts counts %q, want 9 columns and %d rows", url, out, len(want))
		}

		out = runStilts(t, bin, "tpipe", "in="+url, "ifmt=votable", "cmd=keepcols 'ivorn ra dec'", "ofmt=csv")
		recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil || len(recs) == 0 || !slices.Equal(recs[0], []string{"ivorn", "ra", "dec"}) {
			t.Fatalf("%s: stilts wrote %q (%v)", url, out, err)
		}
		var got []string
		for _, r := range recs[1:] {
			ra, err1 := strconv.ParseFloat(r[1], 64)
			dec, err2 := strconv.ParseFloat(r[2], 64)
			if err1 != nil || err2 != nil {
				t.Fatalf("%s: row %q", url, r)
			}
			got = append(got, fmt.Sprintf("%s %g %g", r[0], ra, dec))
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: stilts read %q\nwant %q", url, got, want)
		}
		t.Logf("%s: stilts read %d rows", url, len(got))
	}
}

// An error answer is a valid VOTable too.
func TestConeSearchErrorStilts(t *testing.T) {
	bin := stilts(t)
	c, _ := testCore(t)
	base, _ := serve(t, ConeSearchHandler(c))
	if out := runStilts(t, bin, "votlint", "votable="+base+"/scs?RA=10&DEC=100&SR=1"); out != "" {
		t.Errorf("votlint says\n%s", out)
	}
}

// runStilts runs stilts with args and returns its standard output.
func runStilts(t *testing.T, bin string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("stilts %q: %v\n%s", args, err, stderr.String())
	}
	return strings.TrimSpace(string(out))
}
