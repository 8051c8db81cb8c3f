package app

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/starling-broker/starling/app/store"
	"github.com/starling-broker/starling/netcore/circular"
)

// Draft is a GCN Circular being written for a trigger (circular.Draft).
type Draft = circular.Draft

// DraftRow is one line of a draft's observation log (circular.Row).
type DraftRow = circular.Row

// CircularType is the alert type of an archived GCN Circular (gcn.circulars).
const CircularType = "Circular"

// Circular is an archived GCN Circular linked to a trigger: its archive
// id, number, subject and when it was received.
type Circular struct {
	ID       int64
	Number   string
	Subject  string
	Received time.Time
}

// circularsShown bounds the Circulars linked to one trigger.
const circularsShown = 100

// Draft returns the Circular draft saved for a trigger; a trigger with
// none gets a new one filled from its state (circular.New): its name,
// mission, T0 and best position. ErrNotFound when the archive knows
// neither a draft nor the trigger.
func (ar *Archive) Draft(ctx context.Context, trigger string) (Draft, error) {
	saved, ok, err := ar.c.store.CircularDraft(ctx, trigger)
	if err != nil {
		return Draft{}, err
	}
	if ok {
		var d Draft
		if err := json.Unmarshal([]byte(saved.Draft), &d); err != nil {
			return Draft{}, fmt.Errorf("the saved draft for %s is unreadable: %w", trigger, err)
		}
		d.Trigger = trigger
		return d, nil
	}
	st, err := ar.c.store.Trigger(ctx, trigger)
	if err != nil {
		return Draft{}, err
	}
	rows, err := ar.c.store.ListEvents(ctx, store.EventQuery{Trigger: trigger, Sort: store.SortReceived, Asc: true, Limit: 500})
	if err != nil {
		return Draft{}, err
	}
	t := circular.Trigger{Key: trigger, HasPosition: st.HasPosition, RA: st.RA, Dec: st.Dec, ErrorDeg: st.ErrorDeg}
	texts := make([]string, 0, len(rows))
	for _, r := range rows {
		texts = append(texts, r.Description)
		if !r.EventTime.IsZero() {
			t.T0 = r.EventTime // the latest alert's, which may have refined it
		}
		if r.AlertType != CircularType && r.Mission != "" {
			t.Mission = r.Mission // the latest alert's; a Circular's "GCN Circulars" names no mission
		}
	}
	t.Names = circular.TriggerNames(trigger, texts...)
	return circular.New(t), nil
}

// SaveDraft keeps d as the trigger's Circular draft, in place of the one before.
func (ar *Archive) SaveDraft(ctx context.Context, trigger string, d Draft) error {
	if trigger == "" {
		return fmt.Errorf("a Circular draft needs a trigger")
	}
	d.Trigger = trigger
	b, err := json.Marshal(d)
	if err != nil {
		return err
	}
	return ar.c.store.SaveCircularDraft(ctx, trigger, string(b), time.Now())
}

// Drafts lists the saved Circular drafts, the one saved last first; a
// draft that no longer reads is left out.
func (ar *Archive) Drafts(ctx context.Context) ([]Draft, error) {
	rows, err := ar.c.store.CircularDrafts(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Draft, 0, len(rows))
	for _, r := range rows {
		var d Draft
		if json.Unmarshal([]byte(r.Draft), &d) == nil {
			d.Trigger = r.Trigger
			out = append(out, d)
		}
	}
	return out, nil
}

// circularsNaming finds the archived Circulars whose subject gives one of
// names (circular.Names): each name is looked up in the full-text index
// of the Circulars, and a hit counts only if its subject names it
// exactly. They come in the order archived.
func (ar *Archive) circularsNaming(ctx context.Context, names []string) ([]Circular, error) {
	seen := map[int64]bool{}
	var out []Circular
	for _, name := range names {
		rows, err := ar.c.store.ListEvents(ctx, store.EventQuery{Text: name, AlertType: CircularType, Limit: circularsShown})
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			number, subject := circular.Subject(r.Description)
			if seen[r.ID] || !containsName(circular.Names(subject), name) {
				continue
			}
			seen[r.ID] = true
			out = append(out, Circular{ID: r.ID, Number: number, Subject: subject, Received: r.Received})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, aerr := strconv.Atoi(out[i].Number)
		b, berr := strconv.Atoi(out[j].Number)
		if aerr == nil && berr == nil && a != b {
			return a < b
		}
		return out[i].ID < out[j].ID
	})
	if len(out) > circularsShown {
		out = out[:circularsShown]
	}
	return out, nil
}

func containsName(names []string, name string) bool {
	for _, n := range names {
		if strings.EqualFold(n, name) {
			return true
		}
	}
	return false
}
