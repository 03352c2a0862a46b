#!/usr/bin/env bash
# Load test of GET /api/v1/parties against `rsm demo` (release build) with wrk:
# 64 concurrent connections, 2 wrk threads, a 5 s warm-up then a 20 s measured run.
# Prints wrk's latency distribution; docs/BENCHMARKS.md records the figures.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)"; exit 1; }
cargo build --release -q -p rsm
bin="${CARGO_TARGET_DIR:-target}/release/rsm"
dir=$(mktemp -d)
out="$dir/demo.out"
"$bin" demo --dir "$dir/demo" --listen 127.0.0.1:0 >"$out" 2>"$dir/demo.err" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 1 100); do
  grep -q '^RSM demo is running' "$out" && break
  sleep 0.2
done
url=$(sed -n 's/^RSM demo is running: \(http[^ ]*\)\/$/\1/p' "$out")
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
wrk -t2 -c64 -d5s "$url/api/v1/parties" >/dev/null
wrk -t2 -c64 -d${DURATION:-20}s --latency "$url/api/v1/parties"
