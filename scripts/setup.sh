#!/usr/bin/env bash
# Installs what building and testing the terminal needs on a fresh Debian machine,
# and nothing twice: Debian packages (only those missing), the UI's npm packages.
# Sourced by run.sh and test.sh.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/voucher-pos-target}"

APT_PACKAGES=(
  pkg-config libssl-dev
  libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev libayatana-appindicator3-dev libxdo-dev
  libclang-dev
  xvfb xauth webkit2gtk-driver xdotool x11-utils tzdata
  # The window's languages need their scripts: Simplified Chinese and Tamil.
  fonts-wqy-microhei fonts-noto-core
)

install_debian_packages() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing Debian packages: ${missing[*]}"
    local SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

install_ui_packages() {
  (cd "$ROOT/ui" && if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
     npm ci --no-audit --no-fund --loglevel=error
   fi)
}

# tauri-driver (WebDriver for the real window) from crates.io, into a cache folder.
TOOLS="${XDG_CACHE_HOME:-$HOME/.cache}/voucher-pos-tools"
install_tauri_driver() {
  if [ ! -x "$TOOLS/bin/tauri-driver" ]; then
    echo "setup: installing tauri-driver into $TOOLS"
    cargo install tauri-driver --locked --quiet --root "$TOOLS"
  fi
  export TAURI_DRIVER="$TOOLS/bin/tauri-driver"
}

build_ui() {
  (cd "$ROOT/ui" && npm run --silent build >/dev/null)
}

command -v cargo >/dev/null || { echo "setup: cargo (Rust) is required: https://rustup.rs" >&2; exit 1; }
command -v npm >/dev/null || { echo "setup: npm (Node.js) is required" >&2; exit 1; }
command -v python3 >/dev/null || { echo "setup: python3 is required (the test command counts test binaries with it)" >&2; exit 1; }
install_debian_packages
install_ui_packages
