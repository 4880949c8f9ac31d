#!/usr/bin/env bash
# The one command that runs every test. Idempotent; installs what it needs first.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ROOT"

install_tauri_driver

echo "== Rust: one format (rustfmt.toml); \`cargo fmt --all\` fixes it"
if ! cargo fmt --all --check > /dev/null; then
  cargo fmt --all --check | head -n 40 || true
  echo "format: FAILED: run cargo fmt --all"
  fmt_failed=1
fi

echo "== UI: type check, unit tests and build"
ui_log="$(mktemp)"
(cd ui && npx vitest run 2>&1) | tee "$ui_log"
build_ui

echo "== Rust: build the workspace once (one package selection for everything below)"
cargo build --workspace --all-targets --locked

echo "== Rust: clippy, every warning an error ([workspace.lints] in Cargo.toml)"
if ! cargo clippy --workspace --all-targets --locked --quiet -- -D warnings; then
  echo "clippy: FAILED"
  lint_failed=1
fi

echo "== Rust: tests"
# How many test binaries (unit, integration, end-to-end) and doc-test runs the
# workspace has: a binary that silently stops running shows as a difference below.
expected=$(cargo test --workspace --locked --no-run --message-format=json 2>/dev/null | python3 -c '
import json, sys
n = 0
for line in sys.stdin:
    try:
        m = json.loads(line)
    except ValueError:
        continue
    if m.get("reason") != "compiler-artifact" or not m["package_id"].startswith("path+file"):
        continue
    test, kinds = m["profile"]["test"], m["target"]["kind"]
    n += bool(test and m.get("executable")) + bool("lib" in kinds and m["target"].get("doctest") and not test)
print(n)')
log="$(mktemp)"
trap 'rm -f "$log" "$ui_log"' EXIT
set +e
# --no-fail-fast: one failing test binary must not hide the others' results.
cargo test --workspace --locked --no-fail-fast 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
[ -z "${fmt_failed:-}" ] || status=1
[ -z "${lint_failed:-}" ] || status=1
set -e

echo "== Benches: each runs once, small and in debug (figures printed, not judged)"
# A bench that no longer runs must not go unseen until someone measures: each one
# runs here on sizes small enough for seconds, from the build above (the same
# package selection, so nothing is rebuilt). Only a crash or a failed assertion
# fails the run; the figures mean nothing at these sizes. `cargo bench` measures.
quick_env() {
  case "$1" in
    drain) echo "INTENTS=40 RUNS=1 CONCURRENCY=4 LATENCY_MS=5" ;;
    intent_latency) echo "INTENTS=200" ;;
    report) echo "SERVICE_ROWS=3000 LOCAL_INTENTS=300" ;;
    scanner) echo "FRAMES=1 SIZES=640x480 PHOTOS=2" ;;
    app) echo "IDLE_S=3 FLOOR_RUNS=1 RUNS=1 PRESSES=3" ;;
  esac
}
benches="$(cargo build --workspace --all-targets --locked --message-format=json 2>/dev/null | python3 -c '
import json, os, sys
for line in sys.stdin:
    try:
        m = json.loads(line)
    except ValueError:
        continue
    if m.get("reason") == "compiler-artifact" and m["target"]["kind"] == ["bench"] and m.get("executable"):
        print(m["target"]["name"], os.path.dirname(m["manifest_path"]), m["executable"])')"
bench_count=0
while read -r name dir exe; do
  [ -n "$name" ] || continue
  bench_count=$((bench_count + 1))
  bench_log="$(mktemp)"
  # Run where `cargo bench` runs it: its package's folder.
  if (cd "$dir" && timeout 600 env $(quick_env "$name") "$exe" > "$bench_log" 2>&1); then
    echo "bench $name: ran ($(quick_env "$name")); last line: $(tail -n 1 "$bench_log")"
  else
    tail -n 30 "$bench_log"
    echo "bench $name: FAILED"
    status=1
  fi
  rm -f "$bench_log"
done <<< "$benches"
if [ "$bench_count" -ne 5 ]; then
  echo "benches: FAILED: expected 5 bench targets, found $bench_count"
  status=1
fi

