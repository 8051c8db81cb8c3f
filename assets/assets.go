package assets

import _ "embed"

// VOEventSchema20 is the VOEvent 2.0 XML schema (VOEvent-v2.0.xsd) as shipped by the Comet broker.
//
//go:embed schema/VOEvent-v2.0.xsd
var VOEventSchema20 []byte

// VOEventSchema21 is the VOEvent 2.1 XML schema (VOEvent-v2.1.xsd) from the IVOA standard's repository.
//
//go:embed schema/VOEvent-v2.1.xsd
var VOEventSchema21 []byte

// TransportSchema11 is the VOEvent Transport Protocol 1.1 schema (transport-1.1.xsd) as shipped by Comet.
//
//go:embed schema/transport-1.1.xsd
var TransportSchema11 []byte
