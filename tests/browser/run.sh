#!/usr/bin/env bash
# The browser tests: installs the pinned npm packages, builds the rsm binary, and runs the
# tests against `rsm demo` in Debian's headless Chromium. Exits non-zero on any failure;
# safe to run again (each run starts a fresh demo in a temporary folder).
#
#   tests/browser/run.sh            # debug build
#   RSM_BIN=target/release/rsm tests/browser/run.sh   # use an existing binary
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$here"

chromium="${CHROMIUM:-/usr/bin/chromium}"
# A fresh Debian machine lacks the browser: install it (and a Korean font) when we can.
if { [ ! -x "$chromium" ] || ! command -v node >/dev/null; } && command -v apt-get >/dev/null; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "== apt-get install chromium nodejs npm fonts-noto-cjk"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
    chromium nodejs npm fonts-noto-cjk >/dev/null
fi
command -v node >/dev/null || { echo "node is not installed (apt-get install nodejs npm)"; exit 1; }
[ -x "$chromium" ] || { echo "$chromium is missing (apt-get install chromium chromium-driver)"; exit 1; }

echo "== npm ci"
npm ci --no-audit --no-fund --loglevel=error

if [ -z "${RSM_BIN:-}" ]; then
  echo "== cargo build -p rsm"
  (cd "$root" && cargo build -q -p rsm)
  target_dir="${CARGO_TARGET_DIR:-$root/target}"
  case "$target_dir" in /*) ;; *) target_dir="$root/$target_dir" ;; esac
  export RSM_BIN="$target_dir/debug/rsm"
fi
export CHROMIUM="$chromium"
if command -v fc-list >/dev/null && ! fc-list :lang=ko | grep -q .; then
  echo "note: no Korean font installed (apt-get install fonts-noto-cjk): screenshots will show boxes"
fi

echo "== browser tests ($RSM_BIN, $chromium)"
timeout 300 node --test --test-concurrency=1 --test-reporter=spec tests/*.test.mjs
