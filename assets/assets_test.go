package assets

import (
	"bytes"
	"testing"
)

func TestSchemasEmbedded(t *testing.T) {
	for name, c := range map[string]struct {
		data []byte
		ns   string
	}{
		"VOEvent-v2.0.xsd":  {VOEventSchema20, "http://www.ivoa.net/xml/VOEvent/v2.0"},
		"VOEvent-v2.1.xsd":  {VOEventSchema21, "http://www.ivoa.net/xml/VOEvent/v2.1"},
		"transport-1.1.xsd": {TransportSchema11, "http://www.telescope-networks.org/xml/Transport/v1.1"},
	} {
		if !bytes.Contains(c.data, []byte(`targetNamespace="`+c.ns+`"`)) {
			t.Errorf("%s: embedded schema lacks targetNamespace %s", name, c.ns)
		}
		if bytes.Contains(c.data, []byte("xs:import")) || bytes.Contains(c.data, []byte("xs:include")) {
			t.Errorf("%s imports another schema: validation might need the network", name)
		}
	}
}
