#!/usr/bin/env bash
# Smoke test of the real window under Xvfb: start the desktop app with a
# temporary data directory and the local broker on, send it an event with
# `starling sendvo`, screenshot the window, check that the picture is not blank
# and that the event reached the archive. The PNG is kept in artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-bin/starling}
out=artifacts
mkdir -p "$out"
data=$(mktemp -d)
trap 'rm -rf "$data"; [ -n "${app:-}" ] && kill "$app" 2>/dev/null || true; [ -n "${xvfb:-}" ] && kill "$xvfb" 2>/dev/null || true' EXIT

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
# good VOEvents and a VOEvent 1.1 packet (which the checks refuse) onto the
# window, as a file manager would. The window must queue and send them to
# its broker; the good ones must reach the archive and the refused one not.
gcc -O2 -o "$data/xdnd-drag" scripts/xdnd-drag.c -lX11
win=$(DISPLAY=$display xwininfo -root -tree | awk '/"Starling/ {print $1; exit}')
[ -n "$win" ] || { echo "smoke: no Starling window to drop on"; exit 1; }
good1=testdata/voevents/public/swift/BAT_GRB_Pos_1201696-785.xml
good2=testdata/voevents/public/swift/XRT_Pos_1201696-838.xml
bad=testdata/voevents/public/swift/BAT_Known_Pos_1492258176-457_v1.1.xml
DISPLAY=$display "$data/xdnd-drag" "$win" 400 300 "$good1" "$good2" "$bad"
for ivorn in "ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_1201696-785" "ivo://nasa.gsfc.gcn/SWIFT#XRT_Pos_1201696-838"; do
  for _ in $(seq 100); do "$bin" events show --data-dir "$data" "$ivorn" >/dev/null 2>&1 && break; sleep 0.2; done
  "$bin" events show --data-dir "$data" "$ivorn" >/dev/null || { echo "smoke: the dropped $ivorn was not acked and archived"; exit 1; }
done
if "$bin" events show --data-dir "$data" "ivo://nasa.gsfc.gcn/SWIFT#BAT_Known_Pos_1492258176-457" >/dev/null 2>&1; then
  echo "smoke: the dropped VOEvent 1.1 packet was archived; the checks must refuse it"; exit 1
fi
echo "smoke: a real drag-and-drop of 3 files: 2 acked and archived, 1 refused"
for _ in $(seq 100); do [ "$(grep -c 'matches notification rule' "$out/gui.log")" -ge 2 ] && break; sleep 0.1; done
[ "$(grep -c 'matches notification rule' "$out/gui.log")" -ge 2 ] || { echo "smoke: the dropped Swift alerts fired no notification"; exit 1; }
sleep 1 # let the window draw the lines and the badge
DISPLAY=$display import -window root "$out/smoke-dropped.png"
echo "smoke: screenshot of the Send lines after the drop in $out/smoke-dropped.png"
# Read the window back as a person would: the badge, the table, the sky map.
ocr() { tesseract "$1" - 2>/dev/null | tr -s ' \n' ' '; }
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
echo "smoke: 5 passed, 0 failed"
