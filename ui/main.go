package ui

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/app/logs"
)

// AppID is the desktop application's identifier (as in FyneApp.toml).
const AppID = "org.starling_broker.starling"

// Main runs the desktop app with its command-line arguments and returns the
// exit status.
func Main(args []string) int {
	fs := flag.NewFlagSet("starling", flag.ContinueOnError)
	dataDir := fs.String("data-dir", app.DefaultDataDir(), "data directory")
	start := fs.Bool("start-broker", false, "turn the local broker on at launch")
	verbose := fs.Bool("v", false, "log debug detail to standard error")
	fs.SetOutput(os.Stderr)
	fs.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: starling [--data-dir DIR] [--start-broker] [FILE.xml ...]")
		fmt.Fprintln(os.Stderr, "       starling COMMAND ...   (see `starling help`)")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	var logw io.Writer = os.Stderr
	log := logs.New(logw, level)

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
	a := fyneapp.NewWithID(AppID)
	core, err := app.Open(app.Options{DataDir: *dataDir, Log: log, RunSubscriptions: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, "starling:", err)
		showFatal(a, err)
		return 1
	}
	w := a.NewWindow("Starling")
	width, height := core.WindowSize(context.Background())
	w.Resize(fyne.NewSize(float32(width), float32(height)))
	u := Create(a, w, core, Options{StartBroker: *start, Files: fs.Args()})
	w.SetCloseIntercept(func() {
		size := w.Canvas().Size()
		core.SaveWindowSize(context.Background(), int(size.Width), int(size.Height))
		w.Hide()
		go func() {
			u.Close()
			core.Close()
			fyne.Do(a.Quit)
		}()
	})
	log.Info("window open", "component", "ui", "data_dir", core.DataDir(), "started", time.Now().Format(time.RFC3339Nano))
	w.ShowAndRun()
	return 0
}

// showFatal shows an error that keeps the app from starting, in words.
func showFatal(a fyne.App, err error) {
	w := a.NewWindow("Starling cannot start")
	msg := widget.NewLabel("Starling cannot start:\n\n" + err.Error())
	msg.Wrapping = fyne.TextWrapWord
	w.SetContent(container.NewBorder(nil, widget.NewButton("Quit", a.Quit), nil, nil, msg))
	w.Resize(fyne.NewSize(520, 200))
	w.ShowAndRun()
}
