#!/usr/bin/env bash
# Sets up a Python venv with the peers (Splink, recordlinkage) and the lunar
# calendar package used once to generate crates/rsm-kin/data/lunar.tsv.
# Usage: bench/kin/setup.sh [VENV_DIR]   (default /tmp/rsm-kin-venv)
set -euo pipefail
VENV="${1:-/tmp/rsm-kin-venv}"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install --quiet --upgrade pip
"$VENV/bin/pip" install --quiet "splink>=5,<6" "recordlinkage==0.16" "korean-lunar-calendar==0.4.0"
"$VENV/bin/python" - <<'PY'
import importlib.metadata as m
for p in ("splink", "recordlinkage", "duckdb", "pandas", "korean-lunar-calendar"):
    print(p, m.version(p))
PY
