#!/usr/bin/env bash
# Kept for old habits: the benchmark is scripts/bench.py (plain Python 3, standard library).
# It installs nothing: see `scripts/bench.py --help` and docs/performance.md.
set -euo pipefail
exec python3 "$(dirname "${BASH_SOURCE[0]}")/bench.py" "$@"
