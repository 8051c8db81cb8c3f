package broker

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/starling-broker/starling/netcore/voevent"
)

// script writes an executable shell script into a temporary directory.
func script(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "handler.sh")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func closeSpawn(t *testing.T, h *SpawnHandler) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), relayWait)
	defer cancel()
	if err := h.Close(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestSpawnHandlerGetsEventOnStdin(t *testing.T) {
	b, lg := newRelayBroker(t)
	out := filepath.Join(t.TempDir(), "out")
	h := NewSpawnHandler(script(t, `cat >> "$1"; echo "said something"`), []string{out}, 1, b.log)
	var want []byte
	for i := range 5 {
		raw := relayEvent(fmt.Sprint("spawn", i), 1)
		want = append(want, raw...)
		h.HandleEvent(mustParse(t, raw), "test")
	}
	// One at a time, in order: the file holds the five events back to back.
	waitFor(t, "five events written", func() bool {
		got, _ := os.ReadFile(out)
		return bytes.Equal(got, want)
	})
	closeSpawn(t, h)
	lg.wait(t, "Running external command: ")
	lg.wait(t, "External process said: said something")
}

func TestSpawnHandlerRunsInParallel(t *testing.T) {
	b, _ := newRelayBroker(t)
	dir := t.TempDir()
	// Each run waits for a second one to start, so two must run at once.
	h := NewSpawnHandler(script(t, `touch "$1/$$"; i=0; while [ $(ls "$1" | wc -l) -lt 2 ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done; [ $i -lt 100 ]`), []string{dir}, 2, b.log)
	start := time.Now()
	h.HandleEvent(mustParse(t, relayEvent("p1", 1)), "test")
	h.HandleEvent(mustParse(t, relayEvent("p2", 1)), "test")
	closeSpawn(t, h)
	if d := time.Since(start); d > 4*time.Second {
		t.Errorf("the two runs did not overlap (took %v)", d)
	}
}

func TestSpawnHandlerLogsFailure(t *testing.T) {
	b, lg := newRelayBroker(t)
	prog := script(t, `cat > /dev/null; echo "something broke" >&2; exit 3`)
	h := NewSpawnHandler(prog, nil, 1, b.log)
	h.HandleEvent(mustParse(t, relayEvent("fail", 1)), "test")
	closeSpawn(t, h)
	lg.wait(t, prog+" returned non-zero (3)", "something broke")

	missing := filepath.Join(t.TempDir(), "no-such-program")
	h = NewSpawnHandler(missing, nil, 1, b.log)
	h.HandleEvent(mustParse(t, relayEvent("fail2", 1)), "test")
	closeSpawn(t, h)
	lg.wait(t, missing)
}

func TestSpawnHandlerCloseKillsOnDeadline(t *testing.T) {
	b, _ := newRelayBroker(t)
	h := NewSpawnHandler(script(t, `sleep 30`), nil, 1, b.log)
	h.HandleEvent(mustParse(t, relayEvent("slow", 1)), "test")
	h.HandleEvent(mustParse(t, relayEvent("queued", 1)), "test")
	time.Sleep(50 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := h.Close(ctx); err == nil {
		t.Error("Close returned nil although the program was still running")
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("Close took %v", d)
	}
}

func TestFileNameForMatchesComet(t *testing.T) {
	// Comet's own test table (comet/plugins/test/test_eventwriter.py), and more.
	for in, want := range map[string]string{
		"abcd": "abcd", "1234": "1234", "1a2b": "1a2b", ".abc": "abc", "a.bc": "a.bc",
		"ab/c": "ab_c", "a*bc": "abc", "a||b": "ab", `a\/b`: "a__b",
		"ivo://test.ivoid/1234#5678": "ivo__test.ivoid_12345678",
		"..abc":                      ".abc",
		"*.abc":                      ".abc",
		"ivo://x/y#é-1 2":            "ivo__x_y12",
		"ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_1234-567": "ivo__nasa.gsfc.gcn_SWIFTBAT_GRB_Pos_1234567",
		"": "_",
	} {
		if got := FileNameFor(in); got != want {
			t.Errorf("FileNameFor(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestFileNameForWindows checks the Windows adjustments on Linux: names
// keep only characters Windows allows, lose no trailing dot, and name no device.
func TestFileNameForWindows(t *testing.T) {
	for in, want := range map[string]string{
		"ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_1234-567":          "ivo__nasa.gsfc.gcn_SWIFTBAT_GRB_Pos_1234567",
		"ivo://hotwired.org/test#TestEvent-2026-12-01T02:03:04.5": "ivo__hotwired.org_testTestEvent20261201T020304.5",
		"ivo://a/b?x=1#y:z.": "ivo__a_bx1yz._",
		"con":                "_con",
		"nul.xml":            "_nul.xml",
		"com1":               "_com1",
		"console":            "console",
		"":                   "_",
	} {
		got := windowsSafe(cometFileName(in))
		if got != want {
			t.Errorf("windowsSafe(cometFileName(%q)) = %q, want %q", in, got, want)
		}
		if strings.ContainsAny(got, `<>:"/\|?*`) {
			t.Errorf("%q holds a character Windows forbids", got)
		}
	}
}

func TestSaveHandler(t *testing.T) {
	b, _ := newRelayBroker(t)
	dir := filepath.Join(t.TempDir(), "events", "new") // created on demand
	h := NewSaveHandler(dir, b.log)
	raw := relayEvent("save/1", 1)
	ev := mustParse(t, raw)
	h.HandleEvent(ev, "test")
	h.HandleEvent(ev, "test")
	if err := h.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(dir, "ivo__starling.test_sourcesave_1")
	for _, p := range []string{name, name + "_"} {
		got, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, raw) {
			t.Errorf("%s differs from the raw event", p)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("directory holds %d files, want 2 (no temporary files left)", len(entries))
	}
}

func TestPrintHandler(t *testing.T) {
	var out bytes.Buffer
	h := NewPrintHandler(&out, nil)
	raw := []byte("\ufeff<?xml version='1.0' encoding='UTF-8'?>\n<!-- c -->\n<voe:VOEvent xmlns:voe=\"http://www.ivoa.net/xml/VOEvent/v2.0\" version=\"2.0\" role=\"test\" ivorn=\"ivo://x/y#1\">\n  <Who/>\n</voe:VOEvent>\n<!-- after -->\n")
	h.HandleEvent(&voevent.Event{Raw: raw}, "test")
	h.HandleEvent(mustParse(t, relayEvent("print", 1)), "test")
	if err := h.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := "<voe:VOEvent xmlns:voe=\"http://www.ivoa.net/xml/VOEvent/v2.0\" version=\"2.0\" role=\"test\" ivorn=\"ivo://x/y#1\">\n  <Who/>\n</voe:VOEvent>\n" +
		strings.TrimSpace(strings.SplitN(string(relayEvent("print", 1)), "\n", 2)[1]) + "\n"
	if out.String() != want {
		t.Errorf("printed\n%q\nwant\n%q", out.String(), want)
	}
}
