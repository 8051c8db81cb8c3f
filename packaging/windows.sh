#!/usr/bin/env bash
# Builds dist/starling-VERSION-windows-amd64.zip on Debian, with no download
# other than apt packages and Go modules:
#   1. installs mingw-w64, wine64 (for packaging/wine-check.sh), dpkg-dev, zip;
#   2. cross-builds Debian's own libxml2 source package as a static library
#      (no Python, no HTTP/FTP, no iconv, no zlib/lzma) into build/windows/,
#      once: a second run reuses it;
#   3. cross-builds starling.exe with cgo against it, with the icon and a
#      version resource (a .syso made by windres, removed afterwards);
#   4. zips starling.exe, comet-sendvo.cmd and README.txt.
# Safe to run again. The version comes from FyneApp.toml only.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
root=$PWD
version=$(sed -n 's/^Version *= *"\(.*\)"/\1/p' FyneApp.toml)
out=build/windows
prefix=$root/$out/libxml2
host=x86_64-w64-mingw32
start=$(date +%s)

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
apt_get() { DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=600 "$@"; }

# 1. Packages.
pkgs=(gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64 wine64 dpkg-dev make pkg-config
      autoconf automake libtool
      imagemagick xvfb xauth zip unzip)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "windows: installing ${missing[*]}"
  apt_get update -q
  apt_get install -y -q --no-install-recommends "${missing[@]}"
fi

# deb-src entries for the Debian mirror this machine already uses: every "deb"
# entry whose suite belongs to this release (bookworm, bookworm-updates,
# bookworm-security), copied as "deb-src". Third-party repositories are left out.
add_deb_src() {
  local codename list=/etc/apt/sources.list.d/starling-deb-src.sources
  codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
  [ -n "$codename" ] || { echo "windows: no VERSION_CODENAME in /etc/os-release" >&2; return 1; }
  local stanzas
  stanzas=$(
    {
      # deb822 files: one stanza per blank-line-separated block.
      for f in /etc/apt/sources.list.d/*.sources; do
        [ -e "$f" ] && [ "$f" != "$list" ] || continue
        awk -v code="$codename" '
          function flush() {
            if (types ~ /(^| )deb( |$)/ && suites ~ ("^" code) && uris != "" && enabled != "no") {
              printf "Types: deb-src\nURIs: %s\nSuites: %s\nComponents: %s\n", uris, suites, comps
              if (signed != "") printf "Signed-By: %s\n", signed
              printf "\n"
            }
            types = uris = suites = comps = signed = enabled = ""
          }
          /^[ \t]*#/ { next }
          /^[ \t]*$/ { flush(); next }
          { key = $1; sub(/:$/, "", key); val = $0; sub(/^[^:]*:[ \t]*/, "", val) }
          key == "Types" { types = val } key == "URIs" { uris = val } key == "Suites" { suites = val }
          key == "Components" { comps = val } key == "Signed-By" { signed = val } key == "Enabled" { enabled = val }
          END { flush() }' "$f"
      done
      # One-line lists.
      for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -e "$f" ] || continue
        awk -v code="$codename" '
          $1 == "deb" {
            i = 2; opts = ""
            if ($2 ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
            uri = $i; suite = $(i+1); comps = ""
            for (j = i + 2; j <= NF; j++) comps = comps (comps == "" ? "" : " ") $j
            if (suite ~ ("^" code))
              printf "Types: deb-src\nURIs: %s\nSuites: %s\nComponents: %s\n\n", uri, suite, comps
          }' "$f"
      done
    }
  )
  [ -n "$stanzas" ] || { echo "windows: found no Debian $codename entry in /etc/apt/sources.list*" >&2; return 1; }
  echo "windows: adding deb-src entries in $list:"
  echo "$stanzas" | sed 's/^/  /'
  echo "$stanzas" | $sudo tee "$list" >/dev/null
  apt_get update -q
}

# 2. libxml2, static, for Windows: built again only when Debian's source
# package changes (a security update), as apt's local lists tell without the
# network.
# Prints the .dsc name apt would fetch, or nothing: without deb-src entries
# apt-get source fails, and under "set -euo pipefail" a failing substitution
# would end the script before add_deb_src could run (the first run on a fresh
# machine), so this function never fails.
dsc() {
  local uris
  uris=$(apt-get source --print-uris libxml2 2>/dev/null) || return 0
  grep -o "libxml2_[^' ]*\.dsc" <<<"$uris" | head -1 || true
}
want=$(dsc)
have=$(cat "$prefix/.built" 2>/dev/null || true)
if [ -z "$have" ] || { [ -n "$want" ] && [ "$want" != "$have" ]; }; then
  if [ -z "$want" ]; then
    add_deb_src
    want=$(dsc)
    [ -n "$want" ] || { echo "windows: apt-get source knows no libxml2 even with deb-src entries" >&2; exit 1; }
  fi
  src=$out/src
  rm -rf "$src" "$prefix" && mkdir -p "$src"
  (cd "$src" && apt-get source -q libxml2 >apt-source.log 2>&1) || { cat "$src/apt-source.log"; exit 1; }
  dir=$(find "$src" -mindepth 1 -maxdepth 1 -type d -name 'libxml2-*' | head -1)
  [ -n "$dir" ] || { echo "windows: apt-get source gave no libxml2-* directory" >&2; exit 1; }
  echo "windows: building $(basename "$dir") for $host (static)"
  (
    cd "$dir"
    # Debian's patches touch Makefile.am and configure.ac: regenerate, as
    # Debian's own build does (dh_autoreconf).
    autoreconf -fi >autoreconf.log 2>&1 || { tail -40 autoreconf.log; exit 1; }
    ./configure --host=$host --prefix="$prefix" --enable-static --disable-shared \
      --without-python --without-http --without-ftp --without-iconv --without-icu \
      --without-zlib --without-lzma --without-modules --without-debug \
      >configure.log 2>&1 || { tail -40 configure.log; exit 1; }
    make -j"$(nproc)" libxml2.la >make.log 2>&1 || { tail -40 make.log; exit 1; }
    make install-libLTLIBRARIES install-pkgconfigDATA >>make.log 2>&1
    make -C include install >>make.log 2>&1
  )
  echo "$want" >"$prefix/.built"
  echo "windows: libxml2 built in $(( $(date +%s) - start )) s"
