package api

import (
	"encoding/xml"
	"io"
)

// VOTable namespace and version: VOTable 1.4 keeps the 1.3 namespace.
const (
	votableNS      = "http://www.ivoa.net/xml/VOTable/v1.3"
	votableVersion = "1.4"
)

// votable is a VOTable document with one resource, as encoding/xml writes
// and reads it (the tests parse the service's answers with it).
type votable struct {
	XMLName  xml.Name `xml:"http://www.ivoa.net/xml/VOTable/v1.3 VOTABLE"`
	Version  string   `xml:"version,attr"`
	Infos    []vInfo  `xml:"INFO"`
	Resource vResource
}

// vResource is a RESOURCE: its INFOs (QUERY_STATUS) and its table.
type vResource struct {
	XMLName xml.Name `xml:"RESOURCE"`
	Type    string   `xml:"type,attr,omitempty"`
	Infos   []vInfo  `xml:"INFO"`
	Table   *vTable  `xml:"TABLE"`
}

// vInfo is an INFO element; its text is the message.
type vInfo struct {
	ID    string `xml:"ID,attr,omitempty"`
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
	Text  string `xml:",chardata"`
}

// vTable is a TABLE: its fields and its rows, as TABLEDATA.
type vTable struct {
	Name        string   `xml:"name,attr,omitempty"`
	Description string   `xml:"DESCRIPTION,omitempty"`
	Fields      []vField `xml:"FIELD"`
	Rows        []vRow   `xml:"DATA>TABLEDATA>TR"`
}

// vField is a FIELD: a column's name, type, unit and UCD.
type vField struct {
	ID          string `xml:"ID,attr,omitempty"`
	Name        string `xml:"name,attr"`
	Datatype    string `xml:"datatype,attr"`
	Arraysize   string `xml:"arraysize,attr,omitempty"`
	Unit        string `xml:"unit,attr,omitempty"`
	UCD         string `xml:"ucd,attr,omitempty"`
	XType       string `xml:"xtype,attr,omitempty"`
	Description string `xml:"DESCRIPTION,omitempty"`
}

// vRow is a TR: one cell per field, "" for a null.
type vRow struct {
	Cells []string `xml:"TD"`
}

// write writes v as an XML document; encoding/xml escapes the text and
// attribute values.
func (v *votable) write(w io.Writer) error {
	v.Version = votableVersion
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", " ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
