package circular

import (
	"encoding/json"
	"net/url"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

// subjects are Circular subjects as GCN's archive has them (and a few that
// must give nothing), with the names each gives.
var subjects = []struct {
	subject string
	want    []string
}{
	{"GRB 230410A: Fermi GBM Final Real-time Localization", []string{"GRB 230410A"}},
	{"GRB 221009A: Swift-XRT afterglow detection", []string{"GRB 221009A"}},
	{"GRB221009A: MASTER optical observations", []string{"GRB 221009A"}},
	{"GRB 970228: BeppoSAX WFC detection", []string{"GRB 970228"}},
	{"GRB 251205.123: a sub-threshold trigger", []string{"GRB 251205.123"}},
	{"grb 251205a: lower-case", []string{"GRB 251205A"}},
	{"LIGO/Virgo/KAGRA S230518h: Identification of a GW NSBH Candidate", []string{"S230518h"}},
	{"LIGO/Virgo/KAGRA S250206dm: Updated Sky localization and EM Bright Classification", []string{"S250206dm"}},
	{"LIGO/Virgo S190425z: Identification of a GW compact binary merger candidate", []string{"S190425z"}},
	{"LIGO/Virgo/KAGRA MS181101ab: a mock superevent", []string{"MS181101ab"}},
	{"LIGO/Virgo/KAGRA S251205ab: Starling Observatory optical upper limits", []string{"S251205ab"}},
	{"EP240315a: Einstein Probe detection of a fast X-ray transient", []string{"EP240315a"}},
	{"EP240315a/GRB 240315C: NOT optical afterglow candidate", []string{"EP240315a", "GRB 240315C"}},
	{"EP251205A: upper-case letter", []string{"EP251205a"}},
	{"IceCube-230914A - IceCube observation of a high-energy neutrino candidate track-like event", []string{"IceCube-230914A"}},
	{"IceCube 251205A: MASTER follow-up", []string{"IceCube-251205A"}},
	{"ZTF25aaaaaaa/AT2025abc: Palomar spectroscopic classification", []string{"ZTF25aaaaaaa", "AT 2025abc"}},
	{"SN 2023ixf: Swift-UVOT observations", []string{"SN 2023ixf"}},
	{"AT 2017gfo: optical counterpart of GW170817", []string{"AT 2017gfo", "GW170817"}},
	{"FRB 20200428A: CHIME/FRB detection", []string{"FRB 20200428A"}},
	{"Fermi GBM trigger bn240812094: sub-threshold", []string{"bn240812094"}},
	{"KM3-240901A: KM3NeT neutrino alert", []string{"KM3-240901A"}},
	{"GRB 230307A: GRB230307A again", []string{"GRB 230307A"}},
	{"Swift J1858.6-0814: MAXI/GSC detection of an outburst", nil},
	{"S123456A part number, GRB 2512051, EP12345a", nil},
	{"", nil},
}

func TestNamesOfSubjects(t *testing.T) {
	for _, c := range subjects {
		if got := Names(c.subject); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Names(%q) = %q, want %q", c.subject, got, c.want)
		}
	}
}

// TestNamesOfTheSampleCircular reads GCN's own example Circular (from
// the gcn-schema repository) and finds the name its eventId gives.
func TestNamesOfTheSampleCircular(t *testing.T) {
	raw, err := os.ReadFile("../../testdata/notices/gcn-schema/circulars.example.json")
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		EventID string `json:"eventId"`
		Subject string `json:"subject"`
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	if got := Names(c.Subject); !reflect.DeepEqual(got, []string{c.EventID}) {
		t.Fatalf("Names(%q) = %q, want the eventId %q", c.Subject, got, c.EventID)
	}
}

func TestTriggerNames(t *testing.T) {
	cases := []struct {
		key   string
		texts []string
		want  []string
	}{
		{"S230518h", nil, []string{"S230518h"}},
		{"MS181101ab", []string{"LVK Preliminary MS181101ab"}, []string{"MS181101ab"}},
		{"745121685|bn240812094", []string{"Fermi GBM Alert 745121685|bn240812094"}, []string{"bn240812094"}},
		{"9995289617", []string{"MAXI GSC Update GRB 230220A"}, []string{"GRB 230220A"}},
		{"GRB 230410A", nil, []string{"GRB 230410A"}},
		{"694215995", []string{"Swift BAT GUANO"}, nil},
	}
	for _, c := range cases {
		if got := TriggerNames(c.key, c.texts...); !reflect.DeepEqual(got, c.want) {
			t.Errorf("TriggerNames(%q, %q) = %q, want %q", c.key, c.texts, got, c.want)
		}
	}
}

