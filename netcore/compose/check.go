package compose

import (
	"fmt"
	"maps"
	"math"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/starling-broker/starling/netcore/voevent"
)

// FieldError is one problem with a draft, at the field it belongs to:
// "Stream", "ID", "Role", "Who", "What", "Param NAME" (ParamField),
// "Group NAME" (GroupField), "Group NAME Param NAME", "WhereWhen", "How",
// "Why" (the importance), "Why Inference N" (InferenceField), "Citations"
// (their description), "Citations N" (CitationField), "Description", or
// "Document" when no field can be named. The first word is the section.
type FieldError struct {
	Field, Message string
}

// ParamField names the field of a param: "Param NAME" at the top level,
// "Group GROUP Param NAME" inside a group ("Param" alone for a param
// without a name).
func ParamField(group, name string) string {
	prefix := "Param"
	if group != "" {
		prefix = GroupField(group) + " Param"
	}
	return strings.TrimSpace(prefix + " " + strings.TrimSpace(name))
}

// GroupField names the field of a group: "Group NAME" ("Group" for one
// without a name).
func GroupField(name string) string { return strings.TrimSpace("Group " + strings.TrimSpace(name)) }

// InferenceField names the field of the i-th inference (from 0): "Why Inference 1" for the first.
func InferenceField(i int) string { return fmt.Sprintf("Why Inference %d", i+1) }

// CitationField names the field of the i-th citation (from 0): "Citations 1" for the first.
func CitationField(i int) string { return fmt.Sprintf("Citations %d", i+1) }

// Error returns "Field: Message".
func (e FieldError) Error() string { return e.Field + ": " + e.Message }

// Errors is a list of FieldErrors as one error.
type Errors []FieldError

// Error lists the problems, one a line.
func (es Errors) Error() string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = e.Error()
	}
	return strings.Join(s, "\n")
}

// Problems checks what the schema does not: the stream, the ID and the
// IVORN they make (Comet's rules), the role, the position's ranges, that the
// time and date are ISO 8601 instants, that values fit their dataType, that
// the contact e-mail is an address, the probabilities, the cite types, and
// that no text holds what XML cannot carry; a group needs a name and a
// param, an inference a name, concept or description.
func (d Draft) Problems() []FieldError {
	var out []FieldError
	add := func(field, format string, args ...any) {
		out = append(out, FieldError{field, fmt.Sprintf(format, args...)})
	}
	stream := strings.TrimPrefix(strings.TrimSpace(d.Stream), "ivo://")
	switch {
	case stream == "":
		add("Stream", "give the stream as AUTHORITY/STREAM, e.g. example.org/alerts")
	case !strings.Contains(stream, "/"):
		add("Stream", "%q has no stream after the authority: give AUTHORITY/STREAM", stream)
	case strings.Contains(stream, "#"):
		add("Stream", "%q holds a '#': the ID goes in its own field", stream)
	}
	if strings.TrimSpace(d.ID) == "" {
		add("ID", "give the event's ID (the part of the IVORN after '#')")
	}
	if len(out) == 0 {
		if _, err := voevent.ParseIVORN("ivo://" + stream); err != nil {
			add("Stream", "%s", voevent.Describe(err))
		} else if err := voevent.CheckIVORN(d.IVORN()); err != nil {
			add("ID", "the IVORN %s: %s", d.IVORN(), voevent.Describe(err))
		}
	}
	if !slices.Contains(Roles, d.role()) {
		add("Role", "%q is not a role: give test, observation or utility", d.Role)
	}
	if d.Date != "" {
		if _, err := time.Parse(time.RFC3339Nano, d.Date); err != nil {
			add("Who", "date %q is not an ISO 8601 instant such as 2026-12-06T17:00:00Z", d.Date)
		}
	}
	if d.ContactEmail != "" {
		if a, err := mail.ParseAddress(d.ContactEmail); err != nil || a.Address != d.ContactEmail {
			add("Who", "contact e-mail %q is not an address such as name@example.org", d.ContactEmail)
		}
	}
	if d.AuthorIVORN != "" && !strings.HasPrefix(d.AuthorIVORN, "ivo://") {
		add("Who", "author IVORN %q does not start with ivo://", d.AuthorIVORN)
	}
	for _, p := range d.Params {
		out = append(out, paramProblems("", p)...)
	}
	for _, g := range d.Groups {
		if strings.TrimSpace(g.Name) == "" {
			add(GroupField(g.Name), "a group needs a name")
		}
		if len(g.Params) == 0 {
			add(GroupField(g.Name), "a group needs at least one param")
		}
		for _, p := range g.Params {
			out = append(out, paramProblems(g.Name, p)...)
		}
	}
	if d.HasPosition {
		switch {
		case !finite(d.RA) || d.RA < 0 || d.RA >= 360:
			add("WhereWhen", "RA %v is not in [0, 360) degrees", d.RA)
		case !finite(d.Dec) || d.Dec < -90 || d.Dec > 90:
			add("WhereWhen", "Dec %v is not in [-90, 90] degrees", d.Dec)
		case !finite(d.ErrorRadius) || d.ErrorRadius < 0 || d.ErrorRadius > 180:
			add("WhereWhen", "error radius %v is not in [0, 180] degrees", d.ErrorRadius)
		}
	}
	if t := strings.TrimSpace(d.Time); t != "" {
		if _, err := ParseTime(t); err != nil {
			add("WhereWhen", "time %q is not an ISO 8601 UTC instant such as 2026-12-06T17:00:00.5", t)
		}
	}
	if d.HasImportance && (!finite(d.Importance) || d.Importance < 0 || d.Importance > 1) {
		add("Why", "importance %v is not in [0, 1]", d.Importance)
	}
	if d.HasImportance && len(d.Inferences) == 0 {
		add("Why", "an importance needs an inference to go with it")
	}
	for i, in := range d.Inferences {
		if in.Name == "" && in.Concept == "" && in.Description == "" {
			add(InferenceField(i), "an inference needs a name, a concept or a description")
		}
		if in.HasProbability && (!finite(in.Probability) || in.Probability < 0 || in.Probability > 1) {
			add(InferenceField(i), "inference probability %v is not in [0, 1]", in.Probability)
		}
	}
	for i, c := range d.Citations {
		switch {
		case !slices.Contains(CiteTypes, c.Cite):
			add(CitationField(i), "%q is not a cite type: give followup, supersedes or retraction", c.Cite)
		case voevent.CheckIVORN(c.IVORN) != nil:
			add(CitationField(i), "cited IVORN %q: %s", c.IVORN, voevent.Describe(voevent.CheckIVORN(c.IVORN)))
		}
	}
	texts := d.texts()
	for _, field := range slices.Sorted(maps.Keys(texts)) {
		if bad := badText(texts[field]); bad != "" {
			add(field, "%s", bad)
		}
	}
	return out
}

