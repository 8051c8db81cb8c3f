package notice

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/starling-broker/starling/netcore/alert"
)

// jsonWant is what a person reading a sample file expects of its summary.
type jsonWant struct {
	file, topic                 string
	mission, trigger, alertType string
	eventTime                   string // RFC 3339; "" for none
	pos                         bool
	ra, dec, errDeg, contain    float64
	test, retraction            bool
	far                         float64
	skymap                      bool
	significance                string // checked when not ""
	note                        string
}

// noticeDir is where the JSON samples live.
const noticeDir = "../../testdata/notices"

// jsonSamples lists every JSON sample with values read from the file by hand.
var jsonSamples = []jsonWant{
	{file: "gcn-classic-to-json/CALET_GBM_FLT_LC.example.json", topic: "gcn.classic.json.CALET_GBM_FLT_LC",
		mission: "CALET GBM", trigger: "1399729386", eventTime: "2024-05-14T13:49:42.620Z",
		pos: true, ra: 193.85000000000002, dec: 50.359, significance: "SNR 8.3"},
	{file: "gcn-schema/boom.alert.example.json", topic: "gcn.notices.boom.alert",
		mission: "Boom", trigger: "ZTF25acffkdr", pos: true, ra: 150.175649, dec: 15.2832185},
	{file: "gcn-schema/burstcube.alert.example.json", topic: "gcn.notices.burstcube",
		mission: "BurstCube", trigger: "240601000", alertType: "Initial", eventTime: "2024-06-01T00:00:00Z",
		pos: true, ra: 232, dec: -53.1, errDeg: 10, contain: 0.9, significance: "SNR 7.2 · GRB 95%"},
	{file: "gcn-schema/chime.frb.detection.example.json", topic: "gcn.notices.chime.frb",
		mission: "CHIME/FRB", trigger: "427325191", alertType: "Initial", eventTime: "2024-09-18T07:19:10.765268Z",
		pos: true, ra: 346.77850859547, dec: 12.632485229956252, errDeg: 0.598921231135782},
	{file: "gcn-schema/chime.frb.retraction.example.json", topic: "gcn.notices.chime.frb",
		mission: "CHIME/FRB", trigger: "427325191", alertType: "Retraction", retraction: true,
		eventTime: "2024-09-18T07:19:10.765268Z"},
	{file: "gcn-schema/chime.frb.subsequent.example.json", topic: "gcn.notices.chime.frb",
		mission: "CHIME/FRB", trigger: "427325192", alertType: "Subsequent", eventTime: "2024-09-18T07:19:10.765268Z",
		pos: true, ra: 346.77850859547, dec: 12.632485229956252, errDeg: 0.598921231135782},
	{file: "gcn-schema/circulars.example.json", topic: "gcn.circulars",
		mission: "GCN Circulars", trigger: "GRB 230410A", alertType: "Circular"},
	{file: "gcn-schema/core.Localization.example.json",
		pos: true, ra: 120, dec: 45, errDeg: 0.8, contain: 0.95},
	{file: "gcn-schema/core.Pointing.example.json"},
	{file: "gcn-schema/core.Reporter.example.json", mission: "Hubble Space Telescope Advanced Camera for Surveys"},
	{file: "gcn-schema/dsa110.frb.detection.example.json", topic: "gcn.notices.dsa110.frb",
		mission: "DSA-110", trigger: "240918aaaa", alertType: "Initial", eventTime: "2024-09-18T07:19:10.765268Z",
		pos: true, ra: 346.77850859547, dec: 12.632485229956252, errDeg: 0.02},
	{file: "gcn-schema/dsa110.frb.update.example.json", topic: "gcn.notices.dsa110.frb",
		mission: "DSA-110", trigger: "240918aaaa", alertType: "Update", eventTime: "2024-09-18T07:19:10.765268Z"},
	{file: "gcn-schema/einstein_probe.wxt.alert.example.json", topic: "gcn.notices.einstein_probe.wxt.alert",
		mission: "Einstein Probe WXT", trigger: "01708973486", eventTime: "2024-03-01T21:46:05.13Z",
		pos: true, ra: 120, dec: 40, errDeg: 0.02},
	{file: "gcn-schema/fermi.gbm.trigger.alert.example.json", topic: "gcn.notices.fermi.gbm.trigger",
		mission: "Fermi GBM", trigger: "745121685|bn240812094", alertType: "Alert",
		eventTime: "2024-08-24T02:14:40.43Z", significance: "SNR 4.9"},
	{file: "gcn-schema/fermi.gbm.trigger.final.example.json", topic: "gcn.notices.fermi.gbm.trigger",
		mission: "Fermi GBM", trigger: "745121685|bn240812094", alertType: "Final position",
		eventTime: "2024-08-24T02:14:40.43Z", pos: true, ra: 29.24, dec: -63.62, errDeg: 1, contain: 0.68},
	{file: "gcn-schema/fermi.gbm.trigger.flight1.example.json", topic: "gcn.notices.fermi.gbm.trigger",
		mission: "Fermi GBM", trigger: "745121685|bn240812094", alertType: "Flight position",
		eventTime: "2024-08-24T02:14:40.43Z", pos: true, ra: 136.917, dec: -78.117, errDeg: 8.32, contain: 0.68,
		significance: "SNR 6.1 · BELOW_HORIZON 100%"},
	{file: "gcn-schema/fermi.gbm.trigger.flight3.example.json", topic: "gcn.notices.fermi.gbm.trigger",
		mission: "Fermi GBM", trigger: "745121685|bn240812094", alertType: "Flight position",
		eventTime: "2024-08-24T02:14:40.43Z", pos: true, ra: 235.883, dec: 68.683, errDeg: 7.15, contain: 0.68,
		significance: "SNR 14.8 · GRB 85%"},
	{file: "gcn-schema/fermi.gbm.trigger.ground1.example.json", topic: "gcn.notices.fermi.gbm.trigger",
		mission: "Fermi GBM", trigger: "745121685|bn240812094", alertType: "Ground position",
		eventTime: "2024-08-24T02:14:40.43Z", pos: true, ra: 92.17, dec: -66.98, errDeg: 1.34, contain: 0.68},
	{file: "gcn-schema/glowbug.Alert.example.json",
		mission: "GLOWBUG", trigger: "BUG230423.789|432", alertType: "Initial", eventTime: "2023-04-23T15:20:11Z",
		far: 0.2, significance: "FAR 1 per 5 seconds · SNR 6.1 · BNS 90%"},
	{file: "gcn-schema/icecube.lvk_nu_track_search.example.json", topic: "gcn.notices.icecube.lvk_nu_track_search",
		mission: "IceCube", trigger: "S230914ak", eventTime: "2023-09-14T11:14:01Z",
		pos: true, ra: 17.49, dec: 16.18, significance: "p-value 0.0191"},
	{file: "gcn-schema/km3net.alert.example.json", topic: "gcn.notices.km3net.alert",
		mission: "KM3NeT ORCA024", trigger: "1", alertType: "Initial", eventTime: "2024-09-01T01:16:47Z",
		pos: true, ra: 10.82, dec: 20.01, errDeg: 0.9, far: 8.029e-8, significance: "FAR 1 per 4.7 months"},
	{file: "gcn-schema/maxi.gsc.known.example.json", topic: "gcn.notices.maxi.gsc.known",
		mission: "MAXI GSC", trigger: "0858800020", alertType: "Initial", eventTime: "2025-07-02T14:35:59Z",
		pos: true, ra: 285.6, dec: -9.2},
	{file: "gcn-schema/maxi.gsc.unknown.circle.example.json", topic: "gcn.notices.maxi.gsc.unknown",
		mission: "MAXI GSC", trigger: "9995289617", alertType: "Update", eventTime: "2023-02-20T08:56:01Z",
		pos: true, ra: 346.56, dec: 18.61, errDeg: 1.5, contain: 0.9},
	{file: "gcn-schema/maxi.gsc.unknown.ellipse.example.json", topic: "gcn.notices.maxi.gsc.unknown",
		mission: "MAXI GSC", trigger: "9995289617", alertType: "Update", eventTime: "2023-02-20T08:56:01Z",
		pos: true, ra: 346.56, dec: 18.61, errDeg: 0.22, contain: 0.9},
	{file: "gcn-schema/maxi.gsc.unknown.noerror.example.json", topic: "gcn.notices.maxi.gsc.unknown",
		mission: "MAXI GSC", trigger: "9995289617", alertType: "Initial", eventTime: "2023-02-20T08:56:01Z",
		pos: true, ra: 346.56, dec: 18.61},
	{file: "gcn-schema/maxi.gsc.unknown.retraction.example.json", topic: "gcn.notices.maxi.gsc.unknown",
		mission: "MAXI GSC", trigger: "9995289617", alertType: "Retraction", retraction: true,
		eventTime: "2023-02-20T08:56:01Z"},
	{file: "gcn-schema/superk.sn_alert.real.example.json", topic: "gcn.notices.superk.sn_alert",
		mission: "Super-Kamiokande", trigger: "SN.095001.000001", alertType: "Initial",
		eventTime: "2023-08-01T00:00:01Z", pos: true, ra: 270.82, dec: 31.46, errDeg: 0.91, contain: 0.68},
	{file: "gcn-schema/svom.eclairs.trigger.catalog.example.json", topic: "gcn.notices.svom",
		mission: "SVOM ECLAIRs", trigger: "sb24022203", alertType: "Initial", test: true,
		eventTime: "2024-02-22T08:51:31.32Z", pos: true, ra: 143.2478, dec: -68.0289, errDeg: 0.1},
	{file: "gcn-schema/svom.eclairs.trigger.slewing.example.json", topic: "gcn.notices.svom",
		mission: "SVOM ECLAIRs", trigger: "sb24022203", alertType: "Update", test: true,
		eventTime: "2024-02-22T08:51:31.32Z", pos: true, ra: 143.2478, dec: -68.0289, errDeg: 0.1},
	{file: "gcn-schema/svom.eclairs.trigger.wakeup.example.json", topic: "gcn.notices.svom",
		mission: "SVOM ECLAIRs", trigger: "sb24022203", alertType: "Initial", test: true,
		eventTime: "2024-02-22T08:51:31.32Z", pos: true, ra: 143.2478, dec: -68.0289, errDeg: 0.1},
	{file: "gcn-schema/swift.bat.Guano.Retraction.example.json", topic: "gcn.notices.swift.bat.guano",
		mission: "Swift BAT-GUANO", trigger: "694215995", alertType: "Retraction", retraction: true,
		eventTime: "2022-12-31T21:46:05.13Z"},
	{file: "gcn-schema/swift.bat.Guano.example.json", topic: "gcn.notices.swift.bat.guano",
		mission: "Swift BAT-GUANO", trigger: "694215995", alertType: "Initial", eventTime: "2022-12-31T21:46:05.13Z",
		far: 0.00001, significance: "FAR 1 per 1.2 days · SNR 15.8 · GRB 100%"},
	{file: "gcn-schema/swift.bat.guano.loc_arc_min.example.json", topic: "gcn.notices.swift.bat.guano",
		mission: "Swift BAT-GUANO", trigger: "694215995", alertType: "Update", eventTime: "2022-12-31T21:46:05.13Z",
		pos: true, ra: 336.26, dec: 25.139, errDeg: 0.5, contain: 0.9, far: 0.00001},
	{file: "gwcelery/kafka_alert_einteinprobe.json", topic: "gcn.notices.einstein_probe.wxt.alert",
		mission: "Einstein Probe WXT", trigger: "01709015181", eventTime: "2024-08-01T09:07:13.799Z",
		pos: true, ra: 345.134, dec: 32.607999999, errDeg: 0.05071889},
	{file: "gwcelery/kafka_alert_svom_wakeup.json", topic: "gcn.notices.svom",
		mission: "SVOM ECLAIRs", trigger: "sb24022203", alertType: "Initial", test: true,
		eventTime: "2024-02-22T08:51:31.32Z", pos: true, ra: 143.2478, dec: -68.0289, errDeg: 0.1},
	{file: "gwcelery/kafka_alert_swift_noloc.json", topic: "gcn.notices.swift.bat.guano",
		mission: "Swift BAT-GUANO", trigger: "694215995", alertType: "Initial", eventTime: "2022-10-04T22:34:49Z",
		far: 5.39583726e-08},
	{file: "gwcelery/kafka_alert_swift_wskymap.json", topic: "gcn.notices.swift.bat.guano",
		mission: "Swift BAT-GUANO", trigger: "694215995", alertType: "Update", eventTime: "2022-10-04T22:34:49Z",
		pos: true, ra: 14.5, dec: -40.1, errDeg: 0.03, contain: 0.9, far: 5.39583726e-08, skymap: true},
	{file: "lvk-gocart/MS230425j-preliminary.json", topic: "igwn.gwalert",
		mission: "LVK", trigger: "MS230425j", alertType: "Preliminary", test: true,
		eventTime: "2023-04-25T09:44:15.315Z", far: 9.110699364861297e-14, skymap: true,
		significance: "FAR 1 per 350,000 years · BNS 100%"},
	{file: "lvk-gocart/MS230425k-initial.json", topic: "igwn.gwalert",
		mission: "LVK", trigger: "MS230425k", alertType: "Initial", test: true,
		eventTime: "2023-04-25T10:51:18.658Z", far: 5.176954877338635e-16, skymap: true,
		significance: "FAR 1 per 61 million years · BNS 100%"},
	{file: "lvk-gocart/MS230425k-preliminary.json", topic: "igwn.gwalert",
		mission: "LVK", trigger: "MS230425k", alertType: "Preliminary", test: true,
		eventTime: "2023-04-25T10:51:18.658Z", far: 5.176954877338635e-16, skymap: true},
	{file: "lvk-gocart/MS230425k-retraction.json", topic: "igwn.gwalert",
		mission: "LVK", trigger: "MS230425k", alertType: "Retraction", test: true, retraction: true},
	{file: "lvk-gocart/MS230425q-retraction.json", topic: "igwn.gwalert",
		mission: "LVK", trigger: "MS230425q", alertType: "Retraction", test: true, retraction: true},
	{file: "lvk-gocart/S230528ay-preliminary.json", topic: "igwn.gwalert",
		mission: "LVK", trigger: "S230528ay", alertType: "Preliminary",
		eventTime: "2023-05-28T11:10:53.670Z", far: 7.032685984134245e-07, skymap: true,
		significance: "FAR 1 per 16 days · low significance"},
	{file: "lvk-userguide/MS181101ab-earlywarning.json", topic: "igwn.gwalert",
		mission: "LVK", trigger: "MS181101ab", alertType: "Early warning", test: true,
		eventTime: "2018-11-01T22:22:46.654Z", far: 9.11069936486e-14, skymap: true,
		significance: "FAR 1 per 350,000 years · BNS 95%"},
	{file: "lvk-userguide/MS181101ab-ext-update.json", topic: "igwn.gwalert",
		mission: "LVK", trigger: "MS181101ab", alertType: "Update", test: true,
		eventTime: "2018-11-01T22:22:46.654Z", far: 9.11069936486e-14, skymap: true},
	{file: "lvk-userguide/MS181101ab-preliminary.json", topic: "igwn.gwalert",
		mission: "LVK", trigger: "MS181101ab", alertType: "Preliminary", test: true,
		eventTime: "2018-11-01T22:22:46.654Z", far: 9.11069936486e-14, skymap: true},
	{file: "lvk-userguide/MS181101ab-preliminary_displayexample.json", topic: "igwn.gwalert",
		mission: "LVK", trigger: "MS181101ab", alertType: "Preliminary", test: true,
		eventTime: "2018-11-01T22:22:46.654Z", far: 9.11069936486e-14, skymap: false},
	{file: "lvk-userguide/MS181101ab-retraction.json", topic: "igwn.gwalert",
		mission: "LVK", trigger: "MS181101ab", alertType: "Retraction", test: true, retraction: true},
}

