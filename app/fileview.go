package app

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/starling-broker/starling/netcore/alert"
	"github.com/starling-broker/starling/netcore/describe"
	"github.com/starling-broker/starling/netcore/skymap"
)

// NotSendableText is what a file viewer says of a JSON alert or a sky map:
// VTP carries VOEvent XML only.
const NotSendableText = "JSON alerts and sky maps travel on Kafka, not over VTP, so this file cannot be sent to a broker; Starling shows it here."

// MaxViewFile bounds the files a viewer reads (a flat sky map of order 11
// gzipped is about 150 MB).
const MaxViewFile = 512 << 20

// IsViewFile reports whether a file is opened for viewing rather than sent:
// a JSON alert (.json) or a sky map (.fits, .fits.gz, .fit, .fits.gzip).
func IsViewFile(name string) bool {
	low := strings.ToLower(name)
	for _, ext := range []string{".json", ".fits", ".fits.gz", ".fit", ".fits.gzip"} {
		if strings.HasSuffix(low, ext) {
			return true
		}
	}
	return false
}

// FileView is a dropped JSON alert or sky map, read for viewing.
type FileView struct {
	// Name is the file's base name.
	Name string
	// Kind is "JSON alert" or "sky map".
	Kind string
	// Row is the alert's summary as the archive would hold it (its source
	// "dropped file NAME", received now), for the details' words.
	Row EventRow
	// Map is the sky map the file is or embeds; nil for none.
	Map *skymap.Map
	// Context is the alert's context (AlertContext), as the details show it.
	Context AlertContext
}

// ReadViewFile reads a file for viewing (see ViewBytes); a file that cannot
// be read, or is larger than MaxViewFile, is an error in words.
func ReadViewFile(path string) (FileView, error) {
	f, err := os.Open(path)
	if err != nil {
		return FileView{}, fmt.Errorf("cannot open %s: %v", filepath.Base(path), errors.Unwrap(err))
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, MaxViewFile+1))
	if err != nil {
		return FileView{}, fmt.Errorf("cannot read %s: %v", filepath.Base(path), err)
	}
	if len(raw) > MaxViewFile {
		return FileView{}, fmt.Errorf("%s is larger than %d MiB", filepath.Base(path), MaxViewFile>>20)
	}
	return ViewBytes(filepath.Base(path), raw, time.Now())
}

// ViewBytes reads a JSON alert (the one event model's summary and its
// embedded sky map, as a Kafka source reads it) or a FITS sky map (plain or
// gzipped: its most probable position, areas and distance), received at
// now. Bytes that are neither are an error that says what was expected.
func ViewBytes(name string, raw []byte, now time.Time) (FileView, error) {
	v := FileView{Name: name}
	row := EventRow{Source: "dropped file " + name, Received: now}
	if isFITS(raw) {
		m, err := skymap.Read(raw)
		if err != nil {
			return v, fmt.Errorf("%s is not a sky map Starling can read: %v", name, err)
		}
		sum := m.Summary()
		v.Kind, v.Map = "sky map", m
		row.Format, row.Description, row.Skymap, row.Note = "fits", "Sky map "+name, &sum, m.Warning
		v.Row = row
		v.Context = ContextOf(row, nil)
		return v, nil
	}
	s, compact := describe.JSONWithMap("", raw, nil, false)
	if strings.HasPrefix(s.Note, "invalid JSON") {
		return v, fmt.Errorf("%s is neither a JSON alert nor a FITS sky map: %s", name, s.Note)
	}
	if compact != nil {
		if m, err := skymap.ReadCompact(compact); err == nil {
			v.Map = m
		}
	}
	v.Kind = "JSON alert"
	v.Row = rowOfSummary(s, row)
	v.Context = ContextOf(v.Row, raw)
	return v, nil
}

// isFITS reports whether raw begins as FITS does, plain or gzipped.
func isFITS(raw []byte) bool {
	if len(raw) >= 2 && raw[0] == 0x1f && raw[1] == 0x8b {
		return true // gzip: only sky maps come gzipped here
	}
	return strings.HasPrefix(string(raw[:min(len(raw), 9)]), "SIMPLE  =")
}

// rowOfSummary fills row with summary s (the reverse of EventRow.Summary).
func rowOfSummary(s alert.Summary, row EventRow) EventRow {
	row.IVORN, row.Role, row.Author, row.Description = s.Key, s.Role, s.Author, s.Description
	row.Format, row.Mission, row.Trigger, row.AlertType = string(s.Format), s.Mission, s.Trigger, s.AlertType
	row.Retraction, row.Test, row.EventTime = s.Retraction, s.Test, s.EventTime
	row.HasPosition, row.RA, row.Dec, row.ErrorRadius = s.HasPosition, s.RA, s.Dec, s.ErrorDeg
	row.FAR, row.Significance, row.Skymap, row.Note = s.FAR, s.Significance, s.Skymap, s.Note
	return row
}
