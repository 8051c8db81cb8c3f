//go:build !cgo

package voevent

import (
	"errors"
	"strings"
)

// ErrNoLibxml2 is what every parse and LoadSchema say in a build without
// cgo: VOEvents are read with libxml2, reached through cgo. Such builds exist
// only so that the packages above this one can be vetted for other platforms
// (make vet-cross); every real build of Starling has cgo.
var ErrNoLibxml2 = errors.New("voevent: reading VOEvents needs libxml2, and this build has no cgo")

// Without cgo the tree types below stand in for libxml2's, so that the rest
// of the package compiles; nothing ever makes one.

type stubNS struct{ href *byte }

type stubNode struct {
	name           *byte
	children, next *stubNode
	_type          int
	ns             *stubNS
}

type xnode = *stubNode

const elementNode = 1

type xdoc struct{}

func (d *xdoc) free() {}

type xerr struct {
	msg         string
	line, count int
	code        int
}

func readX([]byte) (*xdoc, xerr, bool) { return nil, xerr{msg: ErrNoLibxml2.Error()}, false }

type xschema struct{}

func loadX([]byte) *xschema                   { return nil }
func (s *xschema) free()                      {}
func (s *xschema) validate(*xdoc) (int, xerr) { return -1, xerr{msg: ErrNoLibxml2.Error()} }
func (x *xexpr) match(*xdoc) bool             { return false }
func compileX(string) (*xexpr, string)        { return nil, ErrNoLibxml2.Error() }
func xroot(*xdoc) xnode                       { return nil }
func xchild(xnode, string) xnode              { return nil }
func xattr(xnode, string) (string, bool)      { return "", false }
func xtext(xnode) string                      { return "" }
func xappendText(*strings.Builder, xnode)     {}
func xnamespace(xnode) string                 { return "" }
func xstr(*byte) string                       { return "" }
func xeq(*byte, string) bool                  { return false }

type xexpr struct{}
