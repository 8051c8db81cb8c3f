package notice

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/starling-broker/starling/netcore/alert"
	"github.com/starling-broker/starling/netcore/voevent"
)

// voeventDir is where the VOEvent samples live.
const voeventDir = "../../testdata/voevents"

// voWant is what a person reading a VOEvent sample expects of its summary.
type voWant struct {
	file, ivorn, role, author   string
	mission, trigger, alertType string
	eventTime                   string // RFC 3339; "" for none
	pos                         bool
	ra, dec, errDeg             float64
	probability                 float64
	test, retraction            bool
	far                         float64
	significance                string // checked when not ""
}

// voSamples are values read by hand from a spread of real VOEvents.
var voSamples = []voWant{
	{file: "public/fermi/GBM_Alert_2023-12-10T13_15_50.51_723906955_1-794.xml",
		ivorn: "ivo://nasa.gsfc.gcn/Fermi#GBM_Alert_2023-12-10T13:15:50.51_723906955_1-794", role: "observation",
		author: "ivo://nasa.gsfc.tan/gcn", mission: "Fermi GBM", trigger: "723906955", alertType: "Alert",
		eventTime: "2023-12-10T13:15:50.51Z", probability: 0.5, significance: "SNR 4.6"},
	{file: "public/fermi/GBM_Flt_Pos_2023-12-10T13_15_50.51_723906955_120-802.xml",
		ivorn: "ivo://nasa.gsfc.gcn/Fermi#GBM_Flt_Pos_2023-12-10T13:15:50.51_723906955_120-802", role: "observation",
		author: "ivo://nasa.gsfc.tan/gcn", mission: "Fermi GBM", trigger: "723906955", alertType: "Flight position",
		eventTime: "2023-12-10T13:15:50.51Z", pos: true, ra: 125.5, dec: 34.2, errDeg: 19.1333, probability: 0.5,
		significance: "SNR 6.6"},
	{file: "public/fermi/GBM_Fin_Pos_Int_2016-01--12T13_36_22.84_472224986_0-591.xml",
		ivorn: "ivo://nasa.gsfc.gcn/Fermi#GBM_Fin_Pos_Int_2016-01--12T13:36:22.84_472224986_0-591", role: "observation",
		author: "ivo://nasa.gsfc.tan/gcn", mission: "Fermi GBM", trigger: "472224986", alertType: "Final position",
		pos: true, ra: 347.18, dec: 7.71, errDeg: 8.15, probability: 1}, // its ISOTime, 2016-01--12, is no date
	{file: "fink-voevent/ivo__nasa.gsfc.gcn_FermiGBM_Test_Pos_20191201T173223.00_099999_1692.xml",
		ivorn: "ivo://nasa.gsfc.gcn/Fermi#GBM_Test_Pos_2019-12-01T17:32:23.00_099999_1-692", role: "test",
		author: "ivo://nasa.gsfc.tan/gcn", mission: "Fermi GBM", trigger: "99999", alertType: "GBM test position",
		eventTime: "2019-12-01T17:32:23Z", pos: true, ra: 216, dec: 35, errDeg: 5.8, probability: 0.5, test: true},
	{file: "public/swift/BAT_GRB_Pos_1201696-785.xml",
		ivorn: "ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_1201696-785", role: "observation",
		author: "ivo://nasa.gsfc.tan/gcn", mission: "Swift BAT", trigger: "1201696", alertType: "BAT position",
		eventTime: "2023-12-10T21:29:04.49Z", pos: true, ra: 95.7721, dec: -48.3592, errDeg: 0.05, probability: 0.9},
	{file: "public/swift/XRT_Pos_1201696-838.xml",
		ivorn: "ivo://nasa.gsfc.gcn/SWIFT#XRT_Pos_1201696-838", role: "observation",
		author: "ivo://nasa.gsfc.tan/gcn", mission: "Swift XRT", trigger: "1201696", alertType: "XRT position",
		eventTime: "2023-12-10T21:36:37Z", pos: true, ra: 95.7949, dec: -48.3719, errDeg: 0.0005, probability: 0.9},
	{file: "public/swift/BAT_GRB_Test_Pos_2014-04-23T17_34_18.00-656.xml",
		ivorn: "ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Test_Pos_2014-04-23T17:34:18.00-656", role: "test",
		author: "ivo://nasa.gsfc.tan/gcn", mission: "Swift BAT", trigger: "99999", alertType: "BAT position",
		eventTime: "2014-04-23T17:34:18Z", pos: true, ra: 36, dec: 35, errDeg: 0.05, probability: 0.98, test: true},
	{file: "public/lvk/S190426c-2-Initial.xml",
		ivorn: "ivo://gwnet/LVC#S190426c-2-Initial", role: "observation",
		author: "LIGO Scientific Collaboration and Virgo Collaboration", mission: "LVK", trigger: "S190426c",
		alertType: "Initial", eventTime: "2019-04-26T15:21:55.336540Z", far: 1.94694181763e-08},
	{file: "public/lvk/MS231211w-3-Retraction.xml",
		ivorn: "ivo://gwnet/LVC#MS231211w-3-Retraction", role: "test",
		author: "LIGO Scientific Collaboration, Virgo Collaboration, and KAGRA Collaboration", mission: "LVK",
		trigger: "MS231211w", alertType: "Retraction", eventTime: "2023-12-11T22:19:39Z", test: true, retraction: true},
	{file: "public/lvk/S190518bb-2-Retraction.xml",
		ivorn: "ivo://gwnet/LVC#S190518bb-2-Retraction", role: "observation",
		author: "LIGO Scientific Collaboration and Virgo Collaboration", mission: "LVK", trigger: "S190518bb",
		alertType: "Retraction", eventTime: "2019-05-18T19:19:21.922655Z", retraction: true},
	{file: "public/lvk/S230518h-1-EarlyWarning.xml",
		ivorn: "ivo://gwnet/LVC#S230518h-1-EarlyWarning", role: "observation",
		author: "LIGO Scientific Collaboration, Virgo Collaboration, and KAGRA Collaboration", mission: "LVK",
		trigger: "S230518h", alertType: "Early warning", eventTime: "2023-05-24T20:22:41Z", far: 7.224443905955801e-08},
	{file: "public/icecube/ICECUBE_GOLD_Event2020-06-15T14_49_17.37_24_134191_017593623_0.xml",
		ivorn: "ivo://nasa.gsfc.gcn/AMON#ICECUBE_GOLD_Event2020-06-15T14:49:17.37_24_134191_017593623_0", role: "observation",
		author: "ivo://nasa.gsfc.tan/gcn", mission: "IceCube", trigger: "134191_17593623", alertType: "Gold",
		eventTime: "2020-06-15T14:49:17.37Z", pos: true, ra: 143.4519, dec: 3.7891, errDeg: 0.9201, probability: 1,
		far: 0.2894 / (365.25 * 86400), significance: "FAR 1 per 3.5 years · signalness 0.828"},
	{file: "public/amon/HAWC_BURST_MONITOR_Event2022-11-28T01_23_43.00_1011061_000001567-484.xml",
		ivorn: "ivo://nasa.gsfc.gcn/AMON#HAWC_BURST_MONITOR_Event2022-11-28T01:23:43.00_1011061_000001567-484", role: "observation",
		author: "ivo://nasa.gsfc.tan/gcn", mission: "HAWC", trigger: "1011061_1567", alertType: "Burst monitor",
		eventTime: "2022-11-28T01:23:43Z", pos: true, ra: 35.363, dec: 40.5062, errDeg: 0.4, probability: 1,
		far: 8.323385 / (365.25 * 86400)},
	{file: "public/integral/Refined_Pos_010436-2-914.xml",
		ivorn: "ivo://nasa.gsfc.gcn/INTEGRAL#Refined_Pos_010436-2-914", role: "observation",
		author: "ivo://nasa.gsfc.tan/gcn", mission: "INTEGRAL", trigger: "10436", alertType: "Refined position",
		eventTime: "2023-11-29T05:06:21.53Z", pos: true, ra: 317.5528, dec: 41.5261, errDeg: 0.045, probability: 0.5},
	{file: "public/gecam/FLT_Event_2022-10-01T1532_07_24.80_000008-700.xml",
		ivorn: "ivo://nasa.gsfc.gcn/GECAM#FLT_Event_2022-10-01T1532:07:24.80_000008-700", role: "observation",
		author: "ivo://nasa.gsfc.tan/gcn", mission: "GECAM", trigger: "118336756", alertType: "Flight",
		eventTime: "2022-10-01T15:19:16.45Z", pos: true, ra: 114.19, dec: 60.96, errDeg: 9.1099, probability: 1},
	{file: "public/superk/Event_2023-11-30T23_15_12.57_000001-734.xml",
		ivorn: "ivo://nasa.gsfc.gcn/SK_SN#Event_2023-11-30T23:15:12.57_000001-734", role: "test",
		author: "ivo://nasa.gsfc.tan/gcn", mission: "Super-Kamiokande", trigger: "10057", alertType: "Supernova",
		eventTime: "2023-11-30T23:15:12.57Z", pos: true, ra: 270.8199, dec: 31.46, probability: 1, test: true},
	{file: "public/svom/sb25030804_grm-trigger.xml", // Error2Radius -1: unknown
		ivorn: "ivo://org.svom/fsc#sb25030804_grm-trigger", role: "observation", author: "ivo://org.svom/FSC",
		mission: "SVOM GRM", trigger: "sb25030804", eventTime: "2025-03-08T18:06:30.9Z",
		pos: true, ra: 155.9861, dec: 8.5888, probability: 1, significance: "SNR 40.1"},
	{file: "public/gaia/Gaia19ffo.xml",
		ivorn: "ivo://gaia.cam.uk/alerts#Gaia19ffo", role: "observation", author: "ivo://gaia.cam.uk",
		mission: "Gaia", eventTime: "2019-11-22T18:01:14Z", pos: true, ra: 307.82072, dec: -33.20768, errDeg: 0.00002},
	{file: "public/chime-frb/OBS-RETRACTION_65550c2c8d65.xml",
		ivorn: "ivo://ca.chimenet.frb/OBS-RETRACTION-#1995-01-01-00:00:00.000000UTC+0000_65550c2c8d65", role: "utility",
		author: "ivo://ca.chimenet.frb/contact", mission: "CHIME/FRB",
		trigger:   "ivo://ca.chimenet.frb/FRB-DETECTION-#1995-01-01-00:00:00.000000UTC+0000_daa68ff4aeaf",
		alertType: "Retraction", eventTime: "1995-01-01T00:00:00Z", retraction: true},
	{file: "public/4pisky/ASASSN_2016-01-2.12_AT_2016D.xml",
		ivorn: "ivo://voevent.4pisky.org/ASASSN#2016-01-2.12_AT_2016D", role: "observation",
		author: "ivo://voevent.4pisky.org/robots", mission: "ASAS-SN", eventTime: "2016-01-02T02:52:48Z",
		pos: true, ra: 60.3585833333, dec: -54.7591666667, errDeg: 0.00444444444444},
	{file: "public/ogle-estar/OGLE-2007-BLG-001_v1.1.xml",
		ivorn: "ivo://uk.org.estar/pl.edu.ogle#OGLE-2007-BLG-001", role: "observation",
		author: "ivo://uk.org.estar/pl.edu.ogle#", mission: "OGLE", eventTime: "2007-02-27T21:39:26Z",
		pos: true, ra: 268.446708333333, dec: -29.7399166666667, probability: 1},
	{file: "public/4pisky/voevent-broadcast_TestEvent-2015-11-19T17_54_19.xml",
		ivorn: "ivo://voevent.4pisky.org/voevent-broadcast#TestEvent-2015-11-19T17:54:19", role: "test",
		author: "ivo://voevent.4pisky.org/voevent-broadcast", mission: "voevent-broadcast", test: true},
	{file: "public/4pisky/ALARRM-REQUEST_151230-2227.19.xml",
		ivorn: "ivo://voevent.4pisky.org/ALARRM-REQUEST#151230-2227.19", role: "utility",
		author: "ivo://voevent.4pisky.org/robots", mission: "ALARRM-REQUEST",
		trigger: "ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_668877-527", probability: 0.9,
		pos: true, ra: 305.9454, dec: 33.8496, errDeg: 0.0666},
}