else
  echo "windows: reusing $have from $prefix"
fi

# The pkg-config file that cgo reads (netcore/voevent has
# "#cgo pkg-config: libxml-2.0"): static, so LIBXML_STATIC (defined empty,
# before any libxml2 header is included) and the Windows
# libraries libxml2 itself calls. Written on every run; PKG_CONFIG_LIBDIR
# below keeps the host's libxml-2.0.pc out of sight.
mkdir -p "$prefix/lib/pkgconfig"
cat >"$prefix/lib/pkgconfig/libxml-2.0.pc" <<PC
prefix=$prefix
libdir=\${prefix}/lib
includedir=\${prefix}/include

Name: libXML
Version: $(sed -n 's/^#define LIBXML_DOTTED_VERSION "\(.*\)"/\1/p' "$prefix/include/libxml2/libxml/xmlversion.h")
Description: libXML library version2 (static, for $host)
Libs: -L\${libdir} -lxml2 -lws2_32
Cflags: -I\${includedir}/libxml2 -DLIBXML_STATIC=
PC

# 3. starling.exe with its icon and version resource.
stage=$(mktemp -d)
syso=$root/rsrc_windows_amd64.syso
trap 'rm -rf "$stage"; rm -f "$syso"' EXIT
convert assets/icon.png -define icon:auto-resize=256,128,64,48,32,16 "$stage/starling.ico"
IFS=. read -r v1 v2 v3 _ <<<"$version.0.0.0"
cat >"$stage/starling.rc" <<RC
#include <winver.h>
1 ICON "starling.ico"
1 VERSIONINFO
FILEVERSION ${v1:-0},${v2:-0},${v3:-0},0
PRODUCTVERSION ${v1:-0},${v2:-0},${v3:-0},0
FILEOS VOS_NT_WINDOWS32
FILETYPE VFT_APP
BEGIN
  BLOCK "StringFileInfo"
  BEGIN
    BLOCK "040904B0"
    BEGIN
      VALUE "CompanyName", "The Starling developers"
      VALUE "FileDescription", "Starling VOEvent broker and sender"
      VALUE "FileVersion", "$version"
      VALUE "InternalName", "starling"
      VALUE "LegalCopyright", "See LICENSE"
      VALUE "OriginalFilename", "starling.exe"
      VALUE "ProductName", "Starling"
      VALUE "ProductVersion", "$version"
    END
  END
  BLOCK "VarFileInfo"
  BEGIN
    VALUE "Translation", 0x409, 1200
  END
END
RC
$host-windres -O coff -I "$stage" -i "$stage/starling.rc" -o "$syso"
gostart=$(date +%s)
CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=$host-gcc CXX=$host-g++ \
  PKG_CONFIG_LIBDIR="$prefix/lib/pkgconfig" PKG_CONFIG_PATH="" \
  go build -trimpath -ldflags "-s -w" -o "$out/starling.exe" .
rm -f "$syso"
echo "windows: starling.exe built in $(( $(date +%s) - gostart )) s"

# 4. The zip.
pkg=$stage/starling-$version-windows-amd64
mkdir -p "$pkg"
cp "$out/starling.exe" "$pkg/"
printf '@echo off\r\nrem comet-sendvo, as Comet names it: starling.exe sendvo with the same options.\r\n"%%~dp0starling.exe" sendvo %%*\r\nexit /b %%ERRORLEVEL%%\r\n' >"$pkg/comet-sendvo.cmd"
sed "s/@VERSION@/$version/g" packaging/README-windows.txt | sed 's/$/\r/' >"$pkg/README.txt"
cp LICENSE "$pkg/LICENSE.txt"
mkdir -p dist
zip=dist/starling-$version-windows-amd64.zip
rm -f "$zip"
(cd "$stage" && zip -q -r -9 "$root/$zip" "$(basename "$pkg")")
echo "windows: $zip ($(du -h "$zip" | cut -f1)) in $(( $(date +%s) - start )) s"
