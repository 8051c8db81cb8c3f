package cli

import (
	"encoding/json"

	"github.com/starling-broker/starling/app"
)

// eventJSON is one line of `events list --json` (app.EventJSON).
type eventJSON = app.EventJSON

// newEventJSON fills one line of `events list --json` from an archive row.
func newEventJSON(r app.EventRow) eventJSON { return app.NewEventJSON(r) }

// isTest reports whether an archived alert is a test (app.IsTest).
func isTest(r app.EventRow) bool { return app.IsTest(r) }

// printEventsJSON writes one JSON object per archived event.
func printEventsJSON(env Env, rows []app.EventRow) error {
	enc := json.NewEncoder(env.Stdout)
	for _, r := range rows {
		if err := enc.Encode(newEventJSON(r)); err != nil {
			return exitStatus(exitFailure)
		}
	}
	return nil
}
