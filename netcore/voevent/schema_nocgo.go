//go:build !cgo

package voevent

import "errors"

// ErrNoLibxml2 is LoadSchema's answer in a build without cgo: the schema
// validator is libxml2, reached through cgo. Such builds exist only so that
// the packages above this one can be vetted for other platforms (make
// vet-cross); every real build of Starling has cgo.
var ErrNoLibxml2 = errors.New("voevent: schema validation needs libxml2, and this build has no cgo")

// Schema is the schema validator; without cgo it cannot be loaded.
type Schema struct{}

// LoadSchema fails without cgo: see ErrNoLibxml2.
func LoadSchema() (*Schema, error) { return nil, ErrNoLibxml2 }

// Validate fails without cgo: see ErrNoLibxml2.
func (s *Schema) Validate(ev *Event) error { return ErrNoLibxml2 }

// Close does nothing without cgo.
func (s *Schema) Close() {}
