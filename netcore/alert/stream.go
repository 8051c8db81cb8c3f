package alert

import "strings"

// Stream names who speaks for an alert's trigger (design §13): a VOEvent's
// IVORN authority and stream ("ivo://gwnet/LVC"), a JSON alert's Kafka
// topic ("igwn.gwalert"), else its source. A retraction withdraws a
// trigger only when it comes from a stream that sent one of the trigger's
// other alerts; anyone else's is just a citation.
func Stream(s Summary, topic, source string) string {
	if s.Format != FormatJSON {
		if i := strings.IndexByte(s.Key, '#'); i > 0 {
			return strings.ToLower(s.Key[:i])
		}
		if s.Key != "" {
			return strings.ToLower(s.Key)
		}
	}
	if topic != "" {
		return topic
	}
	return source
}
