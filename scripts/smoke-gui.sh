#!/usr/bin/env bash
# Smoke test of the real window under Xvfb: start the desktop app with a
# temporary data directory and the local broker on, send it an event with
# `starling sendvo`, screenshot the window, check that the picture is not blank
# and that the event reached the archive. The PNGs are kept in artifacts/.
# A private D-Bus session bus and a notification server (dunst) on the Xvfb
# display let the app show real desktop notifications, which the test reads
# back from dunst's history and from a screenshot.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-bin/starling}
out=artifacts
mkdir -p "$out"
data=$(mktemp -d)
cleanup() {
  for pid in "${app:-}" "${dunst:-}" "${bus:-}" "${xvfb:-}"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done
  rm -rf "$data"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
rport=$(free_port); bport=$(free_port)
while [ "$bport" = "$rport" ]; do bport=$(free_port); done

# The app reads its broker settings from the store: seed them with free ports.
"$bin" settings set --data-dir "$data" broker.receive_port "$rport" broker.broadcast_port "$bport" broker.test_interval 0

# A notification rule for Swift alerts, as the Notifications tab writes it.
printf '{"rules":[{"name":"Swift bursts","type":"Swift"}]}\n' >"$data/notify-rules.json"
chmod 600 "$data/notify-rules.json"

# Xvfb picks a free display itself and writes its number on fd 3.
fifo=$(mktemp -u); mkfifo "$fifo"
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$fifo" >/dev/null 2>&1 &
xvfb=$!
read -r -t 60 num <"$fifo" || { echo "smoke: Xvfb did not start"; exit 1; }
rm -f "$fifo"
display=:$num
for _ in $(seq 300); do xdpyinfo -display "$display" >/dev/null 2>&1 && break; sleep 0.1; done
xdpyinfo -display "$display" >/dev/null 2>&1 || { echo "smoke: display $display does not answer"; exit 1; }

# A private session bus (its socket in the temporary directory) for the app,
# dunst and dunstctl; never the user's. Fyne sends notifications on Linux as
# org.freedesktop.Notifications.Notify calls on the session bus (godbus). The
# bus has no service directories, so nothing is started on demand: only the
# dunst started below can answer for org.freedesktop.Notifications.
cat >"$data/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=$data/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
EOF
dbus-daemon --config-file="$data/bus.conf" --nofork --nopidfile --print-address=3 \
  3>"$data/bus.addr" </dev/null >/dev/null 2>"$out/dbus.log" &
bus=$!
for _ in $(seq 100); do [ -s "$data/bus.addr" ] && break; sleep 0.1; done
[ -s "$data/bus.addr" ] || { echo "smoke: the private D-Bus session bus did not start"; cat "$out/dbus.log"; exit 1; }
DBUS_SESSION_BUS_ADDRESS=$(head -n1 "$data/bus.addr")
export DBUS_SESSION_BUS_ADDRESS

# dunst as the notification server on the Xvfb display, with our own config:
# black on white in DejaVu Sans (which tesseract reads well) at the bottom
# right, shown for two minutes, long enough for the screenshot.
cat >"$data/dunstrc" <<'EOF'
[global]
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
    separator_color = frame
    separator_height = 2
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
EOF
# (Without WAYLAND_DISPLAY: in a Wayland desktop dunst would draw there instead.)
DISPLAY=$display env -u WAYLAND_DISPLAY dunst -config "$data/dunstrc" >"$out/dunst.log" 2>&1 &
dunst=$!
for _ in $(seq 100); do timeout 5 dunstctl is-paused >/dev/null 2>&1 && break; sleep 0.1; done
timeout 5 dunstctl is-paused >/dev/null 2>&1 || { echo "smoke: dunst did not take org.freedesktop.Notifications on the private bus"; cat "$out/dunst.log"; exit 1; }
echo "smoke: dunst answers on a private session bus"

start=$(date +%s.%N)
DISPLAY=$display LIBGL_ALWAYS_SOFTWARE=1 "$bin" --data-dir "$data" --start-broker >"$out/gui.log" 2>&1 &
app=$!
for _ in $(seq 300); do
  if DISPLAY=$display xwininfo -root -tree 2>/dev/null | grep -q '"Starling'; then break; fi
  sleep 0.1
done
mapped=$(date +%s.%N)
echo "smoke: window mapped $(python3 -c "print(round($mapped-$start,2))") s after launch"
for _ in $(seq 300); do grep -q "Receiving events on 127.0.0.1:$rport" "$out/gui.log" && break; sleep 0.1; done
grep -q "Receiving events on 127.0.0.1:$rport" "$out/gui.log" || { echo "smoke: the local broker did not start"; cat "$out/gui.log"; exit 1; }

"$bin" sendvo "127.0.0.1:$rport" e2e/testdata/voevent.xml

# A real drag-and-drop: our own XDND source (scripts/xdnd-drag.c) drags two
# good VOEvents (two Swift bursts: a trigger notifies once, so two triggers)
# and a VOEvent 1.1 packet (which the checks refuse) onto the
# window, as a file manager would. The window must queue and send them to
# its broker; the good ones must reach the archive and the refused one not.
gcc -O2 -o "$data/xdnd-drag" scripts/xdnd-drag.c -lX11
win=$(DISPLAY=$display xwininfo -root -tree | awk '/"Starling/ {print $1; exit}')
[ -n "$win" ] || { echo "smoke: no Starling window to drop on"; exit 1; }
good1=testdata/voevents/public/swift/BAT_GRB_Pos_1201696-785.xml
good2=testdata/voevents/public/swift/BAT_GRB_Pos_1209406-601.xml
bad=testdata/voevents/public/swift/BAT_Known_Pos_1492258176-457_v1.1.xml
DISPLAY=$display "$data/xdnd-drag" "$win" 400 300 "$good1" "$good2" "$bad"
for ivorn in "ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_1201696-785" "ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_1209406-601"; do
  for _ in $(seq 100); do "$bin" events show --data-dir "$data" "$ivorn" >/dev/null 2>&1 && break; sleep 0.2; done
  "$bin" events show --data-dir "$data" "$ivorn" >/dev/null || { echo "smoke: the dropped $ivorn was not acked and archived"; exit 1; }
done
if "$bin" events show --data-dir "$data" "ivo://nasa.gsfc.gcn/SWIFT#BAT_Known_Pos_1492258176-457" >/dev/null 2>&1; then
  echo "smoke: the dropped VOEvent 1.1 packet was archived; the checks must refuse it"; exit 1
fi
echo "smoke: a real drag-and-drop of 3 files: 2 acked and archived, 1 refused"
for _ in $(seq 100); do [ "$(grep -c 'matches notification rule' "$out/gui.log")" -ge 2 ] && break; sleep 0.1; done
[ "$(grep -c 'matches notification rule' "$out/gui.log")" -ge 2 ] || { echo "smoke: the dropped Swift alerts fired no notification"; exit 1; }
# The notifications must really be on the screen: dunst shows both (waits
# bounded), the screenshot reads them, and dunst's history holds them.
shown() { timeout 5 dunstctl count displayed 2>/dev/null || echo 0; }
for _ in $(seq 100); do [ "$(shown)" -ge 2 ] && break; sleep 0.1; done
if [ "$(shown)" -lt 2 ]; then
  echo "smoke: dunst shows $(shown) desktop notifications, not the 2 that the Swift alerts must bring"
  grep -i -E 'notification|d-bus|bus' "$out/gui.log" | grep -v 'matches notification rule' || true
  exit 1
fi
sleep 0.5 # let dunst draw them
DISPLAY=$display import -window root "$out/smoke-notification.png"
# Closed, they move to dunst's history, which tells what the app sent: one
# notification per Swift burst, titled with its trigger, the rule's name first
# in the body.
timeout 5 dunstctl close-all
timeout 5 dunstctl history >"$out/dunst-history.json"
python3 - "$out/dunst-history.json" >"$data/summaries" <<'EOF' || exit 1
import json, sys
h = json.load(open(sys.argv[1]))
ns = [{k: v["data"] for k, v in n.items()} for n in h["data"][0]]
ours = [n for n in ns if n["summary"].startswith("Swift ") and (" 1201696 " in n["summary"] or " 1209406 " in n["summary"])
        and n["body"].startswith("Swift bursts: ")]
if len({n["summary"] for n in ours}) < 2:
    sys.exit(f"smoke: dunst's history has {len(ours)} notifications of the Swift alerts, not 2: {ns}")
for n in ours:
    print(n["summary"])
    print(f"smoke: dunst showed {n['appname']}: {n['summary']!r} / {n['body']!r}", file=sys.stderr)
EOF
# Read the screenshot back as a person would: each title is on the screen.
ocr() { tesseract "$1" - 2>/dev/null | tr -s ' \n' ' '; }
# dunst draws at the bottom right: that corner is read alone too, so that
# the window's text beside it cannot run into the notifications' lines.
convert "$out/smoke-notification.png" -gravity SouthEast -crop 720x420+0+0 +repage "$data/notes.png"
seen="$(ocr "$out/smoke-notification.png") $(ocr "$data/notes.png")"
while read -r want; do
  grep -qF "$want" <<<"$seen" || { echo "smoke: the screenshot $out/smoke-notification.png does not read '$want'; tesseract read: $seen"; exit 1; }
done < <(cat "$data/summaries"; echo "Swift bursts: SNR")
echo "smoke: the desktop notifications are on the screen ($out/smoke-notification.png)"
sleep 1 # let the window draw the lines and the badge
DISPLAY=$display import -window root "$out/smoke-dropped.png"
echo "smoke: screenshot of the Send lines after the drop in $out/smoke-dropped.png"
# Read the window back as a person would: the badge, the table, the sky map.
ocr "$out/smoke-dropped.png" | grep -q "Events (2)" || { echo "smoke: no unread badge 'Events (2)' on the Events tab"; exit 1; }
echo "smoke: the notification rule fired for both Swift alerts; the Events tab reads 'Events (2)'"
DISPLAY=$display xdotool key --window "$win" ctrl+5
sleep 1.5
DISPLAY=$display import -window root "$out/smoke-events.png"
ocr "$out/smoke-events.png" | grep -q "1201696" || { echo "smoke: the Events table does not show trigger 1201696"; exit 1; }
echo "smoke: the Events table shows the dropped alerts ($out/smoke-events.png)"
DISPLAY=$display xdotool key --window "$win" ctrl+7
sleep 2
DISPLAY=$display import -window root "$out/smoke-sky.png"
[ "$(identify -format '%k' "$out/smoke-sky.png")" -gt 50 ] || { echo "smoke: the sky map looks blank"; exit 1; }
echo "smoke: the sky map with the dropped alerts in $out/smoke-sky.png"
DISPLAY=$display xdotool key --window "$win" ctrl+1

sleep 1 # let the window refresh its counters
DISPLAY=$display import -window root "$out/smoke-window.png"
colours=$(identify -format '%k' "$out/smoke-window.png")
echo "smoke: screenshot $out/smoke-window.png has $colours colours"
[ "$colours" -gt 20 ] || { echo "smoke: the screenshot looks blank"; exit 1; }

kill "$app"; wait "$app" 2>/dev/null || true; app=""
"$bin" events show --data-dir "$data" "ivo://hotwired.org/gaia_demo#1" >/dev/null \
  || { echo "smoke: the event is not in the archive"; exit 1; }
echo "smoke: the event sent to the window's broker is in the archive"
echo "smoke: 6 passed, 0 failed"