func TestSummarizeEveryJSONSample(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(noticeDir, "*", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no samples: %v", err)
	}
	listed := map[string]bool{}
	for _, w := range jsonSamples {
		listed[w.file] = true
	}
	for _, f := range files {
		rel, _ := filepath.Rel(noticeDir, f)
		if !listed[filepath.ToSlash(rel)] {
			t.Errorf("%s has no row in jsonSamples", rel)
		}
	}
	for _, w := range jsonSamples {
		t.Run(w.file, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(noticeDir, w.file))
			if err != nil {
				t.Fatal(err)
			}
			checkJSON(t, Summarize(w.topic, raw), raw, w)
		})
	}
}

// checkTimeAndPosition compares a summary's event time (RFC 3339, "" for
// none) and position with the values read from the file.
func checkTimeAndPosition(t *testing.T, s alert.Summary, eventTime string, pos bool, ra, dec, errDeg float64) {
	t.Helper()
	var want time.Time
	if eventTime != "" {
		var err error
		if want, err = time.Parse(time.RFC3339Nano, eventTime); err != nil {
			t.Fatal(err)
		}
	}
	if !s.EventTime.Equal(want) {
		t.Errorf("EventTime = %v, want %v", s.EventTime, want)
	}
	if s.HasPosition != pos || !near(s.RA, ra) || !near(s.Dec, dec) || !near(s.ErrorDeg, errDeg) {
		t.Errorf("position = %v %v %v ±%v, want %v %v %v ±%v", s.HasPosition, s.RA, s.Dec, s.ErrorDeg, pos, ra, dec, errDeg)
	}
}

