package app

import "context"

// SkymapPoints returns the alerts that give no position but carry a sky
// map, each at its map's most probable point, oldest first, tests and
// mocks aside: with the alerts a cone selects (EventQuery.Cone), every
// alert with a place on the sky, for the cone search.
func (ar *Archive) SkymapPoints(ctx context.Context) ([]Position, error) {
	return ar.c.store.SkymapPoints(ctx, false)
}
