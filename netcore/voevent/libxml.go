package voevent

/*
#cgo pkg-config: libxml-2.0
#include <stdlib.h>
#include <string.h>
#include <libxml/xmlversion.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>
#include <libxml/xpath.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

// slLimitArenas keeps glibc to two malloc arenas: with one per thread that
// ever parsed, freed documents stayed as about 20 MB of resident memory.
static void slLimitArenas(void) {
#if defined(__GLIBC__) && defined(M_ARENA_MAX)
	mallopt(M_ARENA_MAX, 2);
#endif
}

// slErrorPtr is what libxml2 passes to structured error handlers (const from 2.12 on).
#if LIBXML_VERSION >= 21200
typedef const xmlError *slErrorPtr;
#else
typedef xmlErrorPtr slErrorPtr;
#endif

// slErr keeps the first error libxml2 reports, and how many there were.
typedef struct { int line; int count; int code; char msg[512]; } slErr;

static void slSilent(void *ctx, const char *msg, ...) {}
static void slIgnore(void *ctx, slErrorPtr e) {}

// slQuiet keeps libxml2 from printing on this thread (its handlers are per thread).
static void slQuiet(void) {
	xmlSetGenericErrorFunc(NULL, slSilent);
	xmlSetStructuredErrorFunc(NULL, slIgnore);
}

// slKeep keeps the first error (warnings are ignored) and counts them.
static void slKeep(void *user, slErrorPtr e) {
	slErr *r = user;
	if (e == NULL || e->level < XML_ERR_ERROR) {
		return;
	}
	if (r->count++ == 0) {
		r->line = e->line;
		r->code = e->code;
		if (e->message != NULL) {
			strncpy(r->msg, e->message, sizeof r->msg - 1);
		}
	}
}

// slSawDTD is set by slStopAtDTD on the thread whose parse met a DOCTYPE.
static __thread int slSawDTD;

// slStopAtDTD is the parser's internalSubset callback: libxml2 calls it on
// reading "<!DOCTYPE name ...", after decoding the document from whatever
// encoding it is in and before it reads any declaration of the DTD, so
// stopping here refuses every DTD (internal or external, however encoded)
// before one entity is declared.
static void slStopAtDTD(void *ctx, const xmlChar *name, const xmlChar *externalID, const xmlChar *systemID) {
	slSawDTD = 1;
	xmlStopParser((xmlParserCtxtPtr)ctx);
}

// slRead parses buf with ctxt (reset first, so one context serves many
// documents, one at a time) with no network, no entity substitution and no
// DTD loading; names are not shared through ctxt's dictionary, so the
// document owns all its memory. A document that is not namespace-well-formed
// is refused (libxml2 only flags it), and so is one with a DTD (*dtd = 1):
// the parse stops at its DOCTYPE (slStopAtDTD).
static xmlDocPtr slRead(xmlParserCtxtPtr ctxt, const char *buf, int len, slErr *err, int *dtd) {
	slQuiet();
	xmlSetStructuredErrorFunc(err, slKeep);
	ctxt->sax->internalSubset = slStopAtDTD;
	slSawDTD = 0;
	xmlDocPtr doc = xmlCtxtReadMemory(ctxt, buf, len, NULL, NULL,
		XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NODICT);
	xmlSetStructuredErrorFunc(NULL, slIgnore);
	if (slSawDTD) {
		if (doc != NULL) {
			xmlFreeDoc(doc);
		}
		*dtd = 1;
		return NULL;
	}
	if (doc != NULL && (doc->intSubset != NULL || doc->extSubset != NULL)) {
		xmlFreeDoc(doc);
		doc = NULL;
		*dtd = 1;
	} else if (doc != NULL && !ctxt->nsWellFormed) {
		xmlFreeDoc(doc);
		doc = NULL;
	}
	if (doc == NULL && err->count == 0) {
		slKeep(err, xmlCtxtGetLastError(ctxt));
	}
	return doc;
}

static xmlSchemaPtr slLoadSchema(const char *buf, int len) {
	slQuiet();
	xmlSchemaParserCtxtPtr pc = xmlSchemaNewMemParserCtxt(buf, len);
	if (pc == NULL) {
		return NULL;
	}
	xmlSchemaPtr s = xmlSchemaParse(pc);
	xmlSchemaFreeParserCtxt(pc);
	return s;
}

// slValidate validates doc with v (made by xmlSchemaNewValidCtxt, one
// document at a time; libxml2 clears it after each): 0 valid, >0 invalid
// (err holds the first error), <0 libxml2 failed.
static int slValidate(xmlSchemaValidCtxtPtr v, xmlDocPtr doc, slErr *err) {
	slQuiet();
	xmlSchemaSetValidStructuredErrors(v, slKeep, err);
	int rc = xmlSchemaValidateDoc(v, doc);
	xmlSchemaSetValidStructuredErrors(v, NULL, NULL);
	return rc;
}

static xmlXPathCompExprPtr slCompile(const char *expr, slErr *err) {
	slQuiet();
	xmlSetStructuredErrorFunc(err, slKeep);
	xmlXPathCompExprPtr comp = xmlXPathCompile((const xmlChar *)expr);
	xmlSetStructuredErrorFunc(NULL, slIgnore);
	return comp;
}

static void slFreeExpr(xmlXPathCompExprPtr comp, xmlXPathContextPtr ctx) {
	xmlXPathFreeCompExpr(comp);
	xmlXPathFreeContext(ctx);
}

// slMatch is boolean() of comp evaluated on doc with no namespaces bound,
// in ctx (made by xmlXPathNewContext, used by one thread at a time); an
// evaluation error is no match.
static int slMatch(xmlXPathCompExprPtr comp, xmlXPathContextPtr ctx, xmlDocPtr doc) {
	slQuiet();
	ctx->doc = doc;
	ctx->node = (xmlNodePtr)doc;
	ctx->contextSize = -1;
	ctx->proximityPosition = -1;
	// boolean() of the result; a location path stops at its first node.
	int r = xmlXPathCompiledEvalToBoolean(comp, ctx) == 1;
	ctx->doc = NULL;
	ctx->node = NULL;
	return r;
}
*/
import "C"