// paramProblems checks a param's name, dataType and value; group is the
// name of its group, "" at the top level.
func paramProblems(group string, p Param) []FieldError {
	field := ParamField(group, p.Name)
	var out []FieldError
	if strings.TrimSpace(p.Name) == "" {
		out = append(out, FieldError{field, "a param needs a name"})
	}
	switch p.DataType {
	case "", "string":
	case "int":
		if _, err := strconv.ParseInt(strings.TrimSpace(p.Value), 10, 64); err != nil {
			out = append(out, FieldError{field, fmt.Sprintf("value %q is not a whole number (dataType int)", p.Value)})
		}
	case "float":
		if _, err := strconv.ParseFloat(strings.TrimSpace(p.Value), 64); err != nil {
			out = append(out, FieldError{field, fmt.Sprintf("value %q is not a number (dataType float)", p.Value)})
		}
	}
	// Any other dataType is left to the schema, which names the allowed set.
	return out
}

// texts are the draft's free-text fields by the field they belong to.
func (d Draft) texts() map[string]string {
	m := map[string]string{}
	put := func(field, s string) { m[field] += s }
	put("Stream", d.Stream)
	put("ID", d.ID)
	put("Who", d.Date+d.AuthorIVORN+d.ShortName+d.ContactName+d.ContactEmail)
	for _, p := range d.Params {
		put(ParamField("", p.Name), p.Name+p.Value+p.UCD+p.Unit+p.DataType+p.Description)
	}
	for _, g := range d.Groups {
		put(GroupField(g.Name), g.Name+g.Type+g.Description)
		for _, p := range g.Params {
			put(ParamField(g.Name, p.Name), p.Name+p.Value+p.UCD+p.Unit+p.DataType+p.Description)
		}
	}
	put("WhereWhen", d.Time+d.ObservatoryLocation)
	put("How", d.HowDescription+strings.Join(d.HowReferences, ""))
	for i, in := range d.Inferences {
		put(InferenceField(i), in.Relation+in.Name+in.Concept+in.Description)
	}
	put("Citations", d.CitationDescription)
	for i, c := range d.Citations {
		put(CitationField(i), c.IVORN+c.Cite)
	}
	put("Description", d.Description)
	return m
}

// badText says what XML 1.0 cannot carry in s, or "".
func badText(s string) string {
	if !utf8.ValidString(s) {
		return "the text is not valid UTF-8"
	}
	for _, r := range s {
		if !xmlChar(r) {
			return fmt.Sprintf("the text holds %U, a character XML cannot carry", r)
		}
	}
	return ""
}

// xmlChar reports whether XML 1.0 allows r in a document.
func xmlChar(r rune) bool {
	return r == 0x9 || r == 0xA || r == 0xD || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// ParseTime reads an ISO 8601 instant as VOEvents write it: with or without
// fractional seconds, with or without a zone (UTC when absent).
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not an ISO 8601 instant", s)
}
