package compose

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// randText is free text with what XML must escape, spaces at the edges and
// non-ASCII letters.
func randText(r *rand.Rand) string {
	parts := []string{"", "a", "Z", "<", ">", "&", `"`, "'", " ", "\t", "\n", "é", "γ", "雀", "]]>", "&amp;", "1.5", "-", "\u00a0", "😀"}
	var b strings.Builder
	for n := r.IntN(8); n > 0; n-- {
		b.WriteString(parts[r.IntN(len(parts))])
	}
	return b.String()
}

func randWord(r *rand.Rand) string {
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-."
	n := 1 + r.IntN(12)
	b := make([]byte, n)
	for i := range b {
		b[i] = letters[r.IntN(len(letters))]
	}
	return string(b)
}

// randName is a word fit for an IVORN's parts.
func randName(r *rand.Rand) string {
	return "s" + strings.NewReplacer(".", "", "-", "").Replace(randWord(r))
}

func randParam(r *rand.Rand) Param {
	p := Param{Name: randWord(r), UCD: randText(r), Unit: randText(r), Description: randText(r)}
	switch r.IntN(4) {
	case 0:
		p.DataType, p.Value = "int", fmt.Sprint(r.Int64N(1<<40)-1<<39)
	case 1:
		p.DataType, p.Value = "float", fmt.Sprint(r.NormFloat64()*1e6)
	case 2:
		p.DataType, p.Value = "string", randText(r)
	default:
		p.Value = randText(r)
	}
	return p
}

// randDraft fills every field with random values in their ranges, starting
// from a template's draft.
func randDraft(r *rand.Rand, d Draft) Draft {
	if d.Stream == "" || r.IntN(3) == 0 {
		d.Stream = randName(r) + ".example/" + randName(r)
	}
	d.ID = randWord(r)
	d.Role = []string{"", "test", "observation", "utility"}[r.IntN(4)]
	if r.IntN(2) == 0 {
		d.AuthorIVORN = "ivo://" + randName(r) + "/" + randName(r)
	}
	d.ShortName, d.ContactName = randText(r), randText(r)
	if r.IntN(2) == 0 {
		d.ContactEmail = "u" + strings.Trim(randWord(r), ".") + "@example.org"
	}
	d.Params = nil
	for n := r.IntN(5); n > 0; n-- {
		d.Params = append(d.Params, randParam(r))
	}
	d.Groups = nil
	for n := r.IntN(4); n > 0; n-- {
		g := Group{Name: randWord(r), Type: randText(r), Description: randText(r)}
		for m := 1 + r.IntN(3); m > 0; m-- {
			g.Params = append(g.Params, randParam(r))
		}
		d.Groups = append(d.Groups, g)
	}
	if r.IntN(4) > 0 {
		d.HasPosition = true
		d.RA, d.Dec, d.ErrorRadius = r.Float64()*360, r.Float64()*180-90, r.Float64()*r.Float64()*180
		if r.IntN(8) == 0 {
			d.Dec = []float64{-90, 90}[r.IntN(2)]
		}
	}
	if r.IntN(4) > 0 {
		d.Time = fmt.Sprintf("20%02d-%02d-%02dT%02d:%02d:%02d.%03d", r.IntN(100), 1+r.IntN(12), 1+r.IntN(28), r.IntN(24), r.IntN(60), r.IntN(60), r.IntN(1000))
	}
	d.ObservatoryLocation = []string{"", "GEOSURFACE", randWord(r)}[r.IntN(3)]
	d.HowDescription = randText(r)
	d.HowReferences = nil
	if r.IntN(2) == 0 {
		d.HowReferences = []string{"https://example.org/" + randWord(r)}
	}
	d.HasImportance = r.IntN(2) == 0
	d.Importance = r.Float64()
	d.Inferences = nil
	for n := r.IntN(5); n > 0; n-- {
		d.Inferences = append(d.Inferences, Inference{Probability: r.Float64(), HasProbability: r.IntN(2) == 0, Relation: randText(r), Name: "n" + randText(r), Concept: randText(r), Description: randText(r)})
	}
	if d.HasImportance && len(d.Inferences) == 0 {
		d.Inferences = []Inference{{Concept: "c"}}
	}
	for n := r.IntN(5) - 1; n > 0; n-- {
		d.Citations = append(d.Citations, Citation{IVORN: "ivo://" + randName(r) + ".org/" + randName(r) + "#" + randWord(r), Cite: CiteTypes[r.IntN(3)]})
	}
	d.CitationDescription = randText(r)
	d.Description += randText(r)
	return d
}

