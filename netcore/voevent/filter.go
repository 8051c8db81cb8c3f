package voevent

import (
	"fmt"
	"math"
	"strings"
	"sync"

	"github.com/antchfx/xpath"
)

// Filter is a subscriber's XPath 1.0 expression, evaluated against each
// event with no namespaces bound, as Comet does with lxml.
type Filter struct {
	Expr string // the expression as the subscriber sent it

	// Compiled expressions: an antchfx/xpath Expr keeps evaluation state, so
	// each concurrent Match takes its own from the pool.
	pool *sync.Pool
	// never is set when the expression uses a namespace prefix: with no
	// namespaces bound lxml fails to evaluate it, so it matches nothing.
	never bool
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
	if _, err := compileNoNamespaces(expr); err != nil {
		// Undeclared prefixes make the no-namespace compilation fail; the
		// expression is still valid if it compiles with prefixes unresolved.
		if _, err2 := compileXPath(expr); err2 != nil || !strings.Contains(err.Error(), " not defined") {
			if err2 != nil {
				err = err2
			}
			return nil, fmt.Errorf("invalid XPath filter %q: %v", expr, err)
		}
		return &Filter{Expr: expr, never: true}, nil
	}
	f := &Filter{Expr: expr}
	f.pool = &sync.Pool{New: func() any {
		e, err := compileNoNamespaces(expr)
		if err != nil {
			return nil
		}
		return e
	}}
	return f, nil
}

// compileNoNamespaces compiles with an empty namespace map, which makes any
// prefixed name an error.
func compileNoNamespaces(expr string) (e *xpath.Expr, err error) {
	defer func() {
		if r := recover(); r != nil {
			e, err = nil, fmt.Errorf("%v", r)
		}
	}()
	return xpath.CompileWithNS(expr, map[string]string{})
}

// compileXPath compiles with prefixes left unresolved.
func compileXPath(expr string) (e *xpath.Expr, err error) {
	defer func() {
		if r := recover(); r != nil {
			e, err = nil, fmt.Errorf("%v", r)
		}
	}()
	return xpath.Compile(expr)
}

// Match reports whether the filter selects ev. As in Comet, a result counts
// as a match when it is a true boolean, a number other than zero and NaN, a
// non-empty string or a non-empty node-set; an expression that fails while
// being evaluated matches nothing.
func (f *Filter) Match(ev *Event) bool {
	if f == nil || f.never || ev == nil || ev.Doc == nil {
		return false
	}
	var e *xpath.Expr
	if f.pool != nil {
		e, _ = f.pool.Get().(*xpath.Expr)
	} else if c, err := compileNoNamespaces(f.Expr); err == nil {
		e = c // a Filter made without CompileFilter
	}
	if e == nil {
		return false
	}
	ok, clean := evaluate(e, ev)
	if clean && f.pool != nil {
		f.pool.Put(e) // an expression that panicked may hold broken state
	}
	return ok
}

// evaluate runs e on ev's document; clean is false when it panicked.
func evaluate(e *xpath.Expr, ev *Event) (match, clean bool) {
	defer func() {
		if r := recover(); r != nil {
			match, clean = false, false
		}
	}()
	return truthy(e.Evaluate(newNavigator(ev.Doc))), true
}

// truthy is XPath's boolean() of a result, the way Comet tests lxml's results.
func truthy(v any) bool {
	switch v := v.(type) {
	case bool:
		return v
	case float64:
		return v != 0 && !math.IsNaN(v)
	case string:
		return v != ""
	case *xpath.NodeIterator:
		return v.MoveNext()
	}
	return false
}
