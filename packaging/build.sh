#!/usr/bin/env bash
# Builds Starling's release artifacts into dist/: the fyne tool's Linux bundle
# (a .tar.xz) and a .deb. The version comes from FyneApp.toml only.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
id=org.starling_broker.starling
version=$(sed -n 's/^Version *= *"\(.*\)"/\1/p' FyneApp.toml)
arch=$(dpkg --print-architecture)
fyne=bin/tools/fyne
fyne_version=v1.7.4
[ -x "$fyne" ] || GOBIN="$PWD/bin/tools" go install "fyne.io/tools/cmd/fyne@$fyne_version"
rm -rf dist && mkdir -p dist
start=$(date +%s)
stage=$(mktemp -d)
stage_toml=$(mktemp)
trap 'rm -rf "$stage" "$stage_toml"' EXIT

# 1. The bundle made by the fyne packaging tool (binary, .desktop entry, icon).
# The tool bumps Build in FyneApp.toml; keep the file as it is in the repo.
cp FyneApp.toml "$stage_toml"
"$fyne" package --os linux --release --app-id "$id" --icon assets/icon.png --name Starling >/dev/null
cp "$stage_toml" FyneApp.toml
mv Starling.tar.xz "dist/starling-$version-linux-$arch.tar.xz"

# 2. The .deb, from a staging tree.
go build -trimpath -ldflags "-s -w" -o "$stage/usr/bin/starling" .
ln -s starling "$stage/usr/bin/comet-sendvo"
install -Dm644 "packaging/$id.desktop" "$stage/usr/share/applications/$id.desktop"
for size in 16 32 48 64 128 256 512; do
  mkdir -p "$stage/usr/share/icons/hicolor/${size}x${size}/apps"
  rsvg-convert -w "$size" -h "$size" assets/icon.svg -o "$stage/usr/share/icons/hicolor/${size}x${size}/apps/$id.png"
done
install -Dm644 assets/icon.svg "$stage/usr/share/icons/hicolor/scalable/apps/$id.svg"
mkdir -p "$stage/usr/share/metainfo"
sed -e "s/@VERSION@/$version/" -e "s/@DATE@/$(date -u +%Y-%m-%d)/" "packaging/$id.metainfo.xml" > "$stage/usr/share/metainfo/$id.metainfo.xml"
install -Dm644 LICENSE "$stage/usr/share/doc/starling/copyright"

# Depends: the packages that hold the shared libraries the binary links.
depends=$(ldd "$stage/usr/bin/starling" | awk '/=>/ {print $3}' | while read -r lib; do
  dpkg -S "$(readlink -f "$lib")" 2>/dev/null || dpkg -S "$lib" 2>/dev/null || true
done | cut -d: -f1 | sort -u | sed '/^$/d' | paste -sd, | sed 's/,/, /g')
mkdir -p "$stage/DEBIAN"
cat > "$stage/DEBIAN/control" <<CONTROL
Package: starling
Version: $version
Architecture: $arch
Maintainer: The Starling developers <dev@starling.invalid>
Depends: $depends
Section: science
Priority: optional
Homepage: https://github.com/starling-broker/starling
Description: VOEvent broker and sender for astronomers
 Starling passes VOEvent alerts between authors, brokers and subscribers over
 the VOEvent Transport Protocol, byte-compatible with the Comet broker. It is a
 desktop app (local test broker, drop-to-send, offline outbox, dedup view) and
 a command line (starling broker, starling sendvo, comet-sendvo).
CONTROL
dpkg-deb --build --root-owner-group "$stage" "dist/starling_${version}_${arch}.deb" >/dev/null

echo "Built in $(( $(date +%s) - start )) s:"
ls -l dist | awk 'NR>1 {printf "  %-45s %6.1f MB\n", $9, $5/1048576}'
