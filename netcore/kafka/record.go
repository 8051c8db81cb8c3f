package kafka

import (
	"bytes"
	"strings"
	"time"
	"unicode/utf8"
)

// Record is one Kafka record, as a source hands it to its Handler.
type Record struct {
	Topic     string
	Partition int32
	Offset    int64
	// Time is the record's timestamp.
	Time    time.Time
	Value   []byte
	Headers map[string]string
	// Digest is the SHA-256 of Value when the consumer has computed it
	// (HasDigest), so that a handler need not hash a large record again.
	Digest    [32]byte
	HasDigest bool
}

// Hopskotch's header names (SCiMMA hop-client), which Starling also writes.
const (
	HeaderFormat = "_format"
	HeaderID     = "_id"
	HeaderSender = "_sender"
	HeaderTest   = "_test"
)

// Kind is what a record holds.
type Kind int

// The kinds of record.
const (
	// KindOther is a record Starling skips (with a reason).
	KindOther Kind = iota
	// KindVOEvent is VOEvent XML.
	KindVOEvent
	// KindJSON is a JSON document.
	KindJSON
)

// Test reports whether the record is marked as a test (Hopskotch _test).
func (r *Record) Test() bool {
	v, ok := r.Headers[HeaderTest]
	return ok && v != "false" && v != "0"
}

// Classify says what a record holds: a Hopskotch _format header decides when
// present; otherwise the first non-blank byte (< for XML, { or [ for JSON;
// XML in UTF-16, with a byte-order mark or a first "<", is XML too). For
// KindOther it says why in words.
func Classify(r *Record) (Kind, string) {
	body := bytes.TrimPrefix(r.Value, []byte("\xef\xbb\xbf"))
	body = bytes.TrimLeft(body, " \t\r\n")
	switch f := r.Headers[HeaderFormat]; f {
	case "", "blob", "voevent":
		// hop-client sends a VOEvent as JSON; the body's first byte decides.
	case "json", "circular", "gcn.notice", "avro-json":
		return KindJSON, ""
	default:
		return KindOther, "Hopskotch format " + f + " is not VOEvent or JSON"
	}
	switch {
	case len(body) == 0:
		return KindOther, "empty record"
	case body[0] == '<', isUTF16XML(body):
		return KindVOEvent, ""
	case body[0] == '{' || body[0] == '[':
		return KindJSON, ""
	case bytes.IndexByte(body[:min(len(body), 64)], 0) >= 0 || !utf8.Valid(body[:min(len(body), 64)]):
		return KindOther, "neither XML nor JSON (binary)"
	}
	return KindOther, "neither XML nor JSON"
}

// sourcePrefix begins the source name of every event read from Kafka.
const sourcePrefix = "kafka "

// SourceName is the source that the archive and the log give an event read
// from topic.
func SourceName(topic string) string { return sourcePrefix + topic }

// IsSource reports whether an event's source is a Kafka topic, so that a
// publisher leaves events read from Kafka alone.
func IsSource(source string) bool { return strings.HasPrefix(source, sourcePrefix) }

// isUTF16XML reports whether body begins as XML in UTF-16 does: a
// byte-order mark of either order, or "<" as a 16-bit unit.
func isUTF16XML(body []byte) bool {
	return len(body) >= 2 && (body[0] == 0xFF && body[1] == 0xFE || body[0] == 0xFE && body[1] == 0xFF ||
		body[0] == '<' && body[1] == 0 || body[0] == 0 && body[1] == '<')
}
