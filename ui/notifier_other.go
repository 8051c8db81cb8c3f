//go:build !linux

package ui

import "errors"

// newDesktopNotifier has nothing to offer beyond the toolkit's
// notifications on this system.
func newDesktopNotifier() (desktopNotifier, error) {
	return nil, errors.New("desktop notifications with actions are Linux-only")
}
