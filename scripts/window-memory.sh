#!/usr/bin/env bash
# Resident memory of the real window over an archive: start BIN under its own
# Xvfb (software GL, as scripts/smoke-gui.sh) on DATA_DIR, show the Events tab
# (Ctrl+5), wait SETTLE seconds, then print the time the window took to map,
# VmRSS, VmHWM and their split (anonymous / file / shared) in MB, and keep a
# screenshot to check the table.
#
#   scripts/window-memory.sh BIN DATA_DIR [RUNS=3] [SETTLE=15]
#
# Extra environment (GODEBUG, MALLOC_ARENA_MAX, …) passes through to BIN. BIN
# runs from a copy: the linker's own output maps ~4.5 MB more file pages (its
# page-cache layout), an installed or copied binary does not.
# Screenshots go to artifacts/window-memory-N.png.
set -euo pipefail
bin=${1:?usage: window-memory.sh BIN DATA_DIR [RUNS] [SETTLE]}
data=${2:?usage: window-memory.sh BIN DATA_DIR [RUNS] [SETTLE]}
runs=${3:-3}
settle=${4:-15}
out=artifacts
mkdir -p "$out"
app="" xvfb=""
tmp=$(mktemp -d)
trap '[ -n "$app" ] && kill "$app" 2>/dev/null; [ -n "$xvfb" ] && kill "$xvfb" 2>/dev/null; rm -rf "$tmp"; true' EXIT
cp "$bin" "$tmp/starling"
bin=$tmp/starling

fifo=$(mktemp -u); mkfifo "$fifo"
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$fifo" >/dev/null 2>&1 &
xvfb=$!
read -r -t 60 num <"$fifo" || { echo "window-memory: Xvfb did not start"; exit 1; }
rm -f "$fifo"
export DISPLAY=:$num
for _ in $(seq 300); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done

mb() { awk -v k="$1" '$1 == k":" {printf "%.1f", $2/1024}' "$2"; }
for run in $(seq "$runs"); do
  start=$(date +%s%N)
  LIBGL_ALWAYS_SOFTWARE=1 "$bin" --data-dir "$data" >"$out/window-memory.log" 2>&1 &
  app=$!
  win=""
  for _ in $(seq 300); do
    win=$(xwininfo -root -tree 2>/dev/null | awk '/"Starling/ {print $1; exit}')
    [ -n "$win" ] && break
    sleep 0.1
  done
  [ -n "$win" ] || { echo "window-memory: no window"; cat "$out/window-memory.log"; exit 1; }
  mapped=$(( ($(date +%s%N) - start) / 1000000 ))
  sleep 2
  xdotool key --window "$win" ctrl+5
  sleep "$settle"
  import -window root "$out/window-memory-$run.png"
  cp "/proc/$app/status" "$out/window-memory.status"
  printf 'run %d: mapped in %d ms; VmRSS %s MB, VmHWM %s MB (anon %s, file %s, shmem %s)\n' "$run" "$mapped" \
    "$(mb VmRSS "$out/window-memory.status")" "$(mb VmHWM "$out/window-memory.status")" \
    "$(mb RssAnon "$out/window-memory.status")" "$(mb RssFile "$out/window-memory.status")" \
    "$(mb RssShmem "$out/window-memory.status")"
  kill "$app"; wait "$app" 2>/dev/null || true; app=""
done
