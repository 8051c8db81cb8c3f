package describe

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/starling-broker/starling/netcore/alert"
)

const notices = "../../testdata/notices/"

func read(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// lvkAlert wraps a sky map file as an LVK alert's event.skymap.
func lvkAlert(fits []byte) []byte {
	return []byte(`{"alert_type": "PRELIMINARY", "superevent_id": "MS181101ab", "time_created": "2018-11-01T22:34:49Z",
		"event": {"time": "2018-11-01T22:22:46.654Z", "far": 9.11069936486e-14, "skymap": "` + base64.StdEncoding.EncodeToString(fits) + `"}}`)
}

// tableData is where the BINTABLE's rows start in a FITS file whose primary
// HDU has no data: after the second header's END card, at the next block.
func tableData(t *testing.T, fits []byte) int {
	t.Helper()
	ends := 0
	for i := 0; i+80 <= len(fits); i += 80 {
		if bytes.HasPrefix(fits[i:i+80], []byte("END     ")) {
			if ends++; ends == 2 {
				return (i/2880 + 1) * 2880
			}
		}
	}
	t.Fatal("no second END card")
	return 0
}

func TestJSONSkymapSummary(t *testing.T) {
	s := JSON("igwn.gwalert", read(t, notices+"lvk-userguide/MS181101ab-preliminary.json"), false)
	if s.Skymap == nil {
		t.Fatalf("no sky map summary; note %q", s.Note)
	}
	// healpy's values for the same map (netcore/skymap/testdata/reference.json).
	m := *s.Skymap
	if m.DistMean == nil || m.DistStd == nil {
		t.Fatal("no distance; the map has DISTMEAN and DISTSTD")
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"ra", m.RA, 194.30419921875}, {"dec", m.Dec, -17.856895095545468},
		{"area50", m.Area50, 8.901102526360619}, {"area90", m.Area90, 30.988295056781055},
		{"distmean", *m.DistMean, 39.76999609489013}, {"diststd", *m.DistStd, 8.308435058808886},
	} {
		if math.Abs(c.got-c.want) > 1e-6*math.Max(1, math.Abs(c.want)) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if m.NPix != 19200 || m.MaxOrder != 11 || !s.HasSkymap || s.Note != "" {
		t.Errorf("npix %d, max order %d, has %v, note %q", m.NPix, m.MaxOrder, s.HasSkymap, s.Note)
	}
	if s.Trigger != "MS181101ab" || s.AlertType != "Preliminary" || !s.Test {
		t.Errorf("trigger %q, type %q, test %v", s.Trigger, s.AlertType, s.Test)
	}
}

func TestJSONBadSkymaps(t *testing.T) {
	good := read(t, notices+"lvk-userguide/bayestar.multiorder.fits")
	data := tableData(t, good)
	edit := func(f func(b []byte)) []byte {
		b := bytes.Clone(good)
		f(b)
		return lvkAlert(b)
	}
	putFloat := func(b []byte, row, col int, v float64) {
		binary.BigEndian.PutUint64(b[data+40*row+col:], math.Float64bits(v))
	}
	cases := []struct {
		name string
		raw  []byte
		note string // a part of the note
	}{
		{"display copy cut to ...", read(t, notices+"lvk-userguide/MS181101ab-preliminary_displayexample.json"), "cut short"},
		{"base64 cut mid-way", []byte(strings.Replace(string(lvkAlert(good)), `=="`, `"`, 1)[:600_001] + `"}}`), "truncated"},
		{"FITS cut", lvkAlert(good[:data+40*1000]), "sky map unreadable: "},
		{"UNIQ of type D", edit(func(b []byte) {
			i := bytes.Index(b, []byte("TFORM1  = 'K       '"))
			b[i+11] = 'D'
		}), "column UNIQ has type D"},
		{"NaN density", edit(func(b []byte) { putFloat(b, 7, 8, math.NaN()) }), "not a finite number"},
		{"negative density", edit(func(b []byte) { putFloat(b, 7, 8, -1) }), "negative"},
		{"order 30", edit(func(b []byte) { binary.BigEndian.PutUint64(b[data:], 4<<60) }), "order 30"},
	}
	for _, c := range cases {
		s := JSON("igwn.gwalert", c.raw, false)
		t.Logf("%s: %s", c.name, s.Note)
		if s.Skymap != nil || !strings.HasPrefix(s.Note, NoteSkymapUnreadable) || !strings.Contains(s.Note, c.note) {
			t.Errorf("%s: skymap %v, note %q (want it to contain %q)", c.name, s.Skymap, s.Note, c.note)
		}
		if s.Trigger != "MS181101ab" || s.Key == "" {
			t.Errorf("%s: the rest of the summary is lost: %+v", c.name, s)
		}
	}

	// Every density doubled: the map reads, with a warning in the note.
	s := JSON("igwn.gwalert", edit(func(b []byte) {
		for row := range 19200 {
			off := data + 40*row + 8
			v := math.Float64frombits(binary.BigEndian.Uint64(b[off:]))
			binary.BigEndian.PutUint64(b[off:], math.Float64bits(2*v))
		}
	}), false)
	if s.Skymap == nil || !strings.HasPrefix(s.Note, NoteSkymapWarning) || !strings.Contains(s.Note, "sum to 2") {
		t.Errorf("doubled densities: skymap %v, note %q", s.Skymap, s.Note)
	}
}

func TestJSONWithoutSkymap(t *testing.T) {
	for _, f := range []string{"lvk-userguide/MS181101ab-retraction.json", "gcn-schema/einstein_probe.wxt.alert.example.json"} {
		s := JSON("", read(t, notices+f), false)
		if s.Skymap != nil || s.Note != "" || s.HasSkymap {
			t.Errorf("%s: skymap %v, note %q", f, s.Skymap, s.Note)
		}
	}
	// A schema placeholder in healpix_file is no sky map, and says so.
	s := JSON("gcn.notices.burstcube", read(t, notices+"gcn-schema/burstcube.alert.example.json"), false)
	if s.Skymap != nil || !strings.HasPrefix(s.Note, NoteSkymapUnreadable) {
		t.Errorf("placeholder: skymap %v, note %q", s.Skymap, s.Note)
	}
}

func TestTestFlag(t *testing.T) {
	raw := read(t, notices+"gcn-schema/einstein_probe.wxt.alert.example.json")
	if JSON("gcn.notices.einstein_probe.wxt.alert", raw, false).Test {
		t.Error("an Einstein Probe notice is not a test")
	}
	if !JSON("gcn.notices.einstein_probe.wxt.alert", raw, true).Test {
		t.Error("a Hopskotch _test record is a test")
	}
	v := read(t, "../../testdata/voevents/public/swift/BAT_GRB_Pos_1201696-785.xml")
	if s := Raw(alert.FormatVOEvent, "", v); s.Test || s.Trigger != "1201696" || s.Key != "ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_1201696-785" {
		t.Errorf("Swift BAT position: %+v", s)
	}
	if s := Raw(alert.FormatVOEvent, "", []byte("<VOEvent")); !strings.HasPrefix(s.Note, NoteUnparsableVOEvent) {
		t.Errorf("unparsable: %+v", s)
	}
}
