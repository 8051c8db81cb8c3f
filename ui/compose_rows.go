package ui

import (
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/starling-broker/starling/netcore/compose"
)

// The composer's editable rows: params (top-level or in a group), groups,
// inferences and citations. Each row has its own error line, shown when a
// check names its field (compose.ParamField, GroupField, InferenceField,
// CitationField). All of it runs on the UI goroutine.

// rowError is a hidden error line in danger colour.
func rowError() *widget.Label {
	l := widget.NewLabel("")
	l.Importance = widget.DangerImportance
	l.Wrapping = fyne.TextWrapWord
	l.Hide()
	return l
}

// rowEntry is an entry holding text that calls changed on each edit.
func rowEntry(text, placeholder string, changed func()) *widget.Entry {
	e := widget.NewEntry()
	e.SetText(text)
	e.SetPlaceHolder(placeholder)
	e.OnChanged = func(string) { changed() }
	return e
}

// paramRow is one editable What/Param or Group/Param.
type paramRow struct {
	Name, Value, Unit, UCD, Description *widget.Entry
	DataType                            *widget.Select
	Remove                              *widget.Button
	Error                               *widget.Label
	content                             fyne.CanvasObject
}

// newParamRow makes a row holding pa; remove is called with the row when
// its remove button is tapped.
func newParamRow(pa compose.Param, changed func(), remove func(*paramRow)) *paramRow {
	r := &paramRow{Error: rowError()}
	r.Name, r.Value = rowEntry(pa.Name, "name", changed), rowEntry(pa.Value, "value", changed)
	r.Unit, r.UCD = rowEntry(pa.Unit, "unit", changed), rowEntry(pa.UCD, "UCD", changed)
	r.Description = rowEntry(pa.Description, "description", changed)
	r.DataType = widget.NewSelect(compose.DataTypes, func(string) { changed() })
	r.DataType.PlaceHolder = "dataType"
	if pa.DataType != "" {
		r.DataType.Selected = pa.DataType
	}
	r.Remove = widget.NewButtonWithIcon("", theme.ContentRemoveIcon(), func() { remove(r) })
	r.content = container.NewVBox(
		container.NewBorder(nil, nil, nil, r.Remove, container.NewGridWithColumns(6, r.Name, r.Value, r.Unit, r.UCD, r.DataType, r.Description)),
		r.Error)
	return r
}

// param reads the row.
func (r *paramRow) param() compose.Param {
	return compose.Param{Name: strings.TrimSpace(r.Name.Text), Value: r.Value.Text, Unit: r.Unit.Text, UCD: r.UCD.Text,
		DataType: r.DataType.Selected, Description: r.Description.Text}
}

// paramTable is a list of param rows in a box, top-level or a group's.
type paramTable struct {
	Box     *fyne.Container
	rows    []*paramRow
	changed func()
}

// add appends a row holding pa.
func (t *paramTable) add(pa compose.Param) *paramRow {
	r := newParamRow(pa, t.changed, func(r *paramRow) {
		t.rows = removeRow(t.rows, r, t.Box, r.content)
		t.changed()
	})
	t.rows = append(t.rows, r)
	t.Box.Add(r.content)
	return r
}

// clear removes every row.
func (t *paramTable) clear() {
	t.rows = nil
	t.Box.RemoveAll()
}

// params reads the rows.
func (t *paramTable) params() []compose.Param {
	var ps []compose.Param
	for _, r := range t.rows {
		ps = append(ps, r.param())
	}
	return ps
}

// groupRow is one editable What/Group: name, type, description and its
// own params table.
type groupRow struct {
	Name, Type, Description *widget.Entry
	AddParam, Remove        *widget.Button
	Error                   *widget.Label
	Params                  *paramTable
	content                 fyne.CanvasObject
}

// newGroupRow makes a group holding g.
func newGroupRow(g compose.Group, changed func(), remove func(*groupRow)) *groupRow {
	r := &groupRow{Error: rowError(), Params: &paramTable{Box: container.NewVBox(), changed: changed}}
	r.Name, r.Type = rowEntry(g.Name, "group name", changed), rowEntry(g.Type, "type", changed)
	r.Description = rowEntry(g.Description, "description", changed)
	r.AddParam = widget.NewButtonWithIcon("Add param", theme.ContentAddIcon(), func() { r.Params.add(compose.Param{}); changed() })
	r.Remove = widget.NewButtonWithIcon("", theme.DeleteIcon(), func() { remove(r) })
	for _, pa := range g.Params {
		r.Params.add(pa)
	}
	head := container.NewBorder(nil, nil, widget.NewLabel("Group"), container.NewHBox(r.AddParam, r.Remove),
		container.NewGridWithColumns(3, r.Name, r.Type, r.Description))
	// The group's params are indented under its head.
	indent := widget.NewLabel("    ")
	r.content = container.NewVBox(head, r.Error, container.NewBorder(nil, nil, indent, nil, r.Params.Box))
	return r
}

// group reads the row.
func (r *groupRow) group() compose.Group {
	return compose.Group{Name: strings.TrimSpace(r.Name.Text), Type: strings.TrimSpace(r.Type.Text),
		Description: r.Description.Text, Params: r.Params.params()}
}

// inferenceRow is one editable Why/Inference.
type inferenceRow struct {
	Probability, Relation, Name, Concept, Description *widget.Entry
	Remove                                            *widget.Button
	Error                                             *widget.Label
	content                                           fyne.CanvasObject
}

