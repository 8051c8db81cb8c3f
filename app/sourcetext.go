package app

import "strings"

// gcnTopicFamilies are the prefixes of GCN's Kafka topics that end in a
// notice type, in the order they are tried.
var gcnTopicFamilies = []string{"gcn.classic.voevent.", "gcn.classic.json.", "gcn.classic.text.", "gcn.notices."}

// SourceText is where an archived alert came from, as a table cell names
// it: a Kafka alert's notice type first, then its topic family
// ("SWIFT_BAT_GRB_POS_ACK (gcn.classic.voevent)", "swift.bat.guano
// (gcn.notices)"), so that a narrow column still shows the type; any other
// topic whole ("igwn.gwalert"); a subscription's name; "dropped file
// NAME"; else the peer's address.
func SourceText(r EventRow) string {
	if r.Topic != "" {
		for _, fam := range gcnTopicFamilies {
			if typ, ok := strings.CutPrefix(r.Topic, fam); ok && typ != "" {
				return typ + " (" + strings.TrimSuffix(fam, ".") + ")"
			}
		}
		return r.Topic
	}
	return strings.TrimPrefix(r.Source, "subscription: ")
}
