package broker

import (
	"bytes"
	"io"
	"sync"

	"github.com/starling-broker/starling/netcore/voevent"
)

// PrintHandler writes each event to a writer, as Comet's print-event plugin
// prints it: the root element and a newline, without the XML declaration or
// anything else outside the root. The bytes are the event's own, not a
// re-serialisation.
type PrintHandler struct {
	mu sync.Mutex
	w  io.Writer
}

// NewPrintHandler returns the handler behind --print-event.
func NewPrintHandler(w io.Writer) *PrintHandler { return &PrintHandler{w: w} }

// HandleEvent writes ev's root element and a newline.
func (p *PrintHandler) HandleEvent(ev *voevent.Event, source string) {
	if ev == nil {
		return
	}
	out := make([]byte, 0, len(ev.Raw)+1)
	out = append(append(out, rootElement(ev.Raw)...), '\n')
	p.mu.Lock()
	p.w.Write(out)
	p.mu.Unlock()
}

// rootElement cuts the prolog (byte-order mark, XML declaration, comments,
// processing instructions, white space) and trailing white space from raw.
func rootElement(raw []byte) []byte {
	b := bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))
	for {
		b = bytes.TrimLeft(b, " \t\r\n")
		var end []byte
		switch {
		case bytes.HasPrefix(b, []byte("<?")):
			end = []byte("?>")
		case bytes.HasPrefix(b, []byte("<!--")):
			end = []byte("-->")
		default:
			return trimEpilogue(b)
		}
		i := bytes.Index(b, end)
		if i < 0 {
			return bytes.TrimRight(raw, " \t\r\n")
		}
		b = b[i+len(end):]
	}
}

// trimEpilogue cuts comments, processing instructions and white space after the root element.
func trimEpilogue(b []byte) []byte {
	for {
		b = bytes.TrimRight(b, " \t\r\n")
		var start []byte
		switch {
		case bytes.HasSuffix(b, []byte("-->")):
			start = []byte("<!--")
		case bytes.HasSuffix(b, []byte("?>")):
			start = []byte("<?")
		default:
			return b
		}
		i := bytes.LastIndex(b, start)
		if i <= 0 {
			return b
		}
		b = b[:i]
	}
}
