package bench

import (
	"bytes"
	"fmt"
	"regexp"
)

// Template makes unique, otherwise identical events from one packet by
// rewriting the ivorn attribute of its root element.
type Template struct {
	before, after []byte
	prefix        string
}

var ivornAttr = regexp.MustCompile(`\sivorn\s*=\s*(["'])([^"']*)(["'])`)

// NewTemplate prepares raw; events get IVORNs "<stream>#<tag>-<n>", where
// stream is the template's own IVORN without its local part.
func NewTemplate(raw []byte, tag string) (*Template, error) {
	m := ivornAttr.FindSubmatchIndex(raw)
	if m == nil {
		return nil, fmt.Errorf("template has no ivorn attribute")
	}
	stream, _, _ := bytes.Cut(raw[m[4]:m[5]], []byte("#"))
	return &Template{
		before: raw[:m[4]],
		after:  raw[m[5]:],
		prefix: string(stream) + "#" + tag + "-",
	}, nil
}

// Event returns the n-th event and its IVORN.
func (t *Template) Event(n int) ([]byte, string) {
	ivorn := fmt.Sprintf("%s%d", t.prefix, n)
	out := make([]byte, 0, len(t.before)+len(ivorn)+len(t.after))
	out = append(out, t.before...)
	out = append(out, ivorn...)
	return append(out, t.after...), ivorn
}
