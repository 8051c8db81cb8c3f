package app

import (
	"time"

	"github.com/starling-broker/starling/netcore/alert"
)

// EventJSON is one line of `events list --json` and one alert of the
// API's /apiv1/alerts, its live feed and a channel's message; scripts read
// these names (the README lists them). Unknown values are null; the last
// seven keys appear only when they say something.
type EventJSON struct {
	ID        int64   `json:"id"`
	Key       string  `json:"key"`
	Kind      string  `json:"kind"`
	Source    string  `json:"source"`
	Topic     *string `json:"topic"`
	Partition *int32  `json:"partition"`
	Offset    *int64  `json:"offset"`
	Role      string  `json:"role"`
	Received  string  `json:"received"`

	EventTime *string  `json:"event_time"`
	RA        *float64 `json:"ra"`
	Dec       *float64 `json:"dec"`
	ErrorDeg  *float64 `json:"error_deg"`
	Trigger   *string  `json:"trigger"`
	AlertType *string  `json:"alert_type"`
	Test      bool     `json:"test"`
	Format    string   `json:"format"`

	Mission      string               `json:"mission,omitempty"`
	Retraction   bool                 `json:"retraction,omitempty"`
	Significance string               `json:"significance,omitempty"`
	FAR          float64              `json:"far,omitempty"`
	Note         string               `json:"note,omitempty"`
	Skymap       *alert.SkymapSummary `json:"skymap,omitempty"`
	// TriggerRetracted marks every alert of a retracted trigger,
	// including one that arrived after the retraction.
	TriggerRetracted bool `json:"trigger_retracted,omitempty"`
}

// NewEventJSON fills one line of `events list --json` from an archive row.
func NewEventJSON(r EventRow) EventJSON {
	e := EventJSON{ID: r.ID, Key: r.IVORN, Kind: r.Format, Source: r.Source, Role: r.Role,
		Received: r.Received.UTC().Format(time.RFC3339Nano),
		Test:     IsTest(r), Format: r.Format,
		Mission: r.Mission, Retraction: r.Retraction, Significance: r.Significance, FAR: r.FAR, Note: r.Note, Skymap: r.Skymap,
		TriggerRetracted: r.TriggerRetracted}
	if r.Topic != "" {
		e.Topic, e.Partition, e.Offset = &r.Topic, &r.Partition, &r.Offset
	}
	if !r.EventTime.IsZero() {
		t := r.EventTime.UTC().Format(time.RFC3339Nano)
		e.EventTime = &t
	}
	if r.HasPosition {
		e.RA, e.Dec = &r.RA, &r.Dec
		if r.ErrorRadius > 0 {
			e.ErrorDeg = &r.ErrorRadius
		}
	}
	if r.Trigger != "" {
		e.Trigger = &r.Trigger
	}
	if r.AlertType != "" {
		e.AlertType = &r.AlertType
	}
	return e
}

// IsTest reports whether an archived alert is a test: role=test, a mock
// superevent, a *_TEST notice or a Hopskotch _test record.
func IsTest(r EventRow) bool { return r.Test || r.Role == "test" }
