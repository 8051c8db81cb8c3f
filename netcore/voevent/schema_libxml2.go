//go:build cgo

package voevent

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	xsdvalidate "github.com/terminalstatic/go-xsd-validate"

	"github.com/starling-broker/starling/assets"
)

// libxml2 is initialised once per process and never cleaned up:
// xsdvalidate.Cleanup is process-wide and would pull libxml2 from under every
// other Schema (and any other user of go-xsd-validate) still in use.
var (
	initOnce sync.Once
	initErr  error
)

func initLibxml2() error {
	initOnce.Do(func() {
		err := xsdvalidate.Init()
		if err != nil && !strings.Contains(err.Error(), "already initialized") {
			initErr = fmt.Errorf("voevent: initialising libxml2: %w", err)
		}
	})
	return initErr
}

// Schema validates events against the embedded VOEvent XSDs with libxml2.
//
// Each XSD is parsed once, in LoadSchema. libxml2 treats a parsed schema as
// read-only during validation and go-xsd-validate makes a fresh parser and
// validation context for every call, so one Schema serves any number of
// goroutines at once without a pool. Neither XSD imports or includes another
// schema, instance documents' xsi:schemaLocation hints are ignored when a
// schema is given, and Parse refuses DTDs, so validation never touches the
// network.
type Schema struct {
	mu  sync.RWMutex // Close takes it for writing; Validate for reading
	v20 *xsdvalidate.XsdHandler
	v21 *xsdvalidate.XsdHandler
}

// LoadSchema parses the embedded VOEvent 2.0 and 2.1 XSDs; the result is safe
// for concurrent Validate calls from many goroutines. Call Close when done.
func LoadSchema() (*Schema, error) {
	if err := initLibxml2(); err != nil {
		return nil, err
	}
	v20, err := xsdvalidate.NewXsdHandlerMem(assets.VOEventSchema20, xsdvalidate.ParsErrDefault)
	if err != nil {
		return nil, fmt.Errorf("voevent: loading VOEvent-v2.0.xsd: %w", err)
	}
	v21, err := xsdvalidate.NewXsdHandlerMem(assets.VOEventSchema21, xsdvalidate.ParsErrDefault)
	if err != nil {
		v20.Free()
		return nil, fmt.Errorf("voevent: loading VOEvent-v2.1.xsd: %w", err)
	}
	return &Schema{v20: v20, v21: v21}, nil
}

// Validate checks ev.Raw against the schema for its namespace: the 2.1 XSD for
// the 2.1 namespace and the 2.0 XSD for everything else, so that 1.1 and
// namespace-less packets are refused with libxml2's "No matching global
// declaration available for the validation root". A failure is a *Rejection
// whose reason is libxml2's first message with its line ("Schema validation
// failed: line 5: Element 'Who': ..."). An error that is not the event's fault
// (the Schema is closed, libxml2 failed) is returned as a plain error.
func (s *Schema) Validate(ev *Event) error {
	if s == nil {
		return ErrSchemaClosed
	}
	if ev == nil {
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
	if len(ev.Raw) == 0 {
		return rejectf("Not well-formed XML: the document is empty")
	}
	err := h.ValidateMem(ev.Raw, xsdvalidate.ParsErrDefault)
	if err == nil {
		return nil
	}
	var verr xsdvalidate.ValidationError
	var perr xsdvalidate.XmlParserError
	switch {
	case errors.As(err, &verr) && len(verr.Errors) > 0:
		return schemaRejection(verr.Errors)
	case errors.As(err, &perr):
		// encoding/xml accepted what libxml2 refuses (Go's parser is the more
		// lenient of the two in a few corners); libxml2 gives no detail
		// without its verbose mode, which is not safe to use from many threads.
		return rejectf("Not well-formed XML: the schema validator (libxml2) could not parse the document")
	}
	return fmt.Errorf("voevent: schema validation could not run: %w", err)
}

// schemaRejection words libxml2's validation errors: the first one in full
// with its line, and how many more there are.
func schemaRejection(errs []xsdvalidate.StructError) *Rejection {
	first := errs[0]
	// Worded as Comet (lxml) words it: libxml2's message, then ", line N".
	var b strings.Builder
	b.WriteString(strings.TrimSpace(first.Message))
	if first.Line > 0 {
		fmt.Fprintf(&b, ", line %d", first.Line)
	}
	switch n := len(errs) - 1; {
	case n == 1:
		b.WriteString(" (and 1 more schema error)")
	case n > 1:
		fmt.Fprintf(&b, " (and %d more schema errors)", n)
	}
	return &Rejection{Reason: b.String(), Line: first.Line}
}

// Close frees the parsed schemas; Validate returns ErrSchemaClosed afterwards.
// Close waits for validations in progress and may be called more than once.
func (s *Schema) Close() {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.v20 != nil {
		s.v20.Free()
		s.v20 = nil
	}
	if s.v21 != nil {
		s.v21.Free()
		s.v21 = nil
	}
}
