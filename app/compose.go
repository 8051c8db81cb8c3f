package app

import (
	"context"
	"errors"

	"github.com/starling-broker/starling/netcore/compose"
)

// Template starts a draft of kind (followup, retraction, supersedes) that
// cites ivorn: from the archived event when there is one (found), else from
// the IVORN alone.
func (ar *Archive) Template(ctx context.Context, kind, ivorn string) (d compose.Draft, found bool, err error) {
	_, raw, err := ar.Event(ctx, ivorn)
	switch {
	case errors.Is(err, ErrNotFound):
		d, err = compose.FromIVORN(kind, ivorn)
		return d, false, err
	case err != nil:
		return compose.Draft{}, false, err
	}
	d, err = compose.FromEvent(kind, raw)
	return d, true, err
}

// Taken reports whether an event with this IVORN is in the archive: a new
// event must not reuse it (receivers drop it as a duplicate).
func (ar *Archive) Taken(ctx context.Context, ivorn string) (bool, error) {
	_, _, err := ar.Event(ctx, ivorn)
	switch {
	case errors.Is(err, ErrNotFound):
		return false, nil
	case err != nil:
		return false, err
	}
	return true, nil
}
