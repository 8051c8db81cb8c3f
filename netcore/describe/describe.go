// Package describe computes the archive's summary of an alert (design §8)
// from what was received: a VOEvent through notice.SummarizeVOEvent, a JSON
// record through notice.Summarize with its embedded sky map, if any, decoded
// by skymap and summarised. The broker calls it before the store commits an
// alert; the store calls it to back-fill rows archived before summaries.
package describe

import (
	"bytes"
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
// map (about 25 ms for a 1 MB LVK alert); test marks it as a test.
func JSON(topic string, raw []byte, test bool) alert.Summary {
	s := notice.Summarize(topic, raw)
	s.Test = s.Test || test
	AddSkymap(&s, raw)
	return s
}

// Raw summarises archived bytes of either format, as the back-fill does.
func Raw(format alert.Format, topic string, raw []byte) alert.Summary {
	if format == alert.FormatJSON {
		return JSON(topic, raw, false)
	}
	ev, err := voevent.Parse(raw)
	if err != nil {
		return alert.Summary{Format: alert.FormatVOEvent, Note: NoteUnparsableVOEvent + err.Error()}
	}
	return VOEvent(ev, false)
}

// AddSkymap decodes the sky map that a JSON alert embeds (LVK event.skymap,
// GCN healpix_file) and puts its summary in s. A map that cannot be read
// leaves s.Skymap nil and says why in s.Note; a map that reads with a
// warning keeps its summary and adds the warning to the note. Alerts that
// embed no map are left alone.
func AddSkymap(s *alert.Summary, raw []byte) {
	if !bytes.Contains(raw, []byte(`"skymap"`)) && !bytes.Contains(raw, []byte(`"healpix_file"`)) {
		return // the common case (heartbeats, most notices): no second parse
	}
	file, err := skymap.FromAlertJSON(raw)
	if errors.Is(err, skymap.ErrNoSkymap) {
		return
	}
	var m *skymap.Map
	if err == nil {
		m, err = skymap.Read(file)
	}
	if err != nil {
		addNote(s, NoteSkymapUnreadable+err.Error())
		return
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