func TestSubject(t *testing.T) {
	for _, c := range []struct{ in, n, s string }{
		{"GCN 33603: GRB 230410A: Fermi GBM Final Real-time Localization", "33603", "GRB 230410A: Fermi GBM Final Real-time Localization"},
		{"GRB 230410A: no number", "", "GRB 230410A: no number"},
		{"GCN x1: not a number", "", "GCN x1: not a number"},
	} {
		if n, s := Subject(c.in); n != c.n || s != c.s {
			t.Errorf("Subject(%q) = %q, %q", c.in, n, s)
		}
	}
}

func testDraft() Draft {
	t0 := time.Date(2025, 12, 5, 12, 0, 0, 0, time.UTC)
	d := New(Trigger{Key: "1234567", Names: []string{"GRB 251205A"}, Mission: "Swift BAT", T0: t0, HasPosition: true, RA: 150.1234, Dec: -20.5, ErrorDeg: 3.0 / 60})
	d.Authors = "A. Author, B. Author (Starling University)"
	d.Log = []Row{
		{Time: "2025-12-05 13:30:00", Filter: "r", Exposure: "10x60", Value: "> 21.3"},
		{Time: "2025-12-05T14:00:00Z", Filter: "i", Exposure: "600", Value: "19.85 +/- 0.05"},
		{}, // empty: left out
	}
	return d
}

func TestDraftText(t *testing.T) {
	subject, body := testDraft().Text()
	if subject != "GRB 251205A: Starling Observatory optical upper limits" {
		t.Errorf("subject %q", subject)
	}
	want := "A. Author, B. Author (Starling University) report on behalf of the Starling Observatory team:\n\n" +
		"We observed the field of GRB 251205A (Swift BAT) with the Starling Observatory, T0 = 2025-12-05 12:00:00 UT, " +
		"at RA, Dec = 150.1234, -20.5000 deg (J2000) with an error radius of 3.0 arcmin. The observations are listed below.\n\n" +
		"Start (UT)             T-T0 (h)   Filter   Exp. (s)   Mag. (AB)\n" +
		"2025-12-05 13:30:00    1.50       r        10x60      > 21.3\n" +
		"2025-12-05T14:00:00Z   2.00       i        600        19.85 +/- 0.05\n\n" +
		Closing + "\n"
	if body != want {
		t.Errorf("body:\n%s\nwant:\n%s", body, want)
	}
	if Names(subject)[0] != "GRB 251205A" {
		t.Errorf("the draft's own subject does not name its trigger: %q", Names(subject))
	}
}

func TestDraftLogWithoutT0(t *testing.T) {
	d := Draft{Name: "S251205ab", Log: []Row{{Time: "21:04", Filter: "g\tband", Exposure: "300", Value: "> 20"}}}
	want := "Start (UT)   Filter   Exp. (s)   Mag. (AB)\n21:04        g band   300        > 20"
	if got := d.LogTable(); got != want {
		t.Errorf("log:\n%s\nwant:\n%s", got, want)
	}
	if got := (Draft{}).LogTable(); got != "" {
		t.Errorf("empty log %q", got)
	}
}

func TestFormURL(t *testing.T) {
	d := testDraft()
	u, err := url.Parse(d.FormURL())
	if err != nil {
		t.Fatal(err)
	}
	subject, body := d.Text()
	if u.Scheme+"://"+u.Host+u.Path != FormAddress || u.Query().Get("subject") != subject || u.Query().Get("body") != body {
		t.Fatalf("form URL %s does not give back the subject and body", d.FormURL())
	}
	if d.TooLong() {
		t.Fatalf("a short draft is too long: %d", len(d.FormURL()))
	}
	d.Intro = strings.Repeat("long ", 2000)
	if !d.TooLong() {
		t.Fatal("a 10 kB draft is not too long")
	}
}

func TestNewWithoutName(t *testing.T) {
	d := New(Trigger{Key: "745121685|bn240812094", Mission: "Fermi GBM"})
	if d.Name != "Fermi GBM trigger 745121685/bn240812094" || !strings.Contains(d.SubjectLine(), d.Name) {
		t.Fatalf("name %q, subject %q", d.Name, d.SubjectLine())
	}
}

// FuzzNames: Names never panics, and what it returns it finds again, alone.
func FuzzNames(f *testing.F) {
	for _, c := range subjects {
		f.Add(c.subject)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, n := range Names(s) {
			if got := Names(n); len(got) != 1 || got[0] != n {
				t.Fatalf("Names(%q) gave %q, whose Names are %q", s, n, got)
			}
		}
		d := Draft{Name: s, Intro: s, Log: []Row{{Time: s, Filter: s, Exposure: s, Value: s}}}
		subject, body := d.Text()
		if u, err := url.Parse(d.FormURL()); err != nil || u.Query().Get("subject") != subject || u.Query().Get("body") != body {
			t.Fatalf("form URL of %q does not round-trip (%v)", s, err)
		}
	})
}
