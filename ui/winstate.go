package ui

import (
	"context"
	"strconv"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/starling-broker/starling/app"
)

// keepGap is how long the window's state must stay unchanged before it is
// saved: a dragged divider is saved once, when it stops.
const keepGap = 500 * time.Millisecond

// kept is the window's state as it is now (tab, dividers, selected
// trigger), saved after each change and at close.
type kept struct {
	mu     sync.Mutex
	state  app.WindowState
	kick   chan struct{}
	saveMu sync.Mutex // one save at a time, the last one last
}

// loadKept reads the state the window had at its last close; call it before
// the panels are built, so that they can read it.
func (u *Window) loadKept() {
	u.kept.kick = make(chan struct{}, 1)
	u.kept.state = u.Core.Settings().WindowState(u.ctx)
	if u.kept.state.Splits == nil {
		u.kept.state.Splits = map[string]float64{}
	}
}

// Kept is the window's state as last saved or changed since: what the
// panels read at launch (the Events panel: Kept().Selected).
func (u *Window) Kept() app.WindowState {
	u.kept.mu.Lock()
	defer u.kept.mu.Unlock()
	s := u.kept.state
	s.Splits = make(map[string]float64, len(u.kept.state.Splits))
	for k, v := range u.kept.state.Splits {
		s.Splits[k] = v
	}
	return s
}

// KeepSelected records the selected trigger's key ("" for none), to be
// selected again at the next launch. Safe from any goroutine.
func (u *Window) KeepSelected(trigger string) {
	u.keep(func(s *app.WindowState) { s.Selected = trigger })
}

// keep changes the kept state with f and, if it changed, saves it soon.
func (u *Window) keep(f func(*app.WindowState)) {
	u.kept.mu.Lock()
	before := u.kept.state
	f(&u.kept.state)
	same := before.Tab == u.kept.state.Tab && before.Selected == u.kept.state.Selected && before.BrokerOn == u.kept.state.BrokerOn
	u.kept.mu.Unlock()
	if same {
		return
	}
	u.keepSoon()
}

func (u *Window) keepSoon() {
	select {
	case u.kept.kick <- struct{}{}:
	default:
	}
}

// keepLoop saves the state once it has stayed unchanged for keepGap, off
// the UI goroutine, until the window closes.
func (u *Window) keepLoop() {
	for {
		select {
		case <-u.stop:
			return
		case <-u.kept.kick:
		}
	quiet:
		for {
			select {
			case <-u.stop:
				return
			case <-u.kept.kick:
			case <-time.After(keepGap):
				break quiet
			}
		}
		ctx, cancel := context.WithTimeout(u.ctx, 5*time.Second)
		// A failure is retried at the next change and at close; the
		// store's health reports a store that cannot be written.
		_ = u.saveKept(ctx)
		cancel()
	}
}

// saveKept saves the kept state, with whether the local broker runs now.
func (u *Window) saveKept(ctx context.Context) error {
	u.kept.saveMu.Lock()
	defer u.kept.saveMu.Unlock()
	on := u.Core.Brokers().Running() != nil
	u.kept.mu.Lock()
	u.kept.state.BrokerOn = on
	u.kept.mu.Unlock()
	return u.Core.Settings().SaveWindowState(ctx, u.Kept())
}

// restoreTab selects the tab kept from the last run, if it still exists.
func (u *Window) restoreTab() {
	name := u.Kept().Tab
	for _, t := range u.Tabs.Items {
		if t.Text == name {
			u.Tabs.Select(t)
			return
		}
	}
}

// keepSplits finds every divider in the tabs, sets the offset kept for it
// and follows its changes. A divider is named for its tab and its place
// in it ("Events.0").
func (u *Window) keepSplits() {
	for _, t := range u.Tabs.Items {
		n := 0
		eachSplit(t.Content, func(s *container.Split) {
			name := t.Text + "." + strconv.Itoa(n)
			n++
			u.kept.mu.Lock()
			off, ok := u.kept.state.Splits[name]
			u.kept.mu.Unlock()
			if ok {
				s.Offset = off
			}
			s.Leading = container.New(&splitWatch{split: s, last: s.Offset, moved: func(off float64) {
				u.kept.mu.Lock()
				u.kept.state.Splits[name] = off
				u.kept.mu.Unlock()
				u.keepSoon()
			}}, s.Leading)
		})
	}
}

// Splits are the window's dividers by the names their offsets are kept
// under.
func (u *Window) Splits() map[string]*container.Split {
	m := map[string]*container.Split{}
	for _, t := range u.Tabs.Items {
		n := 0
		eachSplit(t.Content, func(s *container.Split) {
			m[t.Text+"."+strconv.Itoa(n)] = s
			n++
		})
	}
	return m
}

// eachSplit calls f for each divider in o, depth first, in the order they
// are laid out. It looks into containers, scrolls and cards.
func eachSplit(o fyne.CanvasObject, f func(*container.Split)) {
	switch o := o.(type) {
	case *container.Split:
		f(o)
		eachSplit(o.Leading, f)
		eachSplit(o.Trailing, f)
	case *fyne.Container:
		for _, c := range o.Objects {
			eachSplit(c, f)
		}
	case *container.Scroll:
		eachSplit(o.Content, f)
	case *widget.Card:
		eachSplit(o.Content, f)
	}
}

// splitWatch lays out a divider's leading side as the divider does (it
// fills it) and tells moved when the divider's offset changed: the divider
// resizes its leading side whenever it moves.
type splitWatch struct {
	split *container.Split
	last  float64
	moved func(float64)
}

// Layout fills size with the leading side and notes a moved divider.
func (w *splitWatch) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
	if off := w.split.Offset; off != w.last {
		w.last = off
		w.moved(off)
	}
}

// MinSize is the leading side's.
func (w *splitWatch) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		s = s.Max(o.MinSize())
	}
	return s
}
