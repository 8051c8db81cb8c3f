package voevent

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/starling-broker/starling/assets"
)

// Schema validates events against the embedded VOEvent XSDs with libxml2.
//
// Each XSD is parsed once, in LoadSchema; libxml2 treats a parsed schema as
// read-only during validation, and every Validate makes its own validation
// context, so one Schema serves any number of goroutines at once. Neither XSD
// imports or includes another schema, instance documents'
// xsi:schemaLocation hints are ignored when a schema is given, and Parse
// refuses DTDs, so validation never touches the network.
type Schema struct {
	mu  sync.RWMutex // Close takes it for writing; Validate for reading
	v20 *xschema
	v21 *xschema
}

// LoadSchema parses the embedded VOEvent 2.0 and 2.1 XSDs; the result is safe
// for concurrent Validate calls from many goroutines. Call Close when done.
func LoadSchema() (*Schema, error) {
	v20 := loadX(assets.VOEventSchema20)
	if v20 == nil {
		return nil, errors.New("voevent: libxml2 could not load VOEvent-v2.0.xsd")
	}
	v21 := loadX(assets.VOEventSchema21)
	if v21 == nil {
		v20.free()
		return nil, errors.New("voevent: libxml2 could not load VOEvent-v2.1.xsd")
	}
	return &Schema{v20: v20, v21: v21}, nil
}

// Validate checks ev against the schema for its namespace: the 2.1 XSD for
// the 2.1 namespace and the 2.0 XSD for everything else, so that 1.1 and
// namespace-less packets are refused with libxml2's "No matching global
// declaration available for the validation root". It validates the document
// Parse made, without parsing again. A failure is a *Rejection whose reason is
// libxml2's first message with its line ("Element 'Who': …, line 5"). An
// error that is not the event's fault (the Schema is closed, libxml2 failed)
// is returned as a plain error.
func (s *Schema) Validate(ev *Event) error {
	if s == nil {
		return ErrSchemaClosed
	}
	if ev == nil || len(ev.Raw) == 0 {
		return rejectf("Not well-formed XML: the document is empty")
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	h := s.v20
	if ev.Namespace == NamespaceV21 {
		h = s.v21
	}
	if h == nil {
		return ErrSchemaClosed
	}
	var rc int
	var xe xerr
	if !ev.withDoc(func(d *xdoc) { rc, xe = h.validate(d) }) {
		return ev.parseRejection()
	}
	switch {
	case rc == 0:
		return nil
	case rc > 0 && xe.count > 0:
		return schemaRejection(xe)
	}
	return fmt.Errorf("voevent: schema validation could not run (libxml2 returned %d)", rc)
}

// schemaRejection words libxml2's validation errors: the first one in full
// with its line, and how many more there are.
func schemaRejection(first xerr) *Rejection {
	// Worded as Comet (lxml) words it: libxml2's message, then ", line N".
	var b strings.Builder
	b.WriteString(first.msg)
	if first.line > 0 {
		fmt.Fprintf(&b, ", line %d", first.line)
	}
	switch n := first.count - 1; {
	case n == 1:
		b.WriteString(" (and 1 more schema error)")
	case n > 1:
		fmt.Fprintf(&b, " (and %d more schema errors)", n)
	}
	return &Rejection{Reason: b.String(), Line: first.line}
}

// Close frees the parsed schemas; Validate returns ErrSchemaClosed afterwards.
// Close waits for validations in progress and may be called more than once.
func (s *Schema) Close() {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.v20.free()
	s.v21.free()
	s.v20, s.v21 = nil, nil
}