import (
	"os"
	"runtime"
	"strings"
	"sync"
	"unsafe"
)

// xdoc is a document parsed by libxml2, freed once it is garbage (or by free).
// Code that reads its tree must keep it alive (runtime.KeepAlive) until done.
type xdoc struct {
	p       C.xmlDocPtr
	cleanup runtime.Cleanup
}

// xerr is libxml2's first error: its message, line and code, and how many errors there were.
type xerr struct {
	msg         string
	line, count int
	code        int
}

func goErr(e *C.slErr) xerr {
	return xerr{msg: strings.TrimSpace(C.GoString(&e.msg[0])), line: int(e.line), count: int(e.count), code: int(e.code)}
}

// libxml2 must be initialised once before threads use it. libxml2 is most
// of the C heap's users, so its arenas are limited here too, unless the
// environment says otherwise (MALLOC_ARENA_MAX).
func init() {
	if os.Getenv("MALLOC_ARENA_MAX") == "" {
		C.slLimitArenas()
	}
	C.xmlInitParser()
}

// parsers holds idle libxml2 parser contexts: making one costs more than
// parsing a small packet.
var parsers = make(chan C.xmlParserCtxtPtr, 32)

// readX parses raw with libxml2 without copying it; dtd is set when the
// document has a DTD (internal or external subset), which is refused.
func readX(raw []byte) (d *xdoc, e xerr, dtd bool) {
	if len(raw) == 0 {
		return nil, xerr{msg: "the document is empty"}, false
	}
	var ctxt C.xmlParserCtxtPtr
	select {
	case ctxt = <-parsers:
	default:
		if ctxt = C.xmlNewParserCtxt(); ctxt == nil {
			return nil, xerr{msg: "libxml2 could not make a parser"}, false
		}
	}
	var ce C.slErr
	var cdtd C.int
	p := C.slRead(ctxt, (*C.char)(unsafe.Pointer(&raw[0])), C.int(len(raw)), &ce, &cdtd)
	select {
	case parsers <- ctxt:
	default:
		C.xmlFreeParserCtxt(ctxt)
	}
	if p == nil {
		return nil, goErr(&ce), cdtd != 0
	}
	d = &xdoc{p: p}
	d.cleanup = runtime.AddCleanup(d, freeDoc, p)
	return d, xerr{}, false
}

