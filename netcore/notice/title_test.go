package notice

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/starling-broker/starling/netcore/voevent"
)

// doubledWord is the first word that a description repeats at once
// ("Swift BAT BAT position" repeats BAT), or "".
func doubledWord(s string) string {
	words := strings.Fields(s)
	for i := 1; i < len(words); i++ {
		if strings.EqualFold(words[i], words[i-1]) {
			return words[i]
		}
	}
	return ""
}

func TestDescriptionsDoubleNoWord(t *testing.T) {
	s := SummarizeVOEvent(parseSample(t, "public/swift/BAT_GRB_Pos_1201696-785.xml"))
	if !strings.HasPrefix(s.Description, "Swift BAT position 1201696: ") {
		t.Errorf("BAT description %q", s.Description)
	}
	files, _ := filepath.Glob(filepath.Join(voeventDir, "*", "*.xml"))
	more, _ := filepath.Glob(filepath.Join(voeventDir, "public", "*", "*.xml"))
	files = append(files, more...)
	jsons, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "notices", "*", "*.json"))
	if len(files) < 90 || len(jsons) < 30 {
		t.Fatalf("only %d VOEvent and %d JSON samples", len(files), len(jsons))
	}
	for _, f := range append(files, jsons...) {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var desc string
		if strings.HasSuffix(f, ".json") {
			desc = Summarize("", raw).Description
		} else if ev, err := voevent.Parse(raw); err == nil {
			desc = SummarizeVOEvent(ev).Description
		}
		if w := doubledWord(desc); w != "" {
			t.Errorf("%s: %q doubles %q", f, desc, w)
		}
	}
}
