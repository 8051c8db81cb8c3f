package ui

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"sync"
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/app/logs"
)

// AppID is the desktop application's identifier (as in FyneApp.toml).
const AppID = "org.starling_broker.starling"

// MainOptions are the desktop app's command-line options (main parses them).
type MainOptions struct {
	// DataDir holds the store; default app.DefaultDataDir().
	DataDir string
	// StartBroker turns the local broker on at launch.
	StartBroker bool
	// Verbose logs debug detail to standard error.
	Verbose bool
	// Files are sent to the Send panel as if dropped.
	Files []string
}

// Main runs the desktop app and returns the exit status.
func Main(o MainOptions) int {
	level := slog.LevelInfo
	if o.Verbose {
		level = slog.LevelDebug
	}
	var logw io.Writer = os.Stderr
	log := logs.New(logw, level)

	// A window already running over the data directory takes the files
	// and comes forward; this launch then has nothing left to do.
	if handedOver(o) {
		return 0
	}
	if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		fmt.Fprintln(os.Stderr, "starling: no display to open the window on (DISPLAY is not set).\n"+
			"Run it on a desktop, or use the command line: `starling broker -r --local-ivo=…`, `starling sendvo …` (see `starling help`).")
		return 1
	}
	defer func() {
		// The windowing library panics when the display cannot be opened.
		if r := recover(); r != nil {
			fmt.Fprintf(os.Stderr, "starling: cannot open the window on display %q: %v\n", os.Getenv("DISPLAY"), r)
			os.Exit(1)
		}
	}()
	// The window's one context: Ctrl-C or SIGTERM closes the window as its
	// close button does, saving what it keeps.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a := fyneapp.NewWithID(AppID)
	// The core lives until Close, not until the signal, which closes the
	// window as its button does (closing, below).
	core, err := app.Open(context.WithoutCancel(ctx), app.Options{DataDir: o.DataDir, Log: log, RunSubscriptions: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, "starling:", err)
		showFatal(a, err)
		return 1
	}
	w := a.NewWindow("Starling")
	width, height := core.Settings().WindowSize(ctx)
	w.Resize(fyne.NewSize(float32(width), float32(height)))
	u := Create(ctx, a, w, core, Options{StartBroker: o.StartBroker, Files: o.Files})
	handoff, err := app.ListenHandoff(core.DataDir(), func(paths []string) {
		log.Info("a second launch handed its files to this window", "component", "ui", "files", len(paths))
		fyne.Do(func() { u.HandOver(paths) })
	})
	if err != nil {
		log.Warn("a second launch cannot hand its files to this window", "component", "ui", "error", err)
	}
	// shutdown closes the window's parts and the core once, in a context of
	// its own (a signal has ended ctx); finished closes when it is done.
	var once sync.Once
	finished := make(chan struct{})
	shutdown := func() {
		once.Do(func() {
			go func() {
				defer close(finished)
				done, cancel := context.WithTimeout(context.WithoutCancel(ctx), closeTimeout)
				defer cancel()
				if handoff != nil {
					handoff.Close()
				}
				u.Close()
				core.Close(done)
			}()
		})
	}
	closing := func() { // UI goroutine: the close button, or a signal
		done, cancel := context.WithTimeout(context.WithoutCancel(ctx), closeTimeout)
		defer cancel()
		size := w.Canvas().Size()
		core.Settings().SaveWindowSize(done, int(size.Width), int(size.Height))
		w.Hide()
		shutdown()
		go func() {
			<-finished
			fyne.Do(a.Quit)
		}()
	}
	w.SetCloseIntercept(closing)
	context.AfterFunc(ctx, func() { fyne.Do(closing) })
	time.AfterFunc(gcSettle, settleGC)
	log.Info("window open", "component", "ui", "data_dir", core.DataDir(), "started", time.Now().Format(time.RFC3339Nano))
	w.ShowAndRun()
	// The toolkit may end its loop by itself (its driver quits on SIGTERM
	// too): what closing would have closed is closed here, before exit.
	shutdown()
	select {
	case <-finished:
	case <-time.After(2 * closeTimeout):
		log.Warn("the core did not close in time", "component", "ui")
	}
	return 0
}

// handedOver hands o's files to a window already running over o's data
// directory, and says whether one took them; it tells so on standard error.
func handedOver(o MainOptions) bool {
	dir := o.DataDir
	if dir == "" {
		dir = app.DefaultDataDir()
	}
	paths := make([]string, 0, len(o.Files))
	for _, f := range o.Files {
		abs, err := filepath.Abs(f)
		if err != nil {
			fmt.Fprintf(os.Stderr, "starling: %s: %v\n", f, err)
			return false
		}
		paths = append(paths, abs)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ok, err := app.HandOff(ctx, dir, paths)
	if err != nil {
		fmt.Fprintln(os.Stderr, "starling:", err)
		return false
	}
	if ok {
		fmt.Fprintf(os.Stderr, "starling: handed %d file(s) to the Starling window already running over %s\n", len(paths), dir)
	}
	return ok
}

// closeTimeout is how long closing the window waits for the core's work
// in progress (the local broker's submissions, the outbox's attempts).
const closeTimeout = 5 * time.Second

// gcSettle is how long after launch the window lowers Go's heap target: by
// then the first frame, page and count are shown (BENCHMARKS.md: ≤ 1 s).
const gcSettle = 5 * time.Second

// steadyGCPercent is GOGC once launched. Start-up (fonts, the first queries)
// leaves ~20 MB of garbage that the default 100 would keep resident for good;
// a proportional target, unlike a fixed memory limit, stays cheap when the
// live heap grows (the sky map over all time holds ~60 MB).
const steadyGCPercent = 50

// settleGC returns the launch's garbage to the system and lowers GOGC for
// the rest of the run, unless the user set GOGC.
func settleGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(steadyGCPercent)
	}
	debug.FreeOSMemory()
}

// showFatal shows an error that keeps the app from starting, in words.
func showFatal(a fyne.App, err error) {
	newFatalWindow(a, err).ShowAndRun()
}

// newFatalWindow is the failure window: the error in words, scrolled when
// long, and a Quit button that stays visible; it fits a 1280×720 screen.
func newFatalWindow(a fyne.App, err error) fyne.Window {
	w := a.NewWindow("Starling cannot start")
	title := widget.NewLabelWithStyle("Starling cannot start:", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	msg := widget.NewLabel(err.Error())
	msg.Wrapping = fyne.TextWrapWord
	msg.Importance = widget.DangerImportance
	scroll := container.NewVScroll(msg)
	scroll.SetMinSize(fyne.NewSize(560, 160))
	quit := widget.NewButton("Quit", a.Quit)
	quit.Importance = widget.HighImportance
	w.SetContent(container.NewBorder(title, container.NewHBox(layout.NewSpacer(), quit), nil, nil, scroll))
	w.Resize(fyne.NewSize(640, 360))
	return w
}
