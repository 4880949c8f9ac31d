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
cargo test --workspace --locked
