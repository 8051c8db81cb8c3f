package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/starling-broker/starling/internal/porttest"
)

// The topics of the night: LVK alerts, GCN's liveness records, and GCN JSON
// notices (for the memory figure; read with a regular expression).
const (
	gwTopic        = "igwn.gwalert"
	heartbeatTopic = "gcn.heartbeat"
)

// nightNoticeTopics are the GCN JSON notice samples used as filler for the
// memory figure, with their real topics. Their missions (Einstein Probe,
// MAXI, CHIME) are in no default rule, so they notify nobody.
var nightNoticeTopics = map[string]string{
	"einstein_probe.wxt.alert.example.json": "gcn.notices.einstein_probe.wxt.alert",
	"maxi.gsc.unknown.circle.example.json":  "gcn.notices.maxi.gsc.unknown",
	"chime.frb.detection.example.json":      "gcn.notices.chime.frb",
}

// needTools skips the test unless every tool is on PATH.
func needTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not found: the night on shift needs Xvfb, xdotool, dbus-daemon, dunst, dunstctl, tesseract and imagemagick's import", tool)
		}
	}
}

// startSessionBus runs a private D-Bus session bus with its socket in dir
// (never the user's) and returns its address. It has no service
// directories: only the dunst started by the test answers for
// org.freedesktop.Notifications.
func startSessionBus(t *testing.T, dir string) string {
	t.Helper()
	conf := filepath.Join(dir, "bus.conf")
	err := os.WriteFile(conf, []byte(`<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=`+filepath.Join(dir, "bus")+`</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	return firstLineOnFD3(t, exec.Command("dbus-daemon", "--config-file="+conf, "--nofork", "--nopidfile", "--print-address=3"), "the private D-Bus session bus")
}

// captured is one notification as dunst's script hook recorded it.
type captured struct {
	at                     time.Time
	urgency, summary, body string
}

// notifyCapture is dunst, on the Xvfb display and the private bus, with a
// script hook that appends every notification it shows to a file.
type notifyCapture struct {
	t    *testing.T
	file string
	env  []string
}

// startDunst runs dunst with the smoke test's look (black DejaVu Sans on
// white, which tesseract reads well) and a hook that records each
// notification: dunst's clock when it ran the hook, urgency, summary, body.
func startDunst(t *testing.T, dir, display, bus string) *notifyCapture {
	t.Helper()
	capFile := filepath.Join(dir, "notifications.tsv")
	hook := filepath.Join(dir, "capture.sh")
	// dunst runs the hook as: hook APPNAME SUMMARY BODY ICON URGENCY.
	err := os.WriteFile(hook, []byte(`#!/bin/sh
at=$(date +%s.%N)
flat() { printf '%s' "$1" | tr '\t\n' '  '; }
printf '%s\t%s\t%s\t%s\n' "$at" "$(flat "$5")" "$(flat "$2")" "$(flat "$3")" >>`+capFile+`
`), 0o700)
	if err != nil {
		t.Fatal(err)
	}
	rc := filepath.Join(dir, "dunstrc")
	err = os.WriteFile(rc, []byte(`[global]
    monitor = 0
    follow = none
    width = 620
    height = 200
    origin = bottom-right
    offset = 20x20
    notification_limit = 0
    font = DejaVu Sans 14
    markup = no
    format = "<b>%s</b>\n%b"
    padding = 10
    horizontal_padding = 12
    frame_width = 2
    frame_color = "#000000"
    idle_threshold = 0
    show_indicators = no
    icon_position = off
    history_length = 50
[urgency_low]
    background = "#ffffff"
    foreground = "#000000"
    timeout = 120
[urgency_normal]
    background = "#ffffff"
    foreground = "#000000"
    timeout = 120
[urgency_critical]
    background = "#ffffff"
    foreground = "#000000"
    timeout = 120
[capture]
    summary = "*"
    script = `+hook+`
`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	env := []string{"DISPLAY=" + display, "DBUS_SESSION_BUS_ADDRESS=" + bus}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "WAYLAND_DISPLAY=") && !strings.HasPrefix(kv, "DISPLAY=") && !strings.HasPrefix(kv, "DBUS_SESSION_BUS_ADDRESS=") {
			env = append(env, kv)
		}
	}
	var log bytes.Buffer
	cmd := exec.Command("dunst", "-config", rc)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		ctl := exec.Command("dunstctl", "is-paused")
		ctl.Env = env
		if ctl.Run() == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("dunst did not take org.freedesktop.Notifications on the private bus:\n%s", log.String())
		}
	}
	return &notifyCapture{t: t, file: capFile, env: env}
}

// closeAll closes the notifications on screen (they move to dunst's
// history), so that none covers the trigger view.
func (n *notifyCapture) closeAll() {
	n.t.Helper()
	ctl := exec.Command("dunstctl", "close-all")
	ctl.Env = n.env
	if out, err := ctl.CombinedOutput(); err != nil {
		n.t.Fatalf("dunstctl close-all: %v %s", err, out)
	}
}

// all returns the notifications dunst has shown so far.
func (n *notifyCapture) all() []captured {
	b, err := os.ReadFile(n.file)
	if err != nil {
		return nil
	}
	var out []captured
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.SplitN(line, "\t", 4)
		if len(f) != 4 {
			continue
		}
		secs, err := strconv.ParseFloat(f[0], 64)
		if err != nil {
			continue
		}
		out = append(out, captured{at: time.Unix(0, int64(secs*1e9)), urgency: f[1], summary: f[2], body: f[3]})
	}
	return out
}

// wait polls (up to limit) for a notification that ok accepts.
func (n *notifyCapture) wait(what string, limit time.Duration, ok func(captured) bool) captured {
	n.t.Helper()
	for deadline := time.Now().Add(limit); ; time.Sleep(50 * time.Millisecond) {
		for _, c := range n.all() {
			if ok(c) {
				return c
			}
		}
		if time.Now().After(deadline) {
			n.t.Fatalf("dunst showed no notification of %s in %v; it showed: %+v", what, limit, n.all())
		}
	}
}

// screen takes screenshots of the Xvfb display and reads them back.
type screen struct {
	t       *testing.T
	display string
	dir     string
	n       int
	last    string
}

// shot saves the root window as a PNG named for what it shows.
func (s *screen) shot(name string) string {
	s.t.Helper()
	s.n++
	f := filepath.Join(s.dir, fmt.Sprintf("%02d-%s.png", s.n, name))
	cmd := exec.Command("import", "-window", "root", f)
	cmd.Env = append(os.Environ(), "DISPLAY="+s.display)
	if out, err := cmd.CombinedOutput(); err != nil {
		s.t.Fatalf("import: %v %s", err, out)
	}
	s.last = f
	return f
}

// ocr reads a region (WxH+X+Y, "" for all) of a screenshot with tesseract,
// scaled up 2× (small UI text reads better): one line per line read, its
// spaces folded, empty lines dropped.
func (s *screen) ocr(png, region string) string {
	s.t.Helper()
	in := png
	if region != "" {
		in = strings.TrimSuffix(png, ".png") + "-crop.png"
		if out, err := exec.Command("convert", png, "-crop", region, "+repage", "-resize", "200%", in).CombinedOutput(); err != nil {
			s.t.Fatalf("convert: %v %s", err, out)
		}
	}
	out, err := exec.Command("tesseract", in, "-").Output()
	if err != nil {
		s.t.Fatalf("tesseract %s: %v", in, err)
	}
	var lines []string
	for _, l := range strings.Split(string(out), "\n") {
		if l = strings.Join(strings.Fields(l), " "); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}

// Regions (WxH+X+Y) of the 1280×800 screen with the window at 0,0 and the
// Events tab open: triggerRegion is the trigger view (its header and the
// first seven rows, above the details and dunst's notifications at the
// bottom right), countRegion the "N events" count beside the search box.
const (
	triggerRegion = "1170x310+110+150"
	countRegion   = "110x40+975+30"
)

// lvkAlert is a real LVK sample with its superevent id replaced (and
// "significant" set to sig, when not nil).
func lvkAlert(t *testing.T, sample, id string, sig *bool) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(readFile(t, filepath.Join("..", "testdata", "notices", "lvk-gocart", sample)), &doc); err != nil {
		t.Fatal(err)
	}
	old, _ := doc["superevent_id"].(string)
	doc["superevent_id"] = id
	if urls, ok := doc["urls"].(map[string]any); ok {
		urls["gracedb"] = strings.Replace(fmt.Sprint(urls["gracedb"]), old, id, 1)
	}
	if sig != nil {
		ev, ok := doc["event"].(map[string]any)
		if !ok {
			t.Fatalf("%s has no event", sample)
		}
		ev["significant"] = *sig
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// gcnNotice is a GCN JSON notice sample with its id set to id.
func gcnNotice(t *testing.T, sample, id string) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(readFile(t, filepath.Join("..", "testdata", "notices", "gcn-schema", sample)), &doc); err != nil {
		t.Fatal(err)
	}
	doc["id"] = []string{id}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// triggersJSON runs `starling events triggers --json` beside the window.
func triggersJSON(t *testing.T, dir string) []map[string]any {
	t.Helper()
	r := run(t, "", nil, "events", "triggers", "--json", "--test", "--data-dir", dir)
	if r.code != 0 {
		t.Fatalf("events triggers: exit %d: %s", r.code, r.stderr)
	}
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("events triggers --json line %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

// memLine is the window's resident memory from /proc in kB: VmRSS, and
// from smaps_rollup how much of it is shared pages (mostly the shared
// libraries' code: Mesa's software GL, X11, libxml2, libc), private pages
// (the Go heap, stacks, Mesa's buffers, the libraries' private data), and
// anonymous memory (the part of both that no file backs).
func memLine(pid int) (rss, shared, private, anon int64, err error) {
	st, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return
	}
	if m := regexp.MustCompile(`VmRSS:\s+(\d+) kB`).FindSubmatch(st); m != nil {
		rss, _ = strconv.ParseInt(string(m[1]), 10, 64)
	}
	roll, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps_rollup", pid))
	if err != nil {
		return
	}
	if m := regexp.MustCompile(`(?m)^Anonymous:\s+(\d+) kB`).FindSubmatch(roll); m != nil {
		anon, _ = strconv.ParseInt(string(m[1]), 10, 64)
	}
	for _, m := range regexp.MustCompile(`(?m)^(Shared|Private)_(Clean|Dirty):\s+(\d+) kB`).FindAllSubmatch(roll, -1) {
		v, _ := strconv.ParseInt(string(m[3]), 10, 64)
		if string(m[1]) == "Shared" {
			shared += v
		} else {
			private += v
		}
	}
	return
}

// memByMapping splits the window's resident memory (kB) by what backs it,
// from /proc/PID/smaps: "starling" (the binary's own pages), "software GL"
// (Mesa's drivers and LLVM, which a GPU driver replaces), "other libraries",
// and "anonymous" (the Go heap and stacks, C malloc, Mesa's buffers).
func memByMapping(pid int) (map[string]int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps", pid))
	if err != nil {
		return nil, err
	}
	out := map[string]int64{}
	kind := "anonymous"
	header := regexp.MustCompile(`^[0-9a-f]+-[0-9a-f]+ `)
	for _, line := range strings.Split(string(b), "\n") {
		if header.MatchString(line) {
			f := strings.Fields(line)
			path := ""
			if len(f) >= 6 {
				path = f[5]
			}
			base := filepath.Base(path)
			switch {
			case path == "" || strings.HasPrefix(path, "["):
				kind = "anonymous"
			case path == starlingBin || base == "starling":
				kind = "starling"
			case strings.Contains(base, "LLVM") || strings.Contains(base, "gallium") || strings.Contains(path, "/dri/") ||
				strings.Contains(base, "libGL") || strings.Contains(base, "libEGL") || strings.Contains(base, "glapi") || strings.Contains(base, "libgbm"):
				kind = "software GL"
			case strings.Contains(base, ".so"):
				kind = "other libraries"
			default:
				kind = "other files"
			}
			continue
		}
		if v, ok := strings.CutPrefix(line, "Rss:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			out[kind] += n
		}
	}
	return out, nil
}

// TestNightOnShift plays a night on shift against the real window (issue
// 18): under Xvfb, with dunst on a private session bus and a Kafka source
// (saved with `starling settings kafka add`) on a kfaked cluster:
//   - 60 heartbeats at 1 per second leave the trigger view unchanged (read
//     back with tesseract) and `events triggers` lists none;
//   - a significant LVK Preliminary is notified by a default rule;
//   - its Retraction gives a notification whose body says RETRACTED;
//   - an Initial after the Retraction is shown RETRACTED in the trigger view
//     and is not notified as live.
//
// It then measures, without asserting, the window's resident memory after
// ~1,000 alerts (50 with sky maps) and the Kafka record → notification
// latency, and logs them (BENCHMARKS.md, "A night on shift").
func TestNightOnShift(t *testing.T) {
	if testing.Short() {
		t.Skip("the night on shift takes about two minutes; not with -short")
	}
	needTools(t, "Xvfb", "xdotool", "dbus-daemon", "dunst", "dunstctl", "tesseract", "import", "convert")
	display := startXvfb(t)
	tmp := t.TempDir()
	shots := &screen{t: t, display: display, dir: t.TempDir()}
	t.Cleanup(func() {
		if shots.last == "" {
			return
		}
		// As smoke-gui.sh does, the last screenshot is kept in artifacts/.
		if err := os.MkdirAll(filepath.Join("..", "artifacts"), 0o755); err == nil {
			if b, err := os.ReadFile(shots.last); err == nil {
				os.WriteFile(filepath.Join("..", "artifacts", "night-on-shift.png"), b, 0o644)
			}
		}
		if t.Failed() {
			t.Logf("screenshots in %s", shots.dir)
		}
	})
	bus := startSessionBus(t, tmp)
	notes := startDunst(t, tmp, display, bus)

	k := startKfaked(t, "-seed-topic", gwTopic, "-seed-topic", heartbeatTopic,
		"-seed-topic", nightNoticeTopics["einstein_probe.wxt.alert.example.json"],
		"-seed-topic", nightNoticeTopics["maxi.gsc.unknown.circle.example.json"],
		"-seed-topic", nightNoticeTopics["chime.frb.detection.example.json"],
		"-max-message-bytes", strconv.Itoa(8<<20))
	cl := kafkaClient(t, k.addr, kgo.ProducerBatchMaxBytes(4<<20))

	data := t.TempDir()
	ports := porttest.Free(t, 2)
	if r := run(t, "", nil, "settings", "set", "--data-dir", data,
		"broker.receive_port", strconv.Itoa(ports[0]), "broker.broadcast_port", strconv.Itoa(ports[1]), "broker.test_interval", "0"); r.code != 0 {
		t.Fatalf("settings set: %d %s", r.code, r.stderr)
	}
	if r := run(t, "", nil, "settings", "kafka", "add", "night", "--data-dir", data, "--kafka-bootstrap", k.addr,
		"--kafka-topic", gwTopic, "--kafka-topic", heartbeatTopic, "--kafka-topic", `^gcn\.notices\..*`, "--kafka-from", "earliest"); r.code != 0 {
		t.Fatalf("settings kafka add: %d %s%s", r.code, r.stdout, r.stderr)
	}

	t.Setenv("DBUS_SESSION_BUS_ADDRESS", bus)
	t.Setenv("LIBGL_ALWAYS_SOFTWARE", "1")
	win := startWindow(t, display, data)
	waitSocket(t, win, filepath.Join(data, "starling.window"))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	xdo := func(args ...string) string {
		cmd := exec.CommandContext(ctx, "xdotool", args...)
		cmd.Env = append(os.Environ(), "DISPLAY="+display)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("xdotool %v: %v %s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	wid := strings.Fields(xdo("search", "--sync", "--onlyvisible", "--name", "Starling"))[0]
	xdo("windowsize", "--sync", wid, "1280", "800")
	xdo("windowmove", "--sync", wid, "0", "0")
	xdo("windowfocus", "--sync", wid)
	xdo("key", "ctrl+5") // the Events tab; its trigger view is the default
	for deadline := time.Now().Add(60 * time.Second); !regexp.MustCompile(`(?i)kafka source .*consuming|night.*consuming`).MatchString(win.logText()); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Logf("the window's log never said the Kafka source is consuming:\n%s", win.logText())
			break
		}
	}

	logMem := func(when string) {
		rss, shared, private, anon, err := memLine(win.cmd.Process.Pid)
		if err != nil {
			t.Logf("the window's memory could not be read: %v", err)
			return
		}
		t.Logf("FIGURE window resident memory %s: VmRSS %d MB = shared %d MB + private %d MB; anonymous %d MB",
			when, rss/1024, shared/1024, private/1024, anon/1024)
		if by, err := memByMapping(win.cmd.Process.Pid); err == nil {
			t.Logf("FIGURE  by mapping: starling binary %d MB, software GL (Mesa, LLVM) %d MB, other libraries %d MB, other files %d MB, anonymous %d MB",
				by["starling"]/1024, by["software GL"]/1024, by["other libraries"]/1024, by["other files"]/1024, by["anonymous"]/1024)
		}
	}

	// A first heartbeat, so that the source is seen alive before the
	// screenshot: the 60 after it must change nothing in the trigger view.
	heartbeat := func(i int) *kgo.Record {
		return &kgo.Record{Topic: heartbeatTopic, Value: []byte(fmt.Sprintf(`{"alert_datetime": "%s"}`, time.Now().UTC().Add(time.Duration(i)*time.Millisecond).Format(time.RFC3339Nano)))}
	}
	produce(t, cl, heartbeat(0))
	waitLabelled(t, "the first heartbeat archived", 60*time.Second, func() bool {
		return len(archived(t, data, "--source", heartbeatTopic)) >= 1
	})
	time.Sleep(2 * time.Second) // the table redraws on a coalescing timer; nothing is asserted on it
	logMem("with the window up, the Events tab open, no alert")
	shot := shots.shot("before-heartbeats")
	before, countBefore := shots.ocr(shot, triggerRegion), shots.ocr(shot, countRegion)
	if !strings.Contains(before, "Trigger") {
		t.Fatalf("the screen shows no trigger view to compare (the Events tab, Triggers): tesseract read %q", shots.ocr(shot, ""))
	}
	for i := 1; i <= 60; i++ {
		next := time.Now().Add(time.Second)
		produce(t, cl, heartbeat(i))
		time.Sleep(time.Until(next))
	}
	waitLabelled(t, "61 heartbeats archived", 60*time.Second, func() bool {
		return len(archived(t, data, "--source", heartbeatTopic)) >= 61
	})
	time.Sleep(2 * time.Second)
	shot = shots.shot("after-heartbeats")
	after, countAfter := shots.ocr(shot, triggerRegion), shots.ocr(shot, countRegion)
	if before != after {
		t.Errorf("60 heartbeats changed the trigger view:\nbefore: %q\nafter:  %q", before, after)
	}
	if countBefore != countAfter {
		t.Errorf("60 heartbeats changed the alert count: %q before, %q after", countBefore, countAfter)
	}
	if regexp.MustCompile(`(?i)heartbeat`).MatchString(after) {
		t.Errorf("the trigger view reads a heartbeat: %q", after)
	}
	for _, tr := range triggersJSON(t, data) {
		if b, _ := json.Marshal(tr); bytes.Contains(bytes.ToLower(b), []byte("heartbeat")) {
			t.Errorf("events triggers lists a heartbeat: %s", b)
		}
	}
	t.Logf("the trigger view after 61 heartbeats reads %q, the count %q", after, countAfter)

	// The sample S230528ay Preliminary is not significant (event.significant
	// false), and the default rules notify significant non-mock LVK alerts
	// only: made significant, under a fresh superevent id S261206xy.
	const sid = "S261206xy"
	yes := true
	sent := time.Now()
	produce(t, cl, &kgo.Record{Topic: gwTopic, Value: lvkAlert(t, "S230528ay-preliminary.json", sid, &yes)})
	live := notes.wait("the significant Preliminary", 90*time.Second, func(c captured) bool { return strings.Contains(c.summary+c.body, sid) })
	latency := live.at.Sub(sent)
	if strings.Contains(live.body, "RETRACTED") {
		t.Errorf("the live Preliminary's notification says RETRACTED: %+v", live)
	}
	t.Logf("notification of the Preliminary: %q / %q (urgency %s)", live.summary, live.body, live.urgency)
	t.Logf("FIGURE Kafka record produced → dunst shows the notification: %v", latency.Round(time.Millisecond))
	// tesseract may read the S of the id as a 5 or $: the rest is enough.
	// dunst runs its hook before it draws: read the screen until it shows.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(500 * time.Millisecond) {
		seen := shots.ocr(shots.shot("preliminary"), "")
		if strings.Contains(seen, strings.TrimPrefix(sid, "S")+" Preliminary") {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("the screen does not read the notification of %s Preliminary; tesseract read:\n%s", sid, seen)
			break
		}
	}
	notes.closeAll()

	// Its Retraction: the sample MS230425k Retraction under the same id.
	produce(t, cl, &kgo.Record{Topic: gwTopic, Value: lvkAlert(t, "MS230425k-retraction.json", sid, nil)})
	ret := notes.wait("the Retraction", 90*time.Second, func(c captured) bool {
		return strings.Contains(c.summary+c.body, sid) && strings.Contains(c.body, "RETRACTED")
	})
	t.Logf("notification of the Retraction: %q / %q (urgency %s)", ret.summary, ret.body, ret.urgency)
	if !strings.EqualFold(ret.urgency, "CRITICAL") {
		t.Errorf("dunst shows the Retraction's notification at urgency %q, not CRITICAL", ret.urgency)
	}
	if strings.EqualFold(live.urgency, "CRITICAL") {
		t.Errorf("the Preliminary's notification is critical too: urgency %q", live.urgency)
	}
	notes.closeAll()

	// An Initial after the Retraction (the sample MS230425k Initial under
	// the same id): the row reads RETRACTED, and no live notification.
	produce(t, cl, &kgo.Record{Topic: gwTopic, Value: lvkAlert(t, "MS230425k-initial.json", sid, nil)})
	waitLabelled(t, "the Initial archived", 90*time.Second, func() bool {
		for _, tr := range triggersJSON(t, data) {
			if tr["trigger"] == sid {
				a, _ := tr["alerts"].([]any)
				return len(a) == 3 && tr["retracted"] == true
			}
		}
		return false
	})
	var row string
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(time.Second) {
		read := shots.ocr(shots.shot("initial-after-retraction"), triggerRegion)
		for _, l := range strings.Split(read, "\n") {
			if strings.Contains(l, "RETRACTED") && strings.Contains(l, strings.TrimPrefix(sid, "S")) {
				row = l
			}
		}
		if row != "" {
			t.Logf("the trigger view's row after the Initial reads %q", row)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the trigger view has no row reading %s and RETRACTED after the Initial; tesseract read:\n%s", sid, read)
		}
	}
	// A sentinel after the Initial: an alert of another significant
	// superevent is notified, so the notifier has passed the Initial.
	const sentinel = "S261206zz"
	sent = time.Now()
	produce(t, cl, &kgo.Record{Topic: gwTopic, Value: lvkAlert(t, "S230528ay-preliminary.json", sentinel, &yes)})
	second := notes.wait("the sentinel Preliminary", 90*time.Second, func(c captured) bool { return strings.Contains(c.summary+c.body, sentinel) })
	t.Logf("FIGURE Kafka record produced → dunst shows the notification (a second significant alert): %v", second.at.Sub(sent).Round(time.Millisecond))
	late := "not notified"
	for _, c := range notes.all() {
		if strings.Contains(c.summary, sid) && strings.Contains(c.summary, "Initial") {
			late = fmt.Sprintf("notified: %q / %q", c.summary, c.body)
			if !strings.Contains(c.body, "RETRACTED") {
				t.Errorf("the Initial after the Retraction was notified as live: %+v", c)
			}
		}
	}
	t.Logf("the Initial after the Retraction: %s", late)

	// The figures: ~1,000 alerts, 50 of them LVK alerts with sky maps.
	no := false
	var recs []*kgo.Record
	samples := make([]string, 0, len(nightNoticeTopics))
	for s := range nightNoticeTopics {
		samples = append(samples, s)
	}
	sort.Strings(samples)
	for i := 0; i < 950; i++ {
		s := samples[i%len(samples)]
		recs = append(recs, &kgo.Record{Topic: nightNoticeTopics[s], Value: gcnNotice(t, s, fmt.Sprintf("night%05d", i))})
	}
	produce(t, cl, recs...)
	for i := 0; i < 50; i++ {
		produce(t, cl, &kgo.Record{Topic: gwTopic, Value: lvkAlert(t, "S230528ay-preliminary.json", fmt.Sprintf("S2612%02dm%c", i/2+1, 'a'+rune(i%26)), &no)})
	}
	waitLabelled(t, "~1,000 alerts archived", 120*time.Second, func() bool {
		return len(archived(t, data, "--source", "kafka")) >= 950+50+4
	})
	time.Sleep(5 * time.Second) // let the window take them in
	shots.shot("after-1000")
	logMem("after 1,004 alerts (54 with sky maps) and 61 heartbeats")
	if t.Failed() {
		t.Logf("the window's log:\n%s", win.logText())
	}
}

// waitLabelled polls cond every 250 ms up to limit.
func waitLabelled(t *testing.T, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(limit); !cond(); time.Sleep(250 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", limit, what)
		}
	}
}
