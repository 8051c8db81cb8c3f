package voevent

import (
	"fmt"
	"strings"
)

// Filter is a subscriber's XPath 1.0 expression, evaluated against each
// event with no namespaces bound by libxml2's XPath engine, as Comet does with
// lxml.
type Filter struct {
	Expr string // the expression as the subscriber sent it

	x *xexpr // compiled; nil for a Filter made without CompileFilter
}

// CompileFilter compiles expr, or explains why it is not valid XPath 1.0.
//
// An expression that names a namespace prefix (//voe:VOEvent) is valid XPath
// but cannot be evaluated with no namespaces bound; as in Comet, it compiles
// and never matches (use //*[local-name()='VOEvent'] instead).
func CompileFilter(expr string) (*Filter, error) {
	if strings.TrimSpace(expr) == "" {
		return nil, fmt.Errorf("invalid XPath filter: the expression is empty")
	}
	if strings.IndexByte(expr, 0) >= 0 {
		return nil, fmt.Errorf("invalid XPath filter %q: it holds a NUL character", expr)
	}
	x, msg := compileX(expr)
	if x == nil {
		return nil, fmt.Errorf("invalid XPath filter %q: %s", expr, msg)
	}
	return &Filter{Expr: expr, x: x}, nil
}

// Match reports whether the filter selects ev. As in Comet, a result counts
// as a match when it is a true boolean, a number other than zero and NaN, a
// non-empty string or a non-empty node-set (XPath's boolean()); an
// expression that fails while being evaluated matches nothing.
func (f *Filter) Match(ev *Event) bool {
	if f == nil || ev == nil {
		return false
	}
	x := f.x
	if x == nil {
		c, err := CompileFilter(f.Expr) // a Filter made without CompileFilter
		if err != nil {
			return false
		}
		x = c.x
	}
	var ok bool
	ev.withDoc(func(d *xdoc) { ok = x.match(d) })
	return ok
}
