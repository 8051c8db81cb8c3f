// Package notice turns alerts into the one event summary (design §8): JSON
// records from Kafka (LVK igwn.gwalert, GCN notices in the unified schema,
// gcn.heartbeat, gcn.circulars) with Summarize, and parsed VOEvents with
// SummarizeVOEvent. Everything here is a pure function of the bytes: no
// store, no window, no network, and no sky map decoding (that is skymap's
// work; a summary only says whether a map is embedded).
package notice

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"

	"github.com/starling-broker/starling/netcore/alert"
)

// Notes for what Summarize could not understand.
const (
	// NoteUnrecognised marks JSON whose kind Summarize does not know.
	NoteUnrecognised = "unrecognised format"
	// NoteInvalidJSON marks bytes that are not one JSON object.
	NoteInvalidJSON = "invalid JSON"
)

// Summarize describes one JSON record received on a Kafka topic. The topic
// helps recognise the record (igwn.gwalert, gcn.heartbeat, gcn.circulars,
// *_TEST) but the content decides where it can. Summarize never panics:
// bytes that are not a JSON object get a summary with only Format, Key and a
// Note.
func Summarize(topic string, raw []byte) alert.Summary {
	s, emb := SummarizeEmbedded(topic, raw)
	s.HasSkymap = emb.LooksLikeSkymap()
	return s
}

// SummarizeEmbedded is Summarize that also returns, from the same parse, the
// field that embeds the record's sky map, for skymap.EmbeddedFITS: so that
// an alert is parsed once for its summary and its map. It leaves
// HasSkymap to the caller: true when the map decodes, else
// Embedded.LooksLikeSkymap (a check of every base64 character that the
// decoding makes needless).
func SummarizeEmbedded(topic string, raw []byte) (alert.Summary, Embedded) {
	return SummarizeHashed(topic, raw, sha256.Sum256(raw))
}

// SummarizeHashed is SummarizeEmbedded for a caller that has the SHA-256
// of raw already (sum), which makes the summary's key.
func SummarizeHashed(topic string, raw []byte, sum [32]byte) (alert.Summary, Embedded) {
	s := alert.Summary{Format: alert.FormatJSON, Key: "sha256:" + hex.EncodeToString(sum[:])}
	obj, err := decodeObject(raw)
	if err != nil {
		s.Note = NoteInvalidJSON + ": " + err.Error()
		return s, Embedded{}
	}
	switch kindOf(topic, obj) {
	case kindLVK:
		summarizeLVK(&s, obj)
	case kindHeartbeat:
		summarizeHeartbeat(&s, obj)
	case kindCircular:
		summarizeCircular(&s, obj)
	case kindGCN:
		summarizeGCN(&s, obj, topic)
	default:
		summarizeUnknown(&s, obj)
		s.Note = NoteUnrecognised
	}
	if isTestTopic(topic) {
		s.Test = true
	}
	emb := embeddedField(obj)
	emb.text = skymapText(obj)
	return s, emb
}

// kind is what a JSON record was recognised as.
type kind int

const (
	kindUnknown kind = iota
	kindLVK
	kindHeartbeat
	kindCircular
	kindGCN
)

// kindOf recognises a record by its topic and its keys.
func kindOf(topic string, obj map[string]any) kind {
	schema := str(obj, "$schema")
	switch {
	case has(obj, "superevent_id") && has(obj, "alert_type"):
		return kindLVK
	case topic == "gcn.heartbeat" || isHeartbeat(obj):
		return kindHeartbeat
	case topic == "gcn.circulars" || strings.Contains(schema, "/circulars.schema.json") ||
		(has(obj, "circularId") && has(obj, "subject")):
		return kindCircular
	case isGCNSchema(schema), strings.HasPrefix(topic, "gcn.notices."),
		strings.HasPrefix(topic, "gcn.classic.json."):
		return kindGCN
	case has(obj, "trigger_time") && (has(obj, "mission") || has(obj, "instrument")):
		return kindGCN
	}
	return kindUnknown
}

