package app

import (
	"context"

	"github.com/starling-broker/starling/app/store"
	"github.com/starling-broker/starling/netcore/broker"
)

// replayLog is the broadcaster's broker.ReplayLog over the store: cursors
// in the subscribers table, missed events from the archive.
type replayLog struct{ st *store.Store }

// LoadCursor reads the cursor kept for key.
func (r replayLog) LoadCursor(ctx context.Context, key string) (broker.Cursor, bool, error) {
	c, ok, err := r.st.SubscriberCursor(ctx, key)
	if err != nil || !ok {
		return broker.Cursor{}, ok, err
	}
	return broker.Cursor{Key: c.Key, LastID: c.LastEventID, LastSeen: c.LastSeen, Filters: c.Filters}, true, nil
}

// SaveCursors records cursors in one transaction.
func (r replayLog) SaveCursors(ctx context.Context, cs []broker.Cursor) error {
	out := make([]store.SubscriberCursor, len(cs))
	for i, c := range cs {
		out[i] = store.SubscriberCursor{Key: c.Key, LastEventID: c.LastID, LastSeen: c.LastSeen, Filters: c.Filters}
	}
	return r.st.SaveSubscriberCursors(ctx, out)
}

// LastID is the newest archived alert's id.
func (r replayLog) LastID(ctx context.Context) (int64, error) { return r.st.LastEventID(ctx) }

// EventsAfter reads archived VOEvents after an id, with their raw bytes.
func (r replayLog) EventsAfter(ctx context.Context, after int64, limit int) ([]broker.ArchivedEvent, error) {
	evs, err := r.st.VOEventsAfter(ctx, after, limit)
	if err != nil {
		return nil, err
	}
	out := make([]broker.ArchivedEvent, len(evs))
	for i, e := range evs {
		out[i] = broker.ArchivedEvent{ID: e.ID, Raw: e.Raw}
	}
	return out, nil
}
