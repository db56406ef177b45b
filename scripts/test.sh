#!/usr/bin/env bash
# Runs the linter and the whole test suite (the tests start Kamailio and baresip themselves).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${BALIE_VENV:-.venv}
"$VENV/bin/ruff" check .
exec "$VENV/bin/pytest" -q -ra "$@"
