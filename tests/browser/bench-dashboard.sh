#!/usr/bin/env bash
# p50/p99 latency of the dashboard page (`GET /`) at 64 concurrent signed-in connections.
# Starts a release `rsm demo`, signs in as kr.delegate through the API, and drives wrk
# with the session cookie. Usage: tests/browser/bench-dashboard.sh [duration] [user]
# (defaults 30s and kr.delegate, whose dashboard names a restricted body and so appends
# an audit event per view; jp.delegate's does not).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
duration="${1:-30s}"
user="${2:-kr.delegate}"
cd "$root"
cargo build -q --release -p rsm
target_dir="${CARGO_TARGET_DIR:-$root/target}"
dir="$(mktemp -d)"; out="$dir/demo.out"
"$target_dir/release/rsm" demo --dir "$dir" --listen 127.0.0.1:0 >"$out" 2>"$dir/demo.err" &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 100); do grep -q 'Press Ctrl-C' "$out" && break; sleep 0.2; done
url=$(sed -n 's/.*RSM demo is running: \(http:[^ ]*\)\/$/\1/p' "$out")
password=$(awk -v u="$user" '$1==u {print $NF}' "$out")
cookie=$(curl -s -D - -o /dev/null -H 'content-type: application/json' \
  -d "{\"username\":\"$user\",\"password\":\"$password\"}" "$url/api/v1/session" \
  | sed -n 's/^[Ss]et-[Cc]ookie: \(rsm_session=[^;]*\).*/\1/p')
[ -n "$cookie" ] || { echo "sign-in failed"; exit 1; }
status=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" "$url/")
[ "$status" = 200 ] || { echo "dashboard answered $status"; exit 1; }
echo "== wrk -t2 -c64 -d$duration --latency -H 'Cookie: rsm_session=…' $url/"
wrk -t2 -c64 -d"$duration" --latency -H "Cookie: $cookie" "$url/"
