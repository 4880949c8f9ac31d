#!/usr/bin/env bash
# Builds the release app and its Debian package (the app, the headless voucher-pos
# CLI beside it in /usr/bin, a desktop entry and icons in five sizes rendered from
# src-tauri/icons/source.svg), with the Tauri CLI from the UI's dev dependencies.
# Prints the .deb's path on its last line.
#
# AppImage is not built: its bundler downloads linuxdeploy from GitHub, which this
# build machine cannot reach; `bash scripts/package.sh appimage` tries it anyway.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ROOT"
bundles="${1:-deb}"
# A package ships without debug info: its own build directory, so this stripped
# release build does not evict the benches' (release with line tables).
export CARGO_TARGET_DIR="$CARGO_TARGET_DIR/package"
export CARGO_PROFILE_RELEASE_DEBUG=0 CARGO_PROFILE_RELEASE_STRIP=symbols
# The CLI goes in as a Tauri "external binary", which the bundler wants named with
# the target triple; it is copied there only for this build.
cargo build --locked --release -p voucher-pos --bin voucher-pos
triple="$(rustc -vV | sed -n 's/^host: //p')"
mkdir -p src-tauri/binaries
cp "$CARGO_TARGET_DIR/release/voucher-pos" "src-tauri/binaries/voucher-pos-$triple"
trap 'rm -rf "$ROOT/src-tauri/binaries"' EXIT
# Every icon size from the one source image (src-tauri/icons/icon.png, the dev
# build's window icon, is its 128 px rendering, made the same way).
icons="$CARGO_TARGET_DIR/icons"
rm -rf "$icons"
ui/node_modules/.bin/tauri icon src-tauri/icons/source.svg --output "$icons" -p 32 -p 64 -p 128 -p 256 -p 512 >&2
icon_list="$(printf '"%s",' "$icons"/32x32.png "$icons"/64x64.png "$icons"/128x128.png "$icons"/256x256.png "$icons"/512x512.png)"
ui/node_modules/.bin/tauri build --ci --bundles "$bundles" \
  --config "{\"bundle\":{\"active\":true,\"externalBin\":[\"binaries/voucher-pos\"],\"icon\":[${icon_list%,}]}}" >&2
deb="$(ls -t "$CARGO_TARGET_DIR"/release/bundle/deb/*.deb | head -n 1)"
echo "$deb"
