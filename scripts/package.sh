#!/usr/bin/env bash
# Builds the release app and its Debian package (the app, the headless voucher-pos
# CLI beside it in /usr/bin, a desktop entry and icons), with the Tauri CLI from the
# UI's dev dependencies. Prints the .deb's path on its last line.
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
ui/node_modules/.bin/tauri build --ci --bundles "$bundles" --config '{"bundle":{"active":true,"externalBin":["binaries/voucher-pos"]}}' >&2
deb="$(ls -t "$CARGO_TARGET_DIR"/release/bundle/deb/*.deb | head -n 1)"
echo "$deb"