echo "== Rust: the core without the camera feature, as the .deb's CLI is built"
# `--workspace` unifies features, and the app turns the camera on: the camera-less
# core would otherwise never be tested. Its unit tests and the CLI's, on their own.
lean_log="$(mktemp)"
if cargo test --locked -p voucher-pos --lib --bins > "$lean_log" 2>&1; then
  grep -E '^test result:' "$lean_log" | sed 's/^/camera-less core: /'
else
  tail -n 40 "$lean_log"
  echo "camera-less core: FAILED"
  status=1
fi
rm -f "$lean_log"

echo "== Package: the .deb, unpacked into a scratch root, answers --version without a display"
# `dpkg-deb -x` needs no root. Where dpkg-deb is missing the bundle is not built, and
# this says so.
# A release binary has no test-only clock control: `--clock-skew` is refused as an
# unknown argument (debug builds keep it for voucher-chaos).
no_clock_controls() {
  local out
  if out="$("$1" --clock-skew=1d --version 2>&1)"; then
    echo "package: the release CLI took --clock-skew"
    return 1
  fi
  [[ "$out" == *"unexpected argument '--clock-skew"* ]] || { echo "package: --clock-skew refused for another reason: $out"; return 1; }
}
if command -v dpkg-deb >/dev/null; then
  pkg_log="$(mktemp)"
  if deb="$(bash scripts/package.sh 2>"$pkg_log" | tail -n 1)" && [ -f "$deb" ]; then
    scratch="$(mktemp -d)"
    dpkg-deb -x "$deb" "$scratch"
    depends="$(dpkg-deb -f "$deb" Depends)"
    if env -u DISPLAY -u WAYLAND_DISPLAY "$scratch/usr/bin/voucher-pos-app" --version \
      && env -u DISPLAY -u WAYLAND_DISPLAY "$scratch/usr/bin/voucher-pos-app" --help >/dev/null \
      && "$scratch/usr/bin/voucher-pos" --version \
      && "$scratch/usr/bin/voucher-pos" --help >/dev/null \
      && no_clock_controls "$scratch/usr/bin/voucher-pos" \
      && ls "$scratch"/usr/share/applications/*.desktop >/dev/null \
      && ls "$scratch"/usr/share/icons/hicolor/512x512/apps/*.png >/dev/null \
      && [[ "$depends" == *libwebkit2gtk-4.1-0* ]]; then
      echo "package: ok: $(basename "$deb"), $(du -h "$deb" | cut -f1), depends on: $depends"
    else
      echo "package: FAILED: the unpacked package does not run, or lacks its desktop entry, icons or dependencies"
      status=1
    fi
    rm -rf "$scratch"
  else
    tail -n 30 "$pkg_log"
    echo "package: FAILED: scripts/package.sh did not produce a .deb"
    status=1
  fi
  rm -f "$pkg_log"
else
  echo "package: dpkg-deb not found on this machine; the .deb was not built"
fi

echo "== Lean parts: the headless CLI and the sandbox build without the camera stack"
# nokhwa (V4L2 through bindgen, libclang at build time) is the core's `camera`
# feature, which only the app turns on; package.sh builds the CLI on its own.
for p in voucher-pos voucher-sandbox; do
  if cargo tree --locked -p "$p" -e normal,build --prefix none | grep -qE '^(nokhwa|bindgen|clang-sys) '; then
    echo "lean: FAILED: $p depends on the camera stack"
    status=1
  else
    echo "lean: ok: $p has no nokhwa, bindgen or libclang"
  fi
done

# How many test binaries ran (unit, integration, end-to-end, doc-tests), so that a
# binary that silently stopped running shows here.
binaries=$(grep -cE '^\s+(Running|Doc-tests) ' "$log" || true)
echo "test binaries run: ${binaries} of ${expected}"
if [ "$binaries" != "$expected" ]; then
  echo "test binaries: FAILED: ${expected} were built, ${binaries} ran"
  status=1
fi

# One closing line over every Rust test binary and the UI's tests (cargo's own last
# line is the doc-tests').
ui_passed=$(sed 's/\x1b\[[0-9;]*m//g' "$ui_log" | awk '/^ *Tests / { for (k = 1; k <= NF; k++) if ($k == "passed" || $k ~ /^passed/) print $(k-1) }' | tail -n 1)
awk -v ui="${ui_passed:-0}" '/^test result:/ { p += $4; f += $6; i += $8 } END { printf "tests: %d passed, %d failed, %d skipped\n", p + ui, f, i }' "$log"
exit "$status"