// parseSample reads and parses a VOEvent sample.
func parseSample(t testing.TB, file string) *voevent.Event {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(voeventDir, file))
	if err != nil {
		t.Fatal(err)
	}
	ev, err := voevent.Parse(raw)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return ev
}

func TestSummarizeVOEventSamples(t *testing.T) {
	for _, w := range voSamples {
		t.Run(filepath.Base(w.file), func(t *testing.T) {
			checkVOEvent(t, SummarizeVOEvent(parseSample(t, w.file)), w)
		})
	}
}

// checkVOEvent compares a summary with what the file says, field by field.
func checkVOEvent(t *testing.T, s alert.Summary, w voWant) {
	t.Helper()
	str := func(name, got, want string) {
		if got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	str("Format", string(s.Format), "voevent")
	str("Key", s.Key, w.ivorn)
	str("Role", s.Role, w.role)
	str("Author", s.Author, w.author)
	str("Mission", s.Mission, w.mission)
	str("Trigger", s.Trigger, w.trigger)
	str("AlertType", s.AlertType, w.alertType)
	if w.significance != "" {
		str("Significance", s.Significance, w.significance)
	}
	checkTimeAndPosition(t, s, w.eventTime, w.pos, w.ra, w.dec, w.errDeg)
	if !near(s.Probability, w.probability) || !near(s.FAR, w.far) {
		t.Errorf("Probability, FAR = %v, %g; want %v, %g", s.Probability, s.FAR, w.probability, w.far)
	}
	if s.Test != w.test || s.Retraction != w.retraction {
		t.Errorf("Test, Retraction = %v %v; want %v %v", s.Test, s.Retraction, w.test, w.retraction)
	}
	if !strings.Contains(s.Text, w.ivorn) {
		t.Errorf("Text lacks the IVORN: %q", s.Text)
	}
}

func TestSummarizeVOEventText(t *testing.T) {
	s := SummarizeVOEvent(parseSample(t, "public/lvk/S190426c-2-Initial.xml"))
	for _, word := range []string{"GraceID", "S190426c", "BNS", "Packet_Type", "151",
		"ivo://gwnet/LVC#S190426c-1-Preliminary"} {
		if !strings.Contains(s.Text, word) {
			t.Errorf("Text lacks %q", word)
		}
	}
	if s.Description != "LVK Initial S190426c: Report of a candidate gravitational wave event" {
		t.Errorf("Description %q", s.Description)
	}
	if s := SummarizeVOEvent(nil); s.Format != alert.FormatVOEvent || s.Key != "" {
		t.Errorf("nil event: %+v", s)
	}
}

// TestSummarizeEveryVOEvent runs over all samples: none may fail to
// summarise, and every GCN packet with a Packet_Type we list gets its type.
func TestSummarizeEveryVOEvent(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(voeventDir, "*", "*.xml"))
	if err != nil {
		t.Fatal(err)
	}
	more, _ := filepath.Glob(filepath.Join(voeventDir, "public", "*", "*.xml"))
	files = append(files, more...)
	if len(files) < 90 {
		t.Fatalf("only %d samples", len(files))
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		ev, err := voevent.Parse(raw)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		s := SummarizeVOEvent(ev)
		if s.Key != ev.IVORN || s.Mission == "" {
			t.Errorf("%s: Key %q, Mission %q", f, s.Key, s.Mission)
		}
	}
}
