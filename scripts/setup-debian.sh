#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages that building and testing Starling need.
# Safe to run again: apt-get skips what is already installed.
set -euo pipefail
pkgs=(
  gcc pkg-config make git ca-certificates python3
  libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev libxinerama-dev libxi-dev
  libxxf86vm-dev libxml2-dev
  xvfb x11-utils imagemagick xdotool tesseract-ocr libx11-dev libxml2-utils
  dbus dunst fonts-dejavu-core
  dpkg-dev desktop-file-utils appstream librsvg2-bin xz-utils
  stilts
)
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
if ! command -v go >/dev/null 2>&1 && [ ! -x /usr/local/go/bin/go ]; then
  echo "setup: Go is missing; install Go 1.26 or newer (https://go.dev/dl) and run again" >&2
  exit 1
fi
echo "setup: system packages ready"