// isGCNSchema reports whether a $schema URL names a GCN unified schema.
func isGCNSchema(schema string) bool {
	return strings.Contains(schema, "gcn.nasa.gov/schema/") && strings.Contains(schema, "/notices/")
}

// isHeartbeat recognises a gcn.heartbeat record off its topic: nothing but an
// alert_datetime (and a $schema naming core/Alert).
func isHeartbeat(obj map[string]any) bool {
	if !has(obj, "alert_datetime") {
		return false
	}
	for k := range obj {
		if k != "alert_datetime" && k != "$schema" {
			return false
		}
	}
	schema := str(obj, "$schema")
	return schema == "" || strings.HasSuffix(schema, "/core/Alert.schema.json")
}

// isTestTopic reports whether a Kafka topic carries test notices
// (gcn.classic.voevent.FERMI_GBM_POS_TEST and the like).
func isTestTopic(topic string) bool {
	t := strings.ToUpper(topic)
	return strings.HasSuffix(t, "_TEST") || strings.Contains(t, ".TEST.")
}

// summarizeHeartbeat fills a gcn.heartbeat summary: it says only that GCN is alive.
func summarizeHeartbeat(s *alert.Summary, obj map[string]any) {
	s.Mission = "GCN"
	s.AlertType = alert.HeartbeatType
	s.Description = "GCN heartbeat"
	if at := str(obj, "alert_datetime"); at != "" {
		s.Description += " " + at
	}
	s.Text = joinText("heartbeat", str(obj, "alert_datetime"))
}

// summarizeCircular fills a GCN Circular's summary.
func summarizeCircular(s *alert.Summary, obj map[string]any) {
	s.Mission = "GCN Circulars"
	s.AlertType = "Circular"
	s.Trigger = str(obj, "eventId")
	s.Author = str(obj, "submitter")
	subject := str(obj, "subject")
	id := str(obj, "circularId")
	s.Description = subject
	if id != "" {
		s.Description = "GCN " + id + ": " + subject
	}
	s.Text = joinText("circular", id, s.Trigger, subject, s.Author, strings.Join(strs(obj, "eventType"), " "))
}

// summarizeUnknown keeps what any JSON alert is likely to carry: an id, a
// time and a position.
func summarizeUnknown(s *alert.Summary, obj map[string]any) {
	s.Trigger = strings.Join(strs(obj, "id"), "|")
	for _, k := range []string{"trigger_time", "event_time", "time", "alert_datetime"} {
		if t, ok := parseTime(str(obj, k)); ok {
			s.EventTime = t
			break
		}
	}
	setPosition(s, obj)
	s.Text = joinText(s.Trigger, str(obj, "mission"), str(obj, "instrument"), str(obj, "description"))
}

// decodeObject parses raw as exactly one JSON object, numbers kept as text.
// Long strings (sky maps) are lifted out first (bigstrings.go); the tree is
// the one encoding/json gives, and an error is the one it gives.
func decodeObject(raw []byte) (map[string]any, error) { return decodeLifted(raw, liftMin) }

// decodeLifted is decodeObject lifting strings of at least min bytes.
func decodeLifted(raw []byte, min int) (map[string]any, error) {
	if small, spans := liftStrings(raw, min); spans != nil {
		if vals, ok := liftedValues(raw, spans); ok {
			if obj, err := decodeWhole(small); err == nil {
				restore(obj, vals)
				return obj, nil
			}
		}
	}
	return decodeWhole(raw)
}

// decodeWhole parses raw with encoding/json as exactly one JSON object,
// numbers kept as text.
func decodeWhole(raw []byte) (map[string]any, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(raw[d.InputOffset():])) > 0 {
		return nil, errTrailing
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, errNotObject
	}
	return obj, nil
}
