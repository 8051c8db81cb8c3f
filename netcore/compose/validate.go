package compose

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"sync"
	"time"

	"github.com/starling-broker/starling/netcore/voevent"
)

var (
	schemaOnce sync.Once
	schema     *voevent.Schema
	schemaErr  error
)

// loadSchema loads the embedded XSDs once for the life of the process.
func loadSchema() (*voevent.Schema, error) {
	schemaOnce.Do(func() { schema, schemaErr = voevent.LoadSchema() })
	return schema, schemaErr
}

// Validate checks raw as a receiving broker does, in its one libxml2 pass
// (voevent.Checker: parse, IVORN, VOEvent schema), and names the draft
// field the first problem is in, found from the line libxml2 reports: the
// section (Who, What, WhereWhen, How, Why, Citations), inside What the
// param or group by name ("Param redshift", "Group phot Param mag"), inside
// Why and Citations the inference or citation by place ("Why Inference 2",
// "Citations 2"). It returns nil for a valid document. libxml2 stops at its
// first schema error, so a document has at most one such problem at a
// time: fix it and the next one shows.
func Validate(raw []byte) []FieldError {
	s, err := loadSchema()
	if err != nil {
		return []FieldError{{"Document", err.Error()}}
	}
	_, err = (&voevent.Checker{Schema: s}).Check(raw)
	if err == nil {
		return nil
	}
	var rej *voevent.Rejection
	if !errors.As(err, &rej) {
		return []FieldError{{"Document", err.Error()}}
	}
	field := "Document"
	if rej.Line > 0 {
		field = fieldAtLine(raw, rej.Line)
	} else if bytes.Contains([]byte(rej.Reason), []byte("IVORN")) || bytes.Contains([]byte(rej.Reason), []byte("ivorn")) {
		field = "ID"
	}
	return []FieldError{{field, rej.Located()}}
}

// Build lays the draft out (Document, with the date filled in now) and
// checks it (Problems, then Validate). It returns the document, or the
// problems as Errors.
func (d Draft) Build() ([]byte, error) {
	raw := d.Document(time.Now())
	if p := d.Problems(); len(p) > 0 {
		return nil, Errors(p)
	}
	if p := Validate(raw); len(p) > 0 {
		return nil, Errors(p)
	}
	return raw, nil
}

// Check is Problems, then (when there are none) Validate of raw: what a
// window shows beside a draft's preview.
func (d Draft) Check(raw []byte) []FieldError {
	if p := d.Problems(); len(p) > 0 {
		return p
	}
	return Validate(raw)
}

// fieldAtLine names the draft field of the element open at line n of raw.
func fieldAtLine(raw []byte, line int) string {
	dec := xml.NewDecoder(bytes.NewReader(raw))
	dec.Strict = false
	type open struct{ name, param string }
	var stack []open
	inferences, citations := 0, 0 // seen so far, by the open element's section
	field := func() string {
		if len(stack) < 2 {
			return "Document"
		}
		sec := stack[1].name
		switch sec {
		case "What":
			group, inGroup := "", false
			for _, o := range stack[2:] {
				switch o.name {
				case "Group":
					group, inGroup = o.param, true
				case "Param":
					if inGroup {
						return ParamField(group, o.param)
					}
					return ParamField("", o.param)
				}
			}
			if inGroup {
				return GroupField(group)
			}
		case "Why":
			if len(stack) > 2 && stack[2].name == "Inference" {
				return InferenceField(inferences - 1)
			}
		case "Citations":
			if len(stack) > 2 && stack[2].name == "EventIVORN" {
				return CitationField(citations - 1)
			}
		case "Description", "Reference":
			return "Description"
		}
		return sec
	}
	last := "Document"
	for {
		before, _ := dec.InputPos()
		tok, err := dec.Token()
		if err == io.EOF || err != nil {
			return last
		}
		if before > line {
			return last
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name := ""
			for _, a := range t.Attr {
				if a.Name.Local == "name" {
					name = a.Value
				}
			}
			stack = append(stack, open{t.Name.Local, name})
			if len(stack) == 3 && stack[1].name == "Why" && t.Name.Local == "Inference" {
				inferences++
			}
			if len(stack) == 3 && stack[1].name == "Citations" && t.Name.Local == "EventIVORN" {
				citations++
			}
			last = field()
			if l, _ := dec.InputPos(); l >= line {
				return last
			}
		case xml.EndElement:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
	}
}