// checkJSON compares a summary with what the file says, field by field.
func checkJSON(t *testing.T, s alert.Summary, raw []byte, w jsonWant) {
	t.Helper()
	sum := sha256.Sum256(raw)
	if want := "sha256:" + hex.EncodeToString(sum[:]); s.Key != want || s.Format != alert.FormatJSON {
		t.Errorf("Key, Format = %q, %q; want %q, json", s.Key, s.Format, want)
	}
	str := func(name, got, want string) {
		if got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	str("Mission", s.Mission, w.mission)
	str("Trigger", s.Trigger, w.trigger)
	str("AlertType", s.AlertType, w.alertType)
	str("Note", s.Note, w.note)
	if w.significance != "" {
		str("Significance", s.Significance, w.significance)
	}
	checkTimeAndPosition(t, s, w.eventTime, w.pos, w.ra, w.dec, w.errDeg)
	if !near(s.Containment, w.contain) {
		t.Errorf("Containment = %v, want %v", s.Containment, w.contain)
	}
	if s.Test != w.test || s.Retraction != w.retraction || s.HasSkymap != w.skymap {
		t.Errorf("Test, Retraction, HasSkymap = %v %v %v; want %v %v %v",
			s.Test, s.Retraction, s.HasSkymap, w.test, w.retraction, w.skymap)
	}
	if !near(s.FAR, w.far) {
		t.Errorf("FAR = %g, want %g", s.FAR, w.far)
	}
	if s.Trigger != "" && !strings.Contains(s.Text, strings.Split(s.Trigger, "|")[0]) {
		t.Errorf("Text %q lacks the trigger %q", s.Text, s.Trigger)
	}
}

// near compares floats read from decimal text.
func near(a, b float64) bool {
	return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b))
}
