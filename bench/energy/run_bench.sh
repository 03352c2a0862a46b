#!/usr/bin/env bash
# Side-by-side benchmark of rsm-energy and PyPSA 1.4 + HiGHS on this machine.
# Run from the repository root after bench/energy/setup.sh. Writes into $OUT (default /tmp/rsm-energy-bench).
set -euo pipefail
VENV="${RSM_PYPSA_VENV:-/tmp/rsm-pypsa-venv}"
OUT="${OUT:-/tmp/rsm-energy-bench}"
PY="$VENV/bin/python"
DATA=crates/rsm-energy/data
BIN=target/release/examples/plan_run
COPIES="${COPIES:-50}"
mkdir -p "$OUT"
nproc; uname -srm; grep -m1 "model name" /proc/cpuinfo || true
cargo build --release -p rsm-energy --examples
"$PY" -c 'import pypsa, linopy, highspy; print("pypsa", pypsa.__version__, "linopy", linopy.__version__, "highs", highspy.Highs().version())'

echo "== 1. nea14-daily: agreement, end-to-end time and peak memory"
/usr/bin/time -v "$BIN" "$DATA/nea14-daily" --out "$OUT/rsm-daily" > "$OUT/rsm-daily.txt" 2> "$OUT/rsm-daily.time"
/usr/bin/time -v "$PY" bench/energy/pypsa_run.py "$DATA/nea14-daily" --out "$OUT/pypsa-daily.json" > /dev/null 2> "$OUT/pypsa-daily.time"
python3 bench/energy/compare.py "$OUT/rsm-daily/summary.json" "$OUT/pypsa-daily.json"
for tool in rsm pypsa; do
  echo "$tool: $(grep -E 'Elapsed \(wall' "$OUT/$tool-daily.time" | awk '{print $NF}') wall, $(grep 'Maximum resident' "$OUT/$tool-daily.time" | awk '{print $NF}') kB peak RSS"
done
grep -E "^(objective|elapsed_s)" "$OUT/rsm-daily.txt"
grep -E '"time_' "$OUT/pypsa-daily.json"

echo "== 2. N-1 sweep on nea14-daily (every existing link and real supply)"
/usr/bin/time -v "$BIN" "$DATA/nea14-daily" --n-1 > "$OUT/rsm-n1.txt" 2> "$OUT/rsm-n1.time"
/usr/bin/time -v "$PY" bench/energy/pypsa_run.py "$DATA/nea14-daily" --n-1 --out "$OUT/pypsa-n1.json" > /dev/null 2> "$OUT/pypsa-n1.time"
python3 bench/energy/compare.py "$OUT/rsm-daily/summary.json" "$OUT/pypsa-n1.json" "$OUT/rsm-n1.txt" | tail -1
grep -E "^n-1 [0-9]+ outages" "$OUT/rsm-n1.txt"
grep -E '"time_n1_s"' "$OUT/pypsa-n1.json"

echo "== 3. synthetic: $COPIES copies of nea14-daily chained"
python3 bench/energy/gen_chain.py "$DATA/nea14-daily" "$COPIES" "$OUT/chain$COPIES"
/usr/bin/time -v "$BIN" "$OUT/chain$COPIES" --timings --out "$OUT/rsm-chain" > "$OUT/rsm-chain.txt" 2> "$OUT/rsm-chain.time"
/usr/bin/time -v "$PY" bench/energy/pypsa_run.py "$OUT/chain$COPIES" --out "$OUT/pypsa-chain.json" > /dev/null 2> "$OUT/pypsa-chain.time"
python3 bench/energy/compare.py "$OUT/rsm-chain/summary.json" "$OUT/pypsa-chain.json"
grep -E "^(objective|model|time_|elapsed_s)" "$OUT/rsm-chain.txt"
grep -E '"(time_|variables|constraints)' "$OUT/pypsa-chain.json"
for tool in rsm pypsa; do
  echo "$tool chain: $(grep -E 'Elapsed \(wall' "$OUT/$tool-chain.time" | awk '{print $NF}') wall, $(grep 'Maximum resident' "$OUT/$tool-chain.time" | awk '{print $NF}') kB peak RSS"
done
