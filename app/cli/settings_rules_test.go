package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/starling-broker/starling/app"
)

func rulesJSON(t *testing.T, dir string) []app.NotifyRule {
	t.Helper()
	st, out, errs := runCLI("settings", "rules", "list", "--json", "--data-dir", dir)
	if st != 0 {
		t.Fatalf("list: status %d: %s", st, errs)
	}
	var rules []app.NotifyRule
	if err := json.Unmarshal([]byte(out), &rules); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	return rules
}

func TestSettingsRules(t *testing.T) {
	dir := t.TempDir()
	// A fresh data directory shows the default rules.
	st, out, _ := runCLI("settings", "rules", "list", "--data-dir", dir)
	if st != 0 || !strings.Contains(out, "Significant GW alerts: type/mission ~ LVK significant") || !strings.Contains(out, "Retractions: retractions") {
		t.Fatalf("defaults: status %d\n%s", st, out)
	}
	st, out, errs := runCLI("settings", "rules", "add", "Close BNS", "--type", "LVK", "--class", "BNS,NSBH", "--min-has-ns", "0.5",
		"--max-distance", "200", "--max-area90", "100", "--far-years", "1", "--cone", "10.68,41.27,5,0.1", "--test", "--sound", "--data-dir", dir)
	if st != 0 || !strings.HasPrefix(out, "Added Close BNS:") {
		t.Fatalf("add: status %d: %s %s", st, out, errs)
	}
	rules := rulesJSON(t, dir)
	if len(rules) != 4 {
		t.Fatalf("%d rules: %+v", len(rules), rules)
	}
	r := rules[3]
	if r.Name != "Close BNS" || r.Type != "LVK" || r.Class != "BNS,NSBH" || r.MinHasNS != 0.5 || r.MaxDistance != 200 || r.MaxArea90 != 100 ||
		r.FARYears != 1 || !r.IncludeTest || !r.Sound || r.Cone == nil || *r.Cone != (app.Cone{RA: 10.68, Dec: 41.27, Radius: 5, MinProb: 0.1}) {
		t.Errorf("saved %+v", r)
	}
	// The same name replaces; a bad value is refused in words.
	if st, out, _ := runCLI("settings", "rules", "add", "Close BNS", "--significant", "--data-dir", dir); st != 0 || !strings.HasPrefix(out, "Replaced") {
		t.Errorf("replace: %d %s", st, out)
	}
	if rules = rulesJSON(t, dir); len(rules) != 4 || !rules[3].Significant || rules[3].Class != "" {
		t.Errorf("after replace: %+v", rules)
	}
	for _, bad := range [][]string{{"x", "--min-has-ns", "2"}, {"x", "--cone", "1,2"}, {"x", "--far-years", "ten"}, {}} {
		if st, _, errs := runCLI(append(append([]string{"settings", "rules", "add"}, bad...), "--data-dir", dir)...); st == 0 || errs == "" {
			t.Errorf("add %v: status %d, %q", bad, st, errs)
		}
	}
	// Removed defaults stay removed.
	for _, name := range []string{"Significant GW alerts", "Retractions", "GRB and neutrino positions"} {
		if st, _, errs := runCLI("settings", "rules", "remove", name, "--data-dir", dir); st != 0 {
			t.Fatalf("remove %s: %s", name, errs)
		}
	}
	if st, _, errs := runCLI("settings", "rules", "remove", "nope", "--data-dir", dir); st == 0 || !strings.Contains(errs, `"Close BNS"`) {
		t.Errorf("remove nope: %d %s", st, errs)
	}
	if rules = rulesJSON(t, dir); len(rules) != 1 || rules[0].Name != "Close BNS" {
		t.Errorf("after removing the defaults: %+v", rules)
	}
}