// newInferenceRow makes a row holding in.
func newInferenceRow(in compose.Inference, changed func(), remove func(*inferenceRow)) *inferenceRow {
	r := &inferenceRow{Error: rowError()}
	prob := ""
	if in.HasProbability {
		prob = strconv.FormatFloat(in.Probability, 'g', -1, 64)
	}
	r.Probability, r.Relation = rowEntry(prob, "probability 0–1", changed), rowEntry(in.Relation, "relation", changed)
	r.Name, r.Concept = rowEntry(in.Name, "name", changed), rowEntry(in.Concept, "concept", changed)
	r.Description = rowEntry(in.Description, "description", changed)
	r.Remove = widget.NewButtonWithIcon("", theme.ContentRemoveIcon(), func() { remove(r) })
	r.content = container.NewVBox(
		container.NewBorder(nil, nil, nil, r.Remove, container.NewGridWithColumns(5, r.Probability, r.Relation, r.Name, r.Concept, r.Description)),
		r.Error)
	return r
}

// inference reads the row; a probability that does not read is NaN, so
// that the check names the row.
func (r *inferenceRow) inference() compose.Inference {
	in := compose.Inference{Relation: strings.TrimSpace(r.Relation.Text), Name: strings.TrimSpace(r.Name.Text),
		Concept: strings.TrimSpace(r.Concept.Text), Description: r.Description.Text}
	if s := strings.TrimSpace(r.Probability.Text); s != "" {
		in.HasProbability = true
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			f = nan()
		}
		in.Probability = f
	}
	return in
}

// citationRow is one editable Citations/EventIVORN.
type citationRow struct {
	IVORN   *widget.Entry
	Cite    *widget.Select
	Remove  *widget.Button
	Error   *widget.Label
	content fyne.CanvasObject
}

// newCitationRow makes a row holding c.
func newCitationRow(c compose.Citation, changed func(), remove func(*citationRow)) *citationRow {
	r := &citationRow{Error: rowError()}
	r.IVORN = rowEntry(c.IVORN, "ivo://… of the cited event", changed)
	r.Cite = widget.NewSelect(compose.CiteTypes, func(string) { changed() })
	r.Cite.PlaceHolder = "cite type"
	if c.Cite != "" {
		r.Cite.Selected = c.Cite
	}
	r.Remove = widget.NewButtonWithIcon("", theme.ContentRemoveIcon(), func() { remove(r) })
	// The cite type is wide enough to read "supersedes" whole.
	cite := container.NewGridWrap(fyne.NewSize(160, r.Cite.MinSize().Height), r.Cite)
	r.content = container.NewVBox(container.NewBorder(nil, nil, nil, container.NewHBox(cite, r.Remove), r.IVORN), r.Error)
	return r
}

// citation reads the row.
func (r *citationRow) citation() compose.Citation {
	return compose.Citation{IVORN: strings.TrimSpace(r.IVORN.Text), Cite: r.Cite.Selected}
}

// removeRow takes r out of rows and its content out of box.
func removeRow[T comparable](rows []T, r T, box *fyne.Container, content fyne.CanvasObject) []T {
	for i, q := range rows {
		if q == r {
			box.Remove(content)
			return append(rows[:i], rows[i+1:]...)
		}
	}
	return rows
}

// rowErrors are the error lines of the composer's rows by the field their
// errors are named for; a field may name several rows (two params of the
// same name).
func (p *ComposePanel) rowErrors() map[string][]*widget.Label {
	m := map[string][]*widget.Label{}
	for _, r := range p.params.rows {
		f := compose.ParamField("", r.Name.Text)
		m[f] = append(m[f], r.Error)
	}
	for _, g := range p.groups {
		f := compose.GroupField(g.Name.Text)
		m[f] = append(m[f], g.Error)
		for _, r := range g.Params.rows {
			f := compose.ParamField(strings.TrimSpace(g.Name.Text), r.Name.Text)
			m[f] = append(m[f], r.Error)
		}
	}
	for i, r := range p.inferences {
		m[compose.InferenceField(i)] = append(m[compose.InferenceField(i)], r.Error)
	}
	for i, r := range p.citations {
		m[compose.CitationField(i)] = append(m[compose.CitationField(i)], r.Error)
	}
	return m
}

// addGroup adds a group row.
func (p *ComposePanel) addGroup(g compose.Group) *groupRow {
	r := newGroupRow(g, p.changed, func(r *groupRow) {
		p.groups = removeRow(p.groups, r, p.Groups, r.content)
		p.changed()
	})
	p.groups = append(p.groups, r)
	p.Groups.Add(r.content)
	return r
}

// addInference adds an inference row.
func (p *ComposePanel) addInference(in compose.Inference) *inferenceRow {
	r := newInferenceRow(in, p.changed, func(r *inferenceRow) {
		p.inferences = removeRow(p.inferences, r, p.Inferences, r.content)
		p.changed()
	})
	p.inferences = append(p.inferences, r)
	p.Inferences.Add(r.content)
	return r
}

// addCitation adds a citation row.
func (p *ComposePanel) addCitation(c compose.Citation) *citationRow {
	r := newCitationRow(c, p.changed, func(r *citationRow) {
		p.citations = removeRow(p.citations, r, p.Citations, r.content)
		p.changed()
	})
	p.citations = append(p.citations, r)
	p.Citations.Add(r.content)
	return r
}
