package cli

import (
	"encoding/json"

	"github.com/starling-broker/starling/app"
)

// isTest reports whether an archived alert is a test (app.IsTest).
func isTest(r app.EventRow) bool { return app.IsTest(r) }

// printEventsJSON writes one JSON object per archived event
// (app.NewEventJSON, the same summary as the API's live feed).
func printEventsJSON(env Env, rows []app.EventRow) error {
	enc := json.NewEncoder(env.Stdout)
	for _, r := range rows {
		if err := enc.Encode(app.NewEventJSON(r)); err != nil {
			return exitStatus(exitFailure)
		}
	}
	return nil
}
