#!/usr/bin/env bash
# Creates the Python environment for the PyPSA side of the benchmarks in /tmp/rsm-pypsa-venv.
set -euo pipefail
VENV="${RSM_PYPSA_VENV:-/tmp/rsm-pypsa-venv}"
python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --upgrade pip
"$VENV/bin/pip" install --quiet "pypsa==1.4.*" linopy "highspy==1.16.*"
"$VENV/bin/python" -c 'import pypsa, linopy, highspy; print("pypsa", pypsa.__version__, "linopy", linopy.__version__, "highspy", highspy.__version__ if hasattr(highspy, "__version__") else "?")'