func freeDoc(p C.xmlDocPtr) { C.xmlFreeDoc(p) }

// free releases the document now; it must not be used afterwards.
func (d *xdoc) free() {
	if d != nil && d.p != nil {
		d.cleanup.Stop()
		C.xmlFreeDoc(d.p)
		d.p = nil
	}
}

// xschema is a parsed XSD, read-only while documents are validated against
// it, with the idle validation contexts made for it.
type xschema struct {
	p     C.xmlSchemaPtr
	valid chan C.xmlSchemaValidCtxtPtr
}

func loadX(xsd []byte) *xschema {
	p := C.slLoadSchema((*C.char)(unsafe.Pointer(&xsd[0])), C.int(len(xsd)))
	if p == nil {
		return nil
	}
	return &xschema{p: p, valid: make(chan C.xmlSchemaValidCtxtPtr, 32)}
}

// free releases the schema; no validation may be running.
func (s *xschema) free() {
	if s == nil || s.p == nil {
		return
	}
	for {
		select {
		case v := <-s.valid:
			C.xmlSchemaFreeValidCtxt(v)
			continue
		default:
		}
		break
	}
	C.xmlSchemaFree(s.p)
	s.p = nil
}

// validate returns rc (0 valid, >0 invalid, <0 libxml2 failed) and the first error.
func (s *xschema) validate(d *xdoc) (int, xerr) {
	var v C.xmlSchemaValidCtxtPtr
	select {
	case v = <-s.valid:
	default:
		if v = C.xmlSchemaNewValidCtxt(s.p); v == nil {
			return -1, xerr{}
		}
	}
	var ce C.slErr
	rc := C.slValidate(v, d.p, &ce)
	runtime.KeepAlive(d)
	select {
	case s.valid <- v:
	default:
		C.xmlSchemaFreeValidCtxt(v)
	}
	return int(rc), goErr(&ce)
}

// xexpr is a compiled XPath expression with its evaluation context; one
// evaluation at a time.
type xexpr struct {
	mu  sync.Mutex
	p   C.xmlXPathCompExprPtr
	ctx C.xmlXPathContextPtr
}

// compileX compiles expr (which holds no NUL), or returns libxml2's reason.
// The expression is freed once it is garbage.
func compileX(expr string) (*xexpr, string) {
	cs := C.CString(expr)
	defer C.free(unsafe.Pointer(cs))
	var ce C.slErr
	p := C.slCompile(cs, &ce)
	if p == nil {
		if msg := goErr(&ce).msg; msg != "" {
			return nil, msg
		}
		return nil, "not XPath 1.0"
	}
	x := &xexpr{p: p, ctx: C.xmlXPathNewContext(nil)}
	runtime.AddCleanup(x, func(e [2]unsafe.Pointer) {
		C.slFreeExpr(C.xmlXPathCompExprPtr(e[0]), C.xmlXPathContextPtr(e[1]))
	}, [2]unsafe.Pointer{unsafe.Pointer(p), unsafe.Pointer(x.ctx)})
	return x, ""
}

// match is boolean() of x evaluated on d.
func (x *xexpr) match(d *xdoc) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	ok := C.slMatch(x.p, x.ctx, d.p) != 0
	runtime.KeepAlive(d)
	return ok
}
