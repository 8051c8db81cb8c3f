package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/starling-broker/starling/netcore/compose"
)

func TestParseParamFlag(t *testing.T) {
	cases := []struct {
		in    string
		group string
		want  compose.Param
	}{
		{"TrigID=42", "", compose.Param{Name: "TrigID", Value: "42", DataType: "int"}},
		{"mag=18.5:mag:phot.mag", "", compose.Param{Name: "mag", Value: "18.5", Unit: "mag", UCD: "phot.mag", DataType: "float"}},
		{"z=0.1:", "", compose.Param{Name: "z", Value: "0.1", DataType: "float"}},
		{"filter=r", "", compose.Param{Name: "filter", Value: "r"}},
		{"T=12:30:00::time", "", compose.Param{Name: "T", Value: "12:30:00", UCD: "time"}},
		{"photometry/mag=18.5:mag:phot.mag", "photometry", compose.Param{Name: "mag", Value: "18.5", Unit: "mag", UCD: "phot.mag", DataType: "float"}},
		{"obs/url=http://x/y", "obs", compose.Param{Name: "url", Value: "http", Unit: "//x/y"}},
		{"obs/url=http://x/y::", "obs", compose.Param{Name: "url", Value: "http://x/y"}},
	}
	for _, c := range cases {
		group, got, err := parseParamFlag(c.in)
		if err != nil || got != c.want || group != c.group {
			t.Errorf("%q: got %q %+v, %v; want %q %+v", c.in, group, got, err, c.group, c.want)
		}
	}
	for _, bad := range []string{"novalue", "=1", "/mag=1", "phot/=1"} {
		if _, _, err := parseParamFlag(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestParseCitesAndInferenceFlags(t *testing.T) {
	cites := []struct {
		in    string
		want  compose.Citation
		typed bool
	}{
		{"ivo://a.b/c#d", compose.Citation{IVORN: "ivo://a.b/c#d", Cite: "followup"}, false},
		{"ivo://a.b/c#d:retraction", compose.Citation{IVORN: "ivo://a.b/c#d", Cite: "retraction"}, true},
		{"ivo://a.b/c#t12:00:supersedes", compose.Citation{IVORN: "ivo://a.b/c#t12:00", Cite: "supersedes"}, true},
	}
	for _, c := range cites {
		got, typed, err := parseCitesFlag(c.in)
		if err != nil || got != c.want || typed != c.typed {
			t.Errorf("%q: got %+v %v %v; want %+v %v", c.in, got, typed, err, c.want, c.typed)
		}
	}
	for _, bad := range []string{"a.b/c#d", "followup", ""} {
		if _, _, err := parseCitesFlag(bad); err == nil {
			t.Errorf("--cites %q accepted", bad)
		}
	}
	infs := []struct {
		in   string
		want compose.Inference
	}{
		{"0.9:GRB 261206A", compose.Inference{Probability: 0.9, HasProbability: true, Name: "GRB 261206A", Relation: "associated"}},
		{":M31:galaxy:identified", compose.Inference{Name: "M31", Concept: "galaxy", Relation: "identified"}},
		{"1::process.variation.burst", compose.Inference{Probability: 1, HasProbability: true, Concept: "process.variation.burst", Relation: "associated"}},
	}
	for _, c := range infs {
		got, err := parseInferenceFlag(c.in)
		if err != nil || got != c.want {
			t.Errorf("%q: got %+v %v; want %+v", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"0.9", "high:GRB", "1:a:b:c:d", ""} {
		if _, err := parseInferenceFlag(bad); err == nil {
			t.Errorf("--inference %q accepted", bad)
		}
	}
}

// TestComposeGroupsCitationsInferences runs the command with a group,
// several citations after a template's, and several inferences: the
// document validates and holds them in order; the usage mistakes are named.
func TestComposeGroupsCitationsInferences(t *testing.T) {
	dir := t.TempDir() + "/none"
	var out, errb bytes.Buffer
	env := Env{Stdout: &out, Stderr: &errb}
	const cited = "ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_1-1"
	code := Main("starling", []string{"compose", "--data-dir", dir, "--template", "retraction", "--cites", cited,
		"--cites", "ivo://other.org/alerts#x2", "--cites", "ivo://other.org/alerts#x1:supersedes",
		"--id", "r1", "--param", "TrigID=7", "--param", "photometry/mag=18.5:mag:phot.mag", "--param", "photometry/filter=r",
		"--param", "site/code=T05", "--group-type", "photometry=measurement",
		"--importance", "0.5", "--inference", "0.9:GRB 261206A", "--inference", ":M31:galaxy:identified"}, env)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	doc := out.String()
	if p := compose.Validate(out.Bytes()); p != nil {
		t.Fatalf("printed document does not validate: %v\n%s", p, doc)
	}
	for _, want := range []string{
		`<Group name="photometry" type="measurement">`,
		`<Param name="mag" value="18.5" unit="mag" ucd="phot.mag" dataType="float"/>`,
		`<Param name="filter" value="r"/>`,
		`<Group name="site">`,
		`<EventIVORN cite="retraction">` + cited + `</EventIVORN>`,
		`<EventIVORN cite="followup">ivo://other.org/alerts#x2</EventIVORN>`,
		`<EventIVORN cite="supersedes">ivo://other.org/alerts#x1</EventIVORN>`,
		`<Why importance="0.5">`,
		`<Inference probability="0.9" relation="associated">`,
		`<Inference relation="identified">`,
		`<Concept>galaxy</Concept>`,
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("document lacks %s:\n%s", want, doc)
		}
	}
	if i, j := strings.Index(doc, "BAT_GRB_Pos_1-1<"), strings.Index(doc, "#x2<"); i < 0 || j < i {
		t.Errorf("the template's citation is not first:\n%s", doc)
	}

	// Citations without a template; a bad group param is named at its field.
	out.Reset()
	errb.Reset()
	code = Main("starling", []string{"compose", "--data-dir", dir, "--stream", "starling.test/alerts", "--id", "f1",
		"--cites", "ivo://a.org/b#1", "--cites", "ivo://a.org/b#2:retraction"}, env)
	if code != 0 || !strings.Contains(out.String(), `<EventIVORN cite="followup">ivo://a.org/b#1<`) || !strings.Contains(out.String(), `<EventIVORN cite="retraction">ivo://a.org/b#2<`) {
		t.Fatalf("citations alone: exit %d, %s%s", code, errb.String(), out.String())
	}
	for _, c := range []struct {
		args []string
		code int
		in   string
	}{
		{[]string{"--param", "phot/mag=18.5", "--group-type", "photo=x"}, 2, `no group "photo"`},
		{[]string{"--template", "retraction", "--cites", "ivo://a.org/b#1:followup"}, 2, "first --cites"},
		{[]string{"--inference", "2:GRB"}, 1, "Why Inference 1: inference probability 2"},
		{[]string{"--cites", "ivo://a.org/b#1", "--cites", "ivo://a.org/b"}, 1, "Citations 2: cited IVORN"},
		{[]string{"--param", "phot/mag=18.5", "--param", "phot/n=1:::x", "--param", "phot/n=1.5"}, 0, ""},
	} {
		out.Reset()
		errb.Reset()
		args := append([]string{"compose", "--data-dir", dir, "--stream", "starling.test/alerts", "--id", "e1"}, c.args...)
		if got := Main("starling", args, env); got != c.code || !strings.Contains(errb.String(), c.in) {
			t.Errorf("%v: exit %d (want %d), err %q (want %q)", c.args, got, c.code, errb.String(), c.in)
		}
	}
}

// TestComposeCommand runs the command with no data directory: it prints a
// valid document, and refuses with the field when it would not validate.
func TestComposeCommand(t *testing.T) {
	dir := t.TempDir() + "/none"
	var out, errb bytes.Buffer
	env := Env{Stdout: &out, Stderr: &errb}
	code := Main("starling", []string{"compose", "--data-dir", dir, "--stream", "starling.test/alerts", "--id", "a1",
		"--role", "observation", "--ra", "1", "--dec", "2", "--param", "z=0.5::src.redshift"}, env)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if p := compose.Validate(out.Bytes()); p != nil {
		t.Fatalf("printed document does not validate: %v", p)
	}
	if !strings.Contains(out.String(), `role="observation"`) || !strings.Contains(out.String(), `ucd="src.redshift"`) {
		t.Fatalf("document: %s", out.String())
	}
	out.Reset()
	errb.Reset()
	code = Main("starling", []string{"compose", "--data-dir", dir, "--stream", "starling.test/alerts", "--id", "a1", "--param", "z=x", "--role", "prediction"}, env)
	if code == 0 || out.Len() != 0 || !strings.Contains(errb.String(), "Role:") {
		t.Fatalf("bad role: exit %d, out %q, err %q", code, out.String(), errb.String())
	}
	errb.Reset()
	if code = Main("starling", []string{"compose", "--data-dir", dir, "--id", "a1"}, env); code != 2 || !strings.Contains(errb.String(), "--stream") {
		t.Fatalf("no stream: exit %d, err %q", code, errb.String())
	}
}
