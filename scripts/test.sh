#!/usr/bin/env bash
# The one command that runs every test. Idempotent; installs what it needs first.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ROOT"

install_tauri_driver

echo "== UI: type check, unit tests and build"
ui_log="$(mktemp)"
(cd ui && npx vitest run 2>&1) | tee "$ui_log"
build_ui

echo "== Rust: build the workspace once (one package selection for everything below)"
cargo build --workspace --all-targets --locked

echo "== Rust: tests"
log="$(mktemp)"
trap 'rm -f "$log" "$ui_log"' EXIT
set +e
# --no-fail-fast: one failing test binary must not hide the others' results.
cargo test --workspace --locked --no-fail-fast 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# How many test binaries ran (unit, integration, end-to-end, doc-tests), so that a
# binary that silently stopped running shows here.
binaries=$(grep -cE '^\s+(Running|Doc-tests) ' "$log" || true)
echo "test binaries run: ${binaries}"

# One closing line over every Rust test binary and the UI's tests (cargo's own last
# line is the doc-tests').
ui_passed=$(sed 's/\x1b\[[0-9;]*m//g' "$ui_log" | awk '/^ *Tests / { for (k = 1; k <= NF; k++) if ($k == "passed" || $k ~ /^passed/) print $(k-1) }' | tail -n 1)
awk -v ui="${ui_passed:-0}" '/^test result:/ { p += $4; f += $6; i += $8 } END { printf "tests: %d passed, %d failed, %d skipped\n", p + ui, f, i }' "$log"
exit "$status"
