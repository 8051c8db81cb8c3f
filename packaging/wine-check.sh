#!/usr/bin/env bash
# Checks the Windows build under Wine (Debian's wine64), in a throw-away
# WINEPREFIX, against the Linux build (bin/starling, run as comet-sendvo):
#   1. starling.exe --version; the default data directory (%APPDATA%\Starling)
#      and the refusal of unix: endpoints;
#   2. the Comet tutorial with starling.exe as the broker: ack, then nak
#      "Previously seen by this broker", and again after a restart; the data
#      directory is locked while the broker runs; Ctrl-C stops it cleanly;
#   3. a schema-invalid event is refused with libxml2's reason;
#   4. starling.exe sendvo (and comet-sendvo.cmd) to the Linux broker;
#   5. the desktop window under Xvfb, screenshot in artifacts/wine-window.png;
#   6. started as a double-click starts it (a console of its own), the app
#      closes that console window;
#   7. netcore/voevent's own tests, cross-built, under Wine: libxml2's schema
#      messages as lxml gives them, and validation from many threads at once.
# The starling.exe checked is the one in dist/'s zip (packaging/windows.sh).
# Every wait is bounded; every process started here is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
version=$(sed -n 's/^Version *= *"\(.*\)"/\1/p' FyneApp.toml)
zip=dist/starling-$version-windows-amd64.zip
linux=$root/bin/starling
[ -f "$zip" ] || { echo "wine-check: no $zip: run packaging/windows.sh"; exit 1; }
[ -x "$linux" ] || { echo "wine-check: no $linux: run make build"; exit 1; }
wine=$(command -v wine64 || true)
[ -n "$wine" ] || wine=/usr/lib/wine/wine64
wineserver=$(command -v wineserver || true)
[ -n "$wineserver" ] || wineserver=/usr/lib/wine/wineserver
[ -x "$wine" ] || { echo "wine-check: no wine64: run packaging/windows.sh (it installs it)"; exit 1; }