// TestRandomDraftsPassXmllint writes random drafts from each template and
// checks every one Build accepts with xmllint (a separate process, the
// repository's VOEvent-v2.0.xsd) as well as with the internal validator.
func TestRandomDraftsPassXmllint(t *testing.T) {
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		t.Skip("xmllint is not installed (Debian: libxml2-utils; scripts/setup-debian.sh installs it)")
	}
	xsd, err := filepath.Abs(filepath.Join("..", "..", "assets", "schema", "VOEvent-v2.0.xsd"))
	if err != nil {
		t.Fatal(err)
	}
	raw := readSample(t, "SWIFT_bat_position_v2.0_example.xml")
	const perTemplate = 100
	dir := t.TempDir()
	var files []string
	r := rand.New(rand.NewPCG(21, 2026))
	for _, kind := range []string{"none", CiteFollowup, CiteRetraction, CiteSupersedes} {
		var base Draft
		if kind != "none" {
			if base, err = FromEvent(kind, raw); err != nil {
				t.Fatal(err)
			}
		}
		built, grouped, inferred, cited := 0, 0, 0, 0
		for i := 0; i < perTemplate; i++ {
			d := randDraft(r, base)
			if len(d.Groups) > 1 {
				grouped++
			}
			if len(d.Inferences) > 1 {
				inferred++
			}
			if len(d.Citations) > 1 {
				cited++
			}
			doc, err := d.Build()
			if err != nil {
				t.Fatalf("%s draft %d: Build refused a draft of in-range values: %v\n%+v", kind, i, err, d)
			}
			name := filepath.Join(dir, fmt.Sprintf("%s-%03d.xml", kind, i))
			if err := os.WriteFile(name, doc, 0o600); err != nil {
				t.Fatal(err)
			}
			files = append(files, name)
			built++
		}
		t.Logf("%s: %d documents; %d with several groups, %d with several inferences, %d with several citations", kind, built, grouped, inferred, cited)
		if grouped == 0 || inferred == 0 || cited == 0 {
			t.Fatalf("%s: the random drafts lack several groups, inferences or citations", kind)
		}
	}
	out, err := exec.Command(xmllint, append([]string{"--noout", "--nonet", "--schema", xsd}, files...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("xmllint refused composed documents (%v):\n%s", err, out)
	}
	if got := strings.Count(string(out), " validates"); got != len(files) {
		t.Fatalf("xmllint validated %d of %d documents:\n%s", got, len(files), out)
	}
}

// FuzzBuild builds drafts of arbitrary field values: Build must not panic,
// and whatever it accepts the receiver's checks accept (it validates), and
// whatever passes Problems passes the libxml2 schema too, so that the
// window's errors come from the draft checks before the schema's.
func FuzzBuild(f *testing.F) {
	f.Add("starling.test/alerts", "x1", "test", "redshift", "1.5", "float", "src.redshift", 10.0, -20.0, 0.1, "2026-12-06T17:00:00", "followup", "ivo://a.b/c#d", "text")
	f.Add("", "", "", "", "", "", "", 0.0, 0.0, 0.0, "", "", "", "")
	f.Add("a/b", "#", "observation", "n", "x", "int", "", 360.0, 91.0, -1.0, "now", "retraction", "ivo://", "\x00<&")
	f.Fuzz(func(t *testing.T, stream, id, role, pname, pvalue, ptype, pucd string, ra, dec, errRadius float64, tm, cite, cited, text string) {
		d := Draft{Stream: stream, ID: id, Role: role,
			Params:      []Param{{Name: pname, Value: pvalue, DataType: ptype, UCD: pucd, Description: text}},
			HasPosition: true, RA: ra, Dec: dec, ErrorRadius: errRadius, Time: tm,
			HasImportance: true, Importance: errRadius,
			Inferences:  []Inference{{Probability: ra, HasProbability: true, Name: text}},
			Citations:   []Citation{{IVORN: cited, Cite: cite}},
			Description: text, ContactName: text, HowDescription: text,
		}
		doc, err := d.Build()
		if err != nil {
			if _, ok := err.(Errors); !ok {
				t.Fatalf("Build error is %T, not Errors: %v", err, err)
			}
		} else if p := Validate(doc); p != nil {
			t.Fatalf("Build accepted what Validate refuses: %v", p)
		}
		if len(d.Problems()) == 0 && (ptype == "" || ptype == "string" || ptype == "int" || ptype == "float") {
			if p := Validate(d.Document(timeZero)); p != nil {
				t.Fatalf("Problems passed a draft the schema refuses: %v\n%s", p, d.Document(timeZero))
			}
		}
	})
}
