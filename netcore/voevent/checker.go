package voevent

import "errors"

// ErrSchemaClosed is returned by Validate after Close.
var ErrSchemaClosed = errors.New("voevent: schema validator is closed")

// Checker runs the receiver's checks on incoming bytes.
type Checker struct {
	Schema *Schema // nil skips schema validation
}

// Check runs Parse, then CheckIVORN, then Schema.Validate, and returns the
// first failure as a *Rejection. When parsing succeeded the Event is returned
// even with an error, so that the caller can name the refused event's IVORN.
func (c *Checker) Check(raw []byte) (*Event, error) {
	ev, err := Parse(raw)
	if err != nil {
		return nil, err
	}
	if err := CheckIVORN(ev.IVORN); err != nil {
		return ev, err
	}
	if c != nil && c.Schema != nil {
		if err := c.Schema.Validate(ev); err != nil {
			return ev, err
		}
	}
	return ev, nil
}
