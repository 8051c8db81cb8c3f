package voevent

import (
	"errors"
	"fmt"
	"sync"

	"github.com/starling-broker/starling/assets"
	"github.com/starling-broker/starling/netcore/nodtd"
)

// transportSchema is the embedded transport-1.1.xsd, parsed on first use and
// kept (read-only during validation) for the life of the process.
var transportSchema = sync.OnceValue(func() *xschema { return loadX(assets.TransportSchema11) })

// ValidateTransport checks raw, a VOEvent Transport Protocol message, against
// the Transport 1.1 schema Comet ships (transport-1.1.xsd, embedded), with the
// same libxml2 reading as events: no DTD, no network. A document that does
// not parse or does not validate is a *Rejection (libxml2's first message,
// with its line); an error that is not the document's fault is a plain error.
func ValidateTransport(raw []byte) error {
	if line, found := nodtd.Find(raw); found {
		return &Rejection{Reason: ReasonDTD, Line: line}
	}
	d, xe, dtd := readX(raw)
	switch {
	case dtd:
		return &Rejection{Reason: ReasonDTD, Line: 1}
	case d == nil:
		return notWellFormed(xe.msg, xe.line)
	}
	defer d.free()
	s := transportSchema()
	if s == nil {
		return errors.New("voevent: libxml2 could not load transport-1.1.xsd")
	}
	rc, xe := s.validate(d)
	switch {
	case rc == 0:
		return nil
	case rc > 0 && xe.count > 0:
		return schemaRejection(xe)
	}
	return fmt.Errorf("voevent: schema validation could not run (libxml2 returned %d)", rc)
}
