package app

import (
	"bufio"
	"bytes"
	"sort"
	"strings"

	"github.com/starling-broker/starling/assets"
)

// TopicGroup is one mission's Kafka topics, for the window's checklist.
type TopicGroup struct {
	Mission string
	Topics  []string
}

// missionNames maps the first word of a notice type or a notice topic's
// mission to the mission's name as people write it.
var missionNames = map[string]string{
	"agile": "AGILE", "amon": "AMON", "boom": "BOOM", "burstcube": "BurstCube", "calet": "CALET",
	"chime": "CHIME", "dsa110": "DSA-110", "einstein_probe": "Einstein Probe", "fermi": "Fermi",
	"gecam": "GECAM", "hawc": "HAWC", "hete": "HETE", "icecube": "IceCube", "integral": "INTEGRAL",
	"ipn": "IPN", "km3net": "KM3NeT", "konus": "Konus-Wind", "lvc": "LVK", "maxi": "MAXI",
	"sk": "Super-Kamiokande", "superk": "Super-Kamiokande", "snews": "SNEWS", "svom": "SVOM",
	"swift": "Swift",
}

// OtherMission is the group of topics that belong to no one mission.
const OtherMission = "Other"

// MissionOf names the mission a GCN Kafka topic belongs to: "Fermi" for
// gcn.classic.voevent.FERMI_GBM_FLT_POS, "Einstein Probe" for
// gcn.notices.einstein_probe.wxt.alert, "LVK" for igwn.gwalert, "GCN" for
// gcn.heartbeat and gcn.circulars, OtherMission when it cannot tell.
func MissionOf(topic string) string {
	t := strings.ToLower(strings.TrimSpace(topic))
	var key string
	switch {
	case t == "igwn.gwalert" || strings.HasPrefix(t, "igwn."):
		return "LVK"
	case t == "gcn.heartbeat" || t == "gcn.circulars":
		return "GCN"
	case strings.HasPrefix(t, "gcn.classic.voevent."), strings.HasPrefix(t, "gcn.classic.text."), strings.HasPrefix(t, "gcn.classic.binary."):
		rest := t[strings.LastIndexByte(t, '.')+1:]
		key, _, _ = strings.Cut(rest, "_")
	case strings.HasPrefix(t, "gcn.notices."), strings.HasPrefix(t, "gcn.notice."):
		rest := t[strings.IndexByte(t[len("gcn."):], '.')+len("gcn.")+1:]
		key, _, _ = strings.Cut(rest, ".")
	}
	if name, ok := missionNames[key]; ok {
		return name
	}
	return OtherMission
}

// GroupTopics groups topics by mission: missions in alphabetical order with
// GCN's own topics and then OtherMission last, topics sorted within each.
func GroupTopics(topics []string) []TopicGroup {
	by := map[string][]string{}
	for _, t := range topics {
		m := MissionOf(t)
		by[m] = append(by[m], t)
	}
	out := make([]TopicGroup, 0, len(by))
	for m, ts := range by {
		sort.Strings(ts)
		out = append(out, TopicGroup{Mission: m, Topics: ts})
	}
	rank := func(m string) int {
		switch m {
		case "GCN":
			return 1
		case OtherMission:
			return 2
		}
		return 0
	}
	sort.Slice(out, func(i, j int) bool {
		if ri, rj := rank(out[i].Mission), rank(out[j].Mission); ri != rj {
			return ri < rj
		}
		return out[i].Mission < out[j].Mission
	})
	return out
}

// ParseTopicList reads a topic list: one name a line, # starts a comment.
func ParseTopicList(data []byte) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, line)
	}
	return out
}

// GCNTopicGroups are GCN's notice topics (embedded in assets) grouped by mission.
func GCNTopicGroups() []TopicGroup {
	return GroupTopics(ParseTopicList(assets.GCNKafkaTopics))
}
