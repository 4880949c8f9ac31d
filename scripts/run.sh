#!/usr/bin/env bash
# Runs the terminal. With nothing configured it starts the embedded sandbox voucher
# service with demo vouchers. Extra arguments go to the app (see README).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ROOT"
build_ui
cargo build --locked --workspace
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "run: no display found; starting a virtual one (Xvfb :77) so the window can open" >&2
  Xvfb :77 -screen 0 1366x900x24 >/dev/null 2>&1 &
  export DISPLAY=:77
fi
exec "$CARGO_TARGET_DIR/debug/voucher-pos-app" "$@"
