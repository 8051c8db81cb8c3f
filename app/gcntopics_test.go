package app

import (
	"os"
	"slices"
	"testing"
)

func TestMissionOf(t *testing.T) {
	for _, c := range []struct{ topic, want string }{
		{"gcn.classic.voevent.FERMI_GBM_FLT_POS", "Fermi"},
		{"gcn.classic.voevent.SWIFT_BAT_GRB_POS_ACK", "Swift"},
		{"gcn.classic.voevent.ICECUBE_ASTROTRACK_GOLD", "IceCube"},
		{"gcn.classic.voevent.SK_SN", "Super-Kamiokande"},
		{"gcn.classic.voevent.KONUS_LC", "Konus-Wind"},
		{"gcn.classic.voevent.LVC_PRELIMINARY", "LVK"},
		{"gcn.classic.voevent.TEST_COORDS", OtherMission},
		{"gcn.classic.voevent.GRB_CNTRPART", OtherMission},
		{"gcn.notices.einstein_probe.wxt.alert", "Einstein Probe"},
		{"gcn.notices.svom.voevent.grm", "SVOM"},
		{"gcn.notices.svom", "SVOM"},
		{"gcn.notices.km3net.voevent", "KM3NeT"},
		{"gcn.notices.icecube.lvk_nu_track_search", "IceCube"},
		{"gcn.notices.chime.frb", "CHIME"},
		{"gcn.notices.dsa110.frb", "DSA-110"},
		{"gcn.notice.superk.sn_alert", "Super-Kamiokande"},
		{"igwn.gwalert", "LVK"},
		{"gcn.heartbeat", "GCN"},
		{"gcn.circulars", "GCN"},
		{"something.else", OtherMission},
		{"", OtherMission},
	} {
		if got := MissionOf(c.topic); got != c.want {
			t.Errorf("MissionOf(%q) = %q, want %q", c.topic, got, c.want)
		}
	}
}

func TestGroupTopics(t *testing.T) {
	got := GroupTopics([]string{"gcn.heartbeat", "gcn.classic.voevent.FERMI_GBM_FLT_POS", "igwn.gwalert",
		"gcn.classic.voevent.UNKNOWN", "gcn.notices.fermi.gbm.trigger", "gcn.classic.voevent.FERMI_GBM_ALERT"})
	want := []TopicGroup{
		{"Fermi", []string{"gcn.classic.voevent.FERMI_GBM_ALERT", "gcn.classic.voevent.FERMI_GBM_FLT_POS", "gcn.notices.fermi.gbm.trigger"}},
		{"LVK", []string{"igwn.gwalert"}},
		{"GCN", []string{"gcn.heartbeat"}},
		{OtherMission, []string{"gcn.classic.voevent.UNKNOWN"}},
	}
	if !slices.EqualFunc(got, want, func(a, b TopicGroup) bool { return a.Mission == b.Mission && slices.Equal(a.Topics, b.Topics) }) {
		t.Fatalf("GroupTopics = %v, want %v", got, want)
	}
}

// TestGCNTopicGroups checks the embedded list against the shared test data:
// the same names, every one in a group, retired topics left out.
func TestGCNTopicGroups(t *testing.T) {
	data, err := os.ReadFile("../testdata/gcn-kafka-topics.txt")
	if err != nil {
		t.Fatal(err)
	}
	want := ParseTopicList(data)
	var got []string
	for _, g := range GCNTopicGroups() {
		got = append(got, g.Topics...)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("embedded topics differ from testdata: %d vs %d", len(got), len(want))
	}
	if slices.Contains(got, "gcn.classic.voevent.LVC_INITIAL") {
		t.Error("a retired (commented) topic is listed")
	}
	other := 0
	for _, g := range GCNTopicGroups() {
		if g.Mission == OtherMission {
			other = len(g.Topics)
		}
	}
	if other > 5 {
		t.Errorf("%d topics in %q: the mission table misses some", other, OtherMission)
	}
}
