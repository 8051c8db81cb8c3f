package app

import (
	"context"
	"time"

	"github.com/starling-broker/starling/app/store"
)

// TriggerState is one trigger's state across its alerts (design §10): its
// alerts in sequence (Alerts), retracted, test, the latest alert's id and
// the latest LVK classification, significance, distance, areas and best
// position; Notified is what a notification last said of it.
type TriggerState = store.TriggerRow

// TriggerFilter selects triggers: Since (an alert received at or after
// it), Test (mock and test triggers too), Limit.
type TriggerFilter = store.TriggerQuery

// What a notification last said of a trigger (TriggerState.Notified).
const (
	// NotifiedLive: a notification announced the trigger.
	NotifiedLive = store.NotifiedLive
	// NotifiedRetracted: a notification said the trigger is retracted.
	NotifiedRetracted = store.NotifiedRetracted
)

// Triggers lists the triggers f selects, the one with the latest alert first.
func (ar *Archive) Triggers(ctx context.Context, f TriggerFilter) ([]TriggerState, error) {
	return ar.c.store.Triggers(ctx, f)
}

// Trigger reads one trigger's state; ErrNotFound when no alert has that trigger key.
func (ar *Archive) Trigger(ctx context.Context, key string) (TriggerState, error) {
	return ar.c.store.Trigger(ctx, key)
}

// LastHeartbeats is when each running Kafka source last heard
// gcn.heartbeat, by source name; sources that never heard one are absent.
// It reads the sources' health (the one place that follows heartbeats),
// memory only, so a window may call it every second.
func (so *Sources) LastHeartbeats() map[string]time.Time {
	c := so.c
	out := map[string]time.Time{}
	for _, h := range c.Sources().KafkaHealth() {
		if !h.LastHeartbeat.IsZero() {
			out[h.Name] = h.LastHeartbeat
		}
	}
	return out
}
