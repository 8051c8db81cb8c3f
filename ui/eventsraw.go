package ui

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/netcore/notice"
)

// rawShown is how much of an alert's raw text the Raw tab shows (the copy
// button copies all of it): an LVK alert with its sky map is over 1 MB.
const rawShown = 64 << 10

// longValue is the longest param value shown whole (base64 sky maps are not).
const longValue = 200

// highlight splits an alert's raw text into styled read-only segments:
// XML tags, attribute names and values; JSON keys, strings and numbers.
func highlight(raw []byte) []widget.RichTextSegment {
	text := rawText(raw)
	more := ""
	if len(text) > rawShown {
		more = fmt.Sprintf("\n… %d more bytes: copy the raw text to see them all", len(text)-rawShown)
		text = text[:rawShown]
	}
	isJSON := json.Valid(raw)
	if isJSON {
		var v any
		if json.Unmarshal(raw, &v) == nil {
			if b, err := json.MarshalIndent(truncateJSON(v), "", "  "); err == nil {
				text = string(b)
			}
		}
	}
	var segs []widget.RichTextSegment
	add := func(s string, color fyne.ThemeColorName) {
		if s == "" {
			return
		}
		segs = append(segs, &widget.TextSegment{Text: s, Style: widget.RichTextStyle{Inline: true, ColorName: color, TextStyle: fyne.TextStyle{Monospace: true}}})
	}
	for len(text) > 0 {
		switch c := text[0]; {
		case c == '<' || !isJSON:
			// XML: tags coloured, text as it is.
			end := strings.IndexByte(text[1:], '<') + 1
			if end <= 0 {
				end = len(text)
			}
			if c == '<' {
				end = strings.IndexByte(text, '>') + 1
				if end <= 0 {
					end = len(text)
				}
				tagSegments(text[:end], add)
			} else {
				add(text[:end], theme.ColorNameForeground)
			}
			text = text[end:]
		case c == '"':
			end := strings.IndexByte(text[1:], '"') + 1
			if end <= 0 {
				end = len(text) - 1
			}
			color := theme.ColorNameSuccess
			if rest := strings.TrimLeft(text[end+1:], " "); strings.HasPrefix(rest, ":") {
				color = theme.ColorNamePrimary
			}
			add(text[:end+1], color)
			text = text[end+1:]
		case c == '-' || c >= '0' && c <= '9':
			end := strings.IndexFunc(text, func(r rune) bool { return !strings.ContainsRune("+-.eE0123456789", r) })
			if end < 0 {
				end = len(text)
			}
			add(text[:end], theme.ColorNameWarning)
			text = text[end:]
		default:
			end := strings.IndexAny(text, `"-0123456789`)
			if end < 0 {
				end = len(text)
			}
			add(text[:end], theme.ColorNameForeground)
			text = text[end:]
		}
	}
	add(more, theme.ColorNameDisabled)
	return segs
}

// tagSegments colours one XML tag: name, attribute names, values.
func tagSegments(tag string, add func(string, fyne.ThemeColorName)) {
	for len(tag) > 0 {
		q := strings.IndexByte(tag, '"')
		if q < 0 {
			add(tag, theme.ColorNamePrimary)
			return
		}
		add(tag[:q], theme.ColorNamePrimary)
		end := strings.IndexByte(tag[q+1:], '"')
		if end < 0 {
			add(tag[q:], theme.ColorNameSuccess)
			return
		}
		add(tag[q:q+end+2], theme.ColorNameSuccess)
		tag = tag[q+end+2:]
	}
}

// truncateJSON shortens long strings (embedded sky maps) for display.
func truncateJSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = truncateJSON(e)
		}
	case []any:
		for i, e := range x {
			x[i] = truncateJSON(e)
		}
	case string:
		if len(x) > longValue {
			return fmt.Sprintf("%s… (%d bytes)", x[:60], len(x))
		}
	}
	return v
}

// paramRows are an alert's params as group, name, value, unit: a
// VOEvent's What//Param (Group by Group), a JSON notice's fields (nested
// objects as dotted groups).
func paramRows(ed app.EventDetail) [][4]string {
	var rows [][4]string
	for _, p := range ed.Fields.Params {
		rows = append(rows, [4]string{p.Group, p.Name, shorten(p.Value), p.Unit})
	}
	if len(rows) > 0 || !json.Valid(ed.Raw) {
		return rows
	}
	var v any
	if json.Unmarshal(ed.Raw, &v) != nil {
		return nil
	}
	var walk func(group string, v any)
	walk = func(group string, v any) {
		m, ok := v.(map[string]any)
		if !ok {
			return
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			switch e := m[k].(type) {
			case map[string]any:
				walk(strings.TrimPrefix(group+"."+k, "."), e)
			case nil:
				rows = append(rows, [4]string{group, k, "—", ""})
			default:
				b, _ := json.Marshal(e)
				s := string(b)
				if str, ok := e.(string); ok {
					s = str
				}
				rows = append(rows, [4]string{group, k, shorten(s), notice.UnitOf(k)})
			}
		}
	}
	walk("", v)
	return rows
}

func shorten(s string) string {
	if len(s) > longValue {
		return fmt.Sprintf("%s… (%d bytes)", s[:60], len(s))
	}
	return s
}
