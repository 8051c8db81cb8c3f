#!/usr/bin/env bash
# Checks the release artifacts in dist/: the .deb's contents, the desktop entry,
# the AppStream metainfo, the installed binaries, and the fyne bundle.
set -uo pipefail
cd "$(dirname "$0")/.."
id=org.starling_broker.starling
version=$(sed -n 's/^Version *= *"\(.*\)"/\1/p' FyneApp.toml)
deb=$(ls dist/starling_*.deb 2>/dev/null | head -1)
bundle=$(ls dist/starling-*.tar.xz 2>/dev/null | head -1)
pass=0 fail=0
check() { # check DESCRIPTION COMMAND...
  local what=$1; shift
  if out=$("$@" 2>&1); then pass=$((pass+1)); echo "ok   $what"
  else fail=$((fail+1)); echo "FAIL $what"; echo "$out" | sed 's/^/     /' | head -20; fi
}
[ -n "$deb" ] || { echo "no .deb in dist/: run packaging/build.sh"; exit 1; }
[ -n "$bundle" ] || { echo "no bundle in dist/: run packaging/build.sh"; exit 1; }

contents=$(dpkg-deb -c "$deb")
for f in ./usr/bin/starling "./usr/bin/comet-sendvo -> starling" ./usr/share/applications/$id.desktop \
         ./usr/share/icons/hicolor/48x48/apps/$id.png ./usr/share/icons/hicolor/scalable/apps/$id.svg \
         ./usr/share/metainfo/$id.metainfo.xml; do
  check "the .deb holds $f" grep -qF -- "$f" <<<"$contents"
done
root=$(mktemp -d); trap 'rm -rf "$root"' EXIT
dpkg-deb -x "$deb" "$root"
check "desktop-file-validate passes on the entry" desktop-file-validate "$root/usr/share/applications/$id.desktop"
check "appstreamcli validate passes on the metainfo" appstreamcli validate --no-net --pedantic "$root/usr/share/metainfo/$id.metainfo.xml"
check "the installed comet-sendvo --help works" bash -c "'$root/usr/bin/comet-sendvo' --help 2>/dev/null | grep -q -- '--host'"
check "the installed starling --version prints $version" bash -c "'$root/usr/bin/starling' --version 2>/dev/null | grep -qx 'starling $version'"
check "the .deb's control names the version $version" bash -c "dpkg-deb -f '$deb' Version | grep -qx '$version'"
listing=$(tar -tJf "$bundle")
check "the bundle holds the binary" grep -q 'bin/starling$' <<<"$listing"
check "the bundle holds a .desktop entry" grep -q '\.desktop$' <<<"$listing"
check "the bundle holds the icon" grep -qE '(pixmaps|icons).*\.png$' <<<"$listing"
zip=dist/starling-$version-windows-amd64.zip
if [ -f "$zip" ]; then
  zlisting=$(unzip -Z1 "$zip")
  for f in starling.exe comet-sendvo.cmd README.txt; do
    check "the Windows zip holds $f" grep -q "^starling-$version-windows-amd64/$f\$" <<<"$zlisting"
  done
  unzip -q -o "$zip" "*/starling.exe" -d "$root/zip"
  exe=$(find "$root/zip" -name starling.exe | head -1)
  check "starling.exe is a 64-bit Windows program" bash -c "x86_64-w64-mingw32-objdump -f '$exe' | grep -q pei-x86-64"
  # The resource types at the top of .rsrc: 3 ICON, 14 GROUP_ICON, 16 VERSION.
  rtypes=$(x86_64-w64-mingw32-objdump -p "$exe" | sed -n '/The .rsrc Resource Directory/,$p' | grep -E '^[0-9a-f]+   Entry: ID:')
  check "starling.exe has the icon resource" grep -q "ID: 0x00000e," <<<"$rtypes"
  check "starling.exe has a version resource naming $version" bash -c "grep -q 'ID: 0x000010,' <<<\"\$1\" && strings -el '$exe' | grep -qx '$version'" _ "$rtypes"
else
  fail=$((fail+1)); echo "FAIL no $zip: run packaging/windows.sh"
fi
echo "packaging: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
