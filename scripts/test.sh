#!/usr/bin/env bash
# The one command that runs every test. Idempotent; installs what it needs first.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ROOT"

echo "== UI: type check and build"
build_ui

echo "== Rust: build the workspace once (one package selection for everything below)"
cargo build --workspace --all-targets --locked

echo "== Rust: tests"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
cargo test --workspace --locked 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# One closing line over every test binary (cargo's own last line is the doc-tests').
awk '/^test result:/ { p += $4; f += $6; i += $8 } END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, i }' "$log"
exit "$status"