tmp=$(mktemp -d)
export WINEPREFIX=$tmp/prefix WINEARCH=win64 WINEDEBUG=-all
# No Mono or Gecko installer prompts: Starling needs neither.
export WINEDLLOVERRIDES="mscoree,mshtml="
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  "$wineserver" -k 2>/dev/null || true
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
pass=0 fail=0
ok() { pass=$((pass+1)); echo "ok   $*"; }
bad() { fail=$((fail+1)); echo "FAIL $*"; }
# wait_for SECONDS FILE TEXT: until FILE holds TEXT.
wait_for() {
  local end=$((SECONDS + $1))
  while [ $SECONDS -lt $end ]; do grep -qF -- "$3" "$2" 2>/dev/null && return 0; sleep 0.2; done
  return 1
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# The zip, unpacked into C:\Starling of the prefix.
mkdir -p "$tmp/unzip"
unzip -q "$zip" -d "$tmp/unzip"
pkgdir=$(find "$tmp/unzip" -mindepth 1 -maxdepth 1 -type d | head -1)

# A display for Wine (and the window of check 5): Xvfb picks a free one.
fifo=$tmp/displayfd; mkfifo "$fifo"
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$fifo" >/dev/null 2>&1 &
pids+=($!)
read -r -t 60 num <"$fifo" || { echo "wine-check: Xvfb did not start"; exit 1; }
export DISPLAY=:$num

start=$(date +%s)
timeout 300 "$wine" wineboot -i >"$tmp/wineboot.log" 2>&1 || { echo "wine-check: wineboot failed"; cat "$tmp/wineboot.log"; exit 1; }
timeout 120 "$wineserver" -w || true
echo "wine-check: prefix ready in $(( $(date +%s) - start )) s"
c=$WINEPREFIX/drive_c
# Go programs need bcryptprimitives.dll (ProcessPrng); Wine 8.0 has none:
# give the prefix a stand-in (packaging/wine/bcryptprimitives.c, never shipped).
if [ ! -e "$c/windows/system32/bcryptprimitives.dll" ]; then
  x86_64-w64-mingw32-gcc -shared -O2 -o "$c/windows/system32/bcryptprimitives.dll" \
    packaging/wine/bcryptprimitives.c -ladvapi32
  export WINEDLLOVERRIDES="$WINEDLLOVERRIDES;bcryptprimitives=n"
  echo "wine-check: this Wine has no bcryptprimitives.dll; using packaging/wine/bcryptprimitives.c's"
fi
mkdir -p "$c/Starling"
cp "$pkgdir"/* "$c/Starling/"
cp e2e/testdata/voevent.xml "$c/voevent.xml"
exe='C:\Starling\starling.exe'
# run_exe LOG ARGS...: starling.exe in the foreground, at most 120 s, output in LOG (CRs dropped).
run_exe() {
  local log=$1; shift
  local rc=0
  timeout 120 "$wine" "$exe" "$@" >"$log.raw" 2>&1 </dev/null || rc=$?
  tr -d '\r' <"$log.raw" >"$log"
  return $rc
}
# comet-sendvo is bin/starling called by that name (argv[0]).
ln -s "$linux" "$tmp/comet-sendvo"

# 1. --version.
if run_exe "$tmp/version.log" --version && grep -qx "starling $version" "$tmp/version.log"; then
  ok "starling.exe --version prints 'starling $version'"
else
  bad "starling.exe --version"; sed 's/^/     /' "$tmp/version.log"
fi

# Windows' own rules: the data directory defaults to %APPDATA%\Starling, and
# unix: endpoints are refused in words.
rc=0; run_exe "$tmp/events.log" settings set broker.test_interval 0 || rc=$?
appdata=$(find "$c/users" -mindepth 4 -maxdepth 4 -path '*/AppData/Roaming/Starling' -type d | head -1)
if [ $rc -eq 0 ] && [ -n "$appdata" ] && [ -f "$appdata/starling.db" ]; then ok "the default data directory is %APPDATA%\\Starling (${appdata#"$c"/})"
else bad "default data directory: exit $rc, found '${appdata:-nothing}'"; sed 's/^/     /' "$tmp/events.log"; fi
rc=0; run_exe "$tmp/unix.log" broker -r unix:/tmp/starling.sock --local-ivo=ivo://hotwired.org/test || rc=$?
if [ $rc -ne 0 ] && grep -q "Unix-socket endpoints are not available on Windows" "$tmp/unix.log"; then ok "a unix: endpoint is refused on Windows (exit $rc)"
else bad "unix: endpoint on Windows: exit $rc"; sed 's/^/     /' "$tmp/unix.log"; fi

# 2. The Comet tutorial, with starling.exe as the broker.
port=$(free_port)
broker() { # broker LOG: start starling.exe broker under Wine; its pid in $bpid
  "$wine" "$exe" broker -r "tcp:$port:interface=127.0.0.1" --local-ivo=ivo://hotwired.org/test \
    --data-dir 'C:\starling-data' >"$1" 2>&1 </dev/null &
  bpid=$!; pids+=("$bpid")
  wait_for 90 "$1" "Receiving events on 127.0.0.1:$port"
}
stop_broker() { # Ctrl-C (Wine turns SIGINT into CTRL_C_EVENT); fails if it is not gone in 20 s
  local gone=1
  kill -INT "$bpid" 2>/dev/null || true
  for _ in $(seq 200); do kill -0 "$bpid" 2>/dev/null || { gone=0; break; }; sleep 0.1; done
  kill -9 "$bpid" 2>/dev/null || true
  wait "$bpid" 2>/dev/null || true
  return $gone
}
sendvo() { # sendvo LOG FILE: the Linux comet-sendvo to the Wine broker; its exit status in $rc
  rc=0
  timeout 60 "$tmp/comet-sendvo" -h 127.0.0.1 -p "$port" -f "$2" >"$1" 2>&1 || rc=$?
}
if broker "$tmp/broker1.log"; then
  ok "starling.exe broker listens on 127.0.0.1:$port under Wine"
  sendvo "$tmp/send1.log" e2e/testdata/voevent.xml
  if [ $rc -eq 0 ] && grep -q "^ACK received" "$tmp/send1.log"; then ok "comet-sendvo (Linux) gets an ack from the Wine broker"
  else bad "first send: exit $rc"; sed 's/^/     /' "$tmp/send1.log"; fi
  sendvo "$tmp/send2.log" e2e/testdata/voevent.xml
  if [ $rc -eq 1 ] && grep -q "Previously seen by this broker" "$tmp/send2.log"; then ok "the same event again: nak 'Previously seen by this broker'"
  else bad "second send: exit $rc"; sed 's/^/     /' "$tmp/send2.log"; fi

  # The data directory is locked (LockFileEx) while the broker runs, and the
  # refusal names the holder's pid, read past the locked byte.
  rc=0; run_exe "$tmp/locked.log" settings set --data-dir 'C:\starling-data' broker.test_interval 0 || rc=$?
  if [ $rc -ne 0 ] && grep -q "in use by another Starling process.*(pid [0-9]*)" "$tmp/locked.log"; then ok "a second process is refused the broker's data directory: $(grep -o '(pid [0-9]*)' "$tmp/locked.log" | head -1)"
  else bad "a second process on the broker's data directory: exit $rc"; sed 's/^/     /' "$tmp/locked.log"; fi

  # 3. A schema-invalid event (an unknown element before Who), new IVORN.
  sed -e 's/#1"/#invalid-1"/' -e 's/<Who>/<Bogus\/><Who>/' e2e/testdata/voevent.xml >"$tmp/invalid.xml"
  sendvo "$tmp/send-invalid.log" "$tmp/invalid.xml"
  if [ $rc -eq 1 ] && grep -qF "(Event rejected: Element 'Bogus': This element is not expected., line 3)" "$tmp/send-invalid.log"; then
    ok "a schema-invalid event is refused with libxml2's reason: $(grep -o "Element 'Bogus'[^.]*" "$tmp/send-invalid.log" | head -1)"
  else bad "schema-invalid event: exit $rc"; sed 's/^/     /' "$tmp/send-invalid.log"; fi

  if stop_broker && grep -q "Received interrupt; shutting down" "$tmp/broker1.log"; then ok "Ctrl-C stops the Wine broker cleanly"
  else bad "Ctrl-C did not stop the Wine broker cleanly"; tr -d '\r' <"$tmp/broker1.log" | tail -5 | sed 's/^/     /'; fi
  if broker "$tmp/broker2.log"; then
    sendvo "$tmp/send3.log" e2e/testdata/voevent.xml
    if [ $rc -eq 1 ] && grep -q "Previously seen by this broker" "$tmp/send3.log"; then ok "after a restart the seen-list still refuses the event"
    else bad "send after restart: exit $rc"; sed 's/^/     /' "$tmp/send3.log"; fi
    stop_broker || true
  else
    bad "the Wine broker did not come back after a restart"; tr -d '\r' <"$tmp/broker2.log" | tail -20 | sed 's/^/     /'
  fi
else
  bad "starling.exe broker did not start under Wine"; tr -d '\r' <"$tmp/broker1.log" | tail -20 | sed 's/^/     /'
fi

# 4. starling.exe sendvo to a Linux broker.
port=$(free_port)
"$linux" broker -r "tcp:$port:interface=127.0.0.1" --local-ivo=ivo://hotwired.org/linux \
  --data-dir "$tmp/linux-data" >"$tmp/linux-broker.log" 2>&1 </dev/null &
lpid=$!; pids+=("$lpid")
if wait_for 30 "$tmp/linux-broker.log" "Receiving events on 127.0.0.1:$port"; then
  rc=0; run_exe "$tmp/wsend1.log" sendvo -h 127.0.0.1 -p "$port" -f 'C:\voevent.xml' || rc=$?
  if [ $rc -eq 0 ] && grep -q "^ACK received" "$tmp/wsend1.log"; then ok "starling.exe sendvo under Wine gets an ack from the Linux broker"
  else bad "starling.exe sendvo: exit $rc"; sed 's/^/     /' "$tmp/wsend1.log"; fi
  rc=0
  timeout 120 "$wine" cmd /c 'C:\Starling\comet-sendvo.cmd' -h 127.0.0.1 -p "$port" -f 'C:\voevent.xml' \
    </dev/null >"$tmp/wsend2.raw" 2>&1 || rc=$?
  tr -d '\r' <"$tmp/wsend2.raw" >"$tmp/wsend2.log"
  if [ "$rc" -eq 1 ] && grep -q "Previously seen by this broker" "$tmp/wsend2.log"; then ok "comet-sendvo.cmd under Wine: the nak's reason and exit status 1"
  else bad "comet-sendvo.cmd: exit $rc"; sed 's/^/     /' "$tmp/wsend2.log"; fi
else
  bad "the Linux broker did not start"; tail -20 "$tmp/linux-broker.log" | sed 's/^/     /'
fi
kill "$lpid" 2>/dev/null || true

# 5. The desktop window under Xvfb, with its local broker on (on a free
# port, seeded into its settings) and one event sent to it from Linux.
mkdir -p artifacts
port=$(free_port); bport=$(free_port)
while [ "$bport" = "$port" ]; do bport=$(free_port); done
run_exe "$tmp/gui-settings.log" settings set --data-dir 'C:\gui-data' broker.receive_port "$port" \
  broker.broadcast_port "$bport" broker.test_interval 0 || { bad "starling.exe settings set"; sed 's/^/     /' "$tmp/gui-settings.log"; }
"$wine" "$exe" --data-dir 'C:\gui-data' --start-broker >"$tmp/gui.log" 2>&1 </dev/null &
gpid=$!; pids+=("$gpid")
mapped=""
end=$((SECONDS + 90))
while [ $SECONDS -lt $end ] && kill -0 "$gpid" 2>/dev/null; do
  if xwininfo -root -tree 2>/dev/null | grep -q '"Starling'; then mapped=1; break; fi
  sleep 0.5
done
if [ -n "$mapped" ]; then
  ok "the window opens under Wine"
  if wait_for 60 "$tmp/gui.log" "Receiving events on 127.0.0.1:$port"; then
    sendvo "$tmp/send-gui.log" e2e/testdata/voevent.xml
    if [ $rc -eq 0 ]; then ok "the window's local broker under Wine acks an event from Linux"
    else bad "sending to the window's broker: exit $rc"; sed 's/^/     /' "$tmp/send-gui.log"; fi
  else
    bad "the window's local broker did not start"; tr -d '\r' <"$tmp/gui.log" | tail -20 | sed 's/^/     /'
  fi
  sleep 3 # let the window draw its counters
  import -window root artifacts/wine-window.png
  colours=$(identify -format '%k' artifacts/wine-window.png)
  if [ "$colours" -gt 20 ]; then ok "the window draws ($colours colours): artifacts/wine-window.png"
  else bad "the window under Wine looks blank ($colours colours): artifacts/wine-window.png"; fi
else
  bad "the window did not appear under Wine within 90 s"; tr -d '\r' <"$tmp/gui.log" | tail -20 | sed 's/^/     /'
fi
kill "$gpid" 2>/dev/null || true
wait "$gpid" 2>/dev/null || true

# 6. Like a double-click: "start" gives a console program a console (a
# conhost window) of its own; the desktop app closes it (main's leaveOwnConsole).
"$wine" start 'C:\Starling\starling.exe' --data-dir 'C:\gui-data2' >/dev/null 2>&1 </dev/null &
spid=$!; pids+=("$spid")
mapped=""
end=$((SECONDS + 90))
while [ $SECONDS -lt $end ]; do
  if xwininfo -root -tree 2>/dev/null | grep -q '"Starling.*"starling.exe"'; then mapped=1; break; fi
  sleep 0.5
done
sleep 3 # time for a console window to show, were there one
if [ -n "$mapped" ] && ! xwininfo -root -tree 2>/dev/null | grep -q '"conhost.exe"'; then
  ok "started like a double-click, the window opens and its console window closes"
else
  bad "started like a double-click (window mapped: ${mapped:-no})"; xwininfo -root -tree 2>/dev/null | grep -E '^ +0x[0-9a-f]+ "' | sed 's/^/     /'
fi
"$wineserver" -k 2>/dev/null || true # ends the app: it has no Unix process of ours to kill
timeout 60 "$wineserver" -w 2>/dev/null || true

# 7. netcore/voevent's tests under Wine, against the static libxml2 of
# build/windows/ (run from the package folder: they read testdata/).
libxml2=$root/build/windows/libxml2
if [ -f "$libxml2/lib/libxml2.a" ]; then
  rc=0
  CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc \
    PKG_CONFIG_LIBDIR="$libxml2/lib/pkgconfig" PKG_CONFIG_PATH="" \
    go test -c -o "$tmp/voevent.test.exe" ./netcore/voevent >"$tmp/voevent-build.log" 2>&1 || rc=$?
  if [ $rc -eq 0 ]; then
    (cd netcore/voevent && timeout 300 "$wine" "$tmp/voevent.test.exe" -test.count=1 </dev/null >"$tmp/voevent.raw" 2>&1) || rc=$?
    tr -d '\r' <"$tmp/voevent.raw" >"$tmp/voevent.log"
    if [ $rc -eq 0 ] && grep -qx PASS "$tmp/voevent.log"; then ok "netcore/voevent's tests pass under Wine (libxml2 messages, concurrent validation)"
    else bad "netcore/voevent's tests under Wine: exit $rc"; grep -E -- '^(--- FAIL|FAIL|panic)|_test.go' "$tmp/voevent.log" | head -20 | sed 's/^/     /'; fi
  else
    bad "cross-building netcore/voevent's tests"; tail -20 "$tmp/voevent-build.log" | sed 's/^/     /'
  fi
else
  bad "no $libxml2/lib/libxml2.a: run packaging/windows.sh"
fi

echo "wine-check: $pass passed, $fail failed ($(( $(date +%s) - start )) s)"
[ "$fail" -eq 0 ]
