// Package describe computes the archive's summary of an alert (design §8)
// from what was received: a VOEvent through notice.SummarizeVOEvent, a JSON
// record through notice.Summarize with its embedded sky map, if any, decoded
// by skymap and summarised. The broker calls it before the store commits an
// alert; the store calls it to back-fill rows archived before summaries.
package describe

import (
	"crypto/sha256"
	"errors"
	"math"
	"strings"

	"github.com/starling-broker/starling/netcore/alert"
	"github.com/starling-broker/starling/netcore/notice"
	"github.com/starling-broker/starling/netcore/skymap"
	"github.com/starling-broker/starling/netcore/voevent"
)

// Version numbers what this package computes; the store re-summarises rows
// whose summary_version is older.
const Version = 1

// Notes that describe writes (notice writes the others).
const (
	// NoteSkymapUnreadable begins the note of an alert whose embedded sky map
	// could not be read; the reason follows.
	NoteSkymapUnreadable = "sky map unreadable: "
	// NoteSkymapWarning begins the note of a sky map that was read but is
	// odd, such as probabilities that do not sum to 1.
	NoteSkymapWarning = "sky map warning: "
	// NoteUnparsableVOEvent begins the note of archived XML that no longer parses.
	NoteUnparsableVOEvent = "unparsable VOEvent: "
)

// VOEvent summarises a parsed VOEvent; test marks it as a test whatever it
// says (a Hopskotch _test record).
func VOEvent(ev *voevent.Event, test bool) alert.Summary {
	s := notice.SummarizeVOEvent(ev)
	s.Test = s.Test || test
	return s
}

// JSON summarises a JSON alert read from topic and decodes its embedded sky
// map; test marks it as a test.
func JSON(topic string, raw []byte, test bool) alert.Summary {
	s, _ := JSONWithMap(topic, raw, nil, test)
	return s
}

// JSONWithMap is JSON that also returns the embedded sky map's compact form
// (skymap.Map.Compact), nil when the alert embeds no readable map. The
// alert is parsed once (notice.SummarizeHashed) and its map decoded once,
// for the summary, the map's summary and the compact form together. digest
// is the SHA-256 of raw when the caller has it (nil: it is computed).
func JSONWithMap(topic string, raw []byte, digest *[32]byte, test bool) (alert.Summary, []byte) {
	var sum [32]byte
	if digest != nil {
		sum = *digest
	} else {
		sum = sha256.Sum256(raw)
	}
	s, emb := notice.SummarizeHashed(topic, raw, sum)
	s.Test = s.Test || test
	m := addSkymap(&s, emb)
	if m == nil {
		s.HasSkymap = emb.LooksLikeSkymap()
		return s, nil
	}
	return s, m.Compact()
}

// Raw summarises archived bytes of either format, as the back-fill does.
func Raw(format alert.Format, topic string, raw []byte) alert.Summary {
	s, _ := RawWithMap(format, topic, raw)
	return s
}

// RawWithMap is Raw that also returns a JSON alert's compact sky map (see
// JSONWithMap).
func RawWithMap(format alert.Format, topic string, raw []byte) (alert.Summary, []byte) {
	if format == alert.FormatJSON {
		return JSONWithMap(topic, raw, nil, false)
	}
	ev, err := voevent.Parse(raw)
	if err != nil {
		return alert.Summary{Format: alert.FormatVOEvent, Note: NoteUnparsableVOEvent + err.Error()}, nil
	}
	return VOEvent(ev, false), nil
}

// Text is the summary of archived bytes without the sky map's decoding:
// enough for the search text, which holds nothing of the map.
func Text(format alert.Format, topic string, raw []byte) alert.Summary {
	if format == alert.FormatJSON {
		return notice.Summarize(topic, raw)
	}
	return Raw(format, topic, raw)
}

// addSkymap decodes the sky map that a JSON alert embeds (LVK event.skymap,
// GCN healpix_file), found by the alert's parse, and puts its summary in s.
// A map that cannot be read leaves s.Skymap nil and says why in s.Note; a
// map that reads with a warning keeps its summary and adds the warning to
// the note. Alerts that embed no map are left alone. It returns the map
// read, or nil.
func addSkymap(s *alert.Summary, emb notice.Embedded) *skymap.Map {
	if emb.Field == "" {
		return nil
	}
	var file []byte
	err := errors.New("alert's event is not a JSON object")
	if !emb.EventNotObject {
		file, err = skymap.EmbeddedFITS(emb.Field, emb.Value)
	}
	if errors.Is(err, skymap.ErrNoSkymap) {
		return nil
	}
	var m *skymap.Map
	if err == nil {
		m, err = skymap.Read(file)
	}
	if err != nil {
		addNote(s, NoteSkymapUnreadable+err.Error())
		return nil
	}
	sum := m.Summary()
	for _, v := range []*float64{&sum.RA, &sum.Dec, &sum.Area50, &sum.Area90} {
		if math.IsNaN(*v) || math.IsInf(*v, 0) {
			*v = 0
		}
	}
	if sum.DistMean == nil || sum.DistStd == nil || !finite(*sum.DistMean) || !finite(*sum.DistStd) {
		sum.DistMean, sum.DistStd = nil, nil // no distance, or none worth showing
	}
	s.Skymap = &sum
	s.HasSkymap = true
	if m.Warning != "" {
		addNote(s, NoteSkymapWarning+m.Warning)
	}
	return m
}

// addNote appends a note to the ones s already has.
func addNote(s *alert.Summary, note string) {
	if s.Note == "" {
		s.Note = note
		return
	}
	if !strings.Contains(s.Note, note) {
		s.Note += "; " + note
	}
}

// finite reports whether v is a number (not NaN, not infinite).
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
