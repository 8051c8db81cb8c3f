package cli

import (
	"net/url"
	"strings"
	"testing"
)

// starling circular draft prints a trigger's draft, with the log given on
// the command line, or GCN's form address that gives it back; an unknown
// trigger and a malformed row are refused with the reason.
func TestCircularDraft(t *testing.T) {
	dir := archiveKafka(t, []kafkaRecord{sample(t, "lvk-gocart/S230528ay-preliminary.json", "igwn.gwalert")})
	args := []string{"circular", "draft", "S230528ay", "--team", "Starling 1-m", "--authors", "A. Author (Starling U.)",
		"--log", "2023-05-28 12:00:00,r,300,> 21.5", "--log", "2023-05-28 12:10:00,i,300,> 21.0", "--data-dir", dir}
	st, out, errs := runCLI(args...)
	if st != 0 {
		t.Fatalf("status %d: %s", st, errs)
	}
	for _, want := range []string{
		"SUBJECT: S230528ay: Starling 1-m optical upper limits\n\n",
		"A. Author (Starling U.) report on behalf of the Starling 1-m team:",
		"We observed the field of S230528ay (LVK)",
		"Start (UT)            T-T0 (h)   Filter   Exp. (s)   Mag. (AB)\n2023-05-28 12:00:00",
		"i        300        > 21.0\n\nMagnitudes are in the AB system",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the draft lacks %q:\n%s", want, out)
		}
	}
	st, link, errs := runCLI(append(args, "--url")...)
	u, err := url.Parse(strings.TrimSpace(link))
	if st != 0 || err != nil || u.Host != "gcn.nasa.gov" || u.Path != "/circulars/new" {
		t.Fatalf("--url: status %d, %q (%v) %s", st, link, err, errs)
	}
	if got := "SUBJECT: " + u.Query().Get("subject") + "\n\n" + u.Query().Get("body"); got != out {
		t.Errorf("the form address gives\n%s\nnot the draft\n%s", got, out)
	}
	if st, _, errs := runCLI("circular", "draft", "S000000zz", "--data-dir", dir); st == 0 || !strings.Contains(errs, "no trigger") {
		t.Errorf("unknown trigger: status %d, %s", st, errs)
	}
	if st, _, errs := runCLI("circular", "draft", "S230528ay", "--log", "12:00,r", "--data-dir", dir); st == 0 || !strings.Contains(errs, "four fields") {
		t.Errorf("short log row: status %d, %s", st, errs)
	}
}
