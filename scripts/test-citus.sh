#!/usr/bin/env bash
# `make test-citus`: builds Citus from CITUS_GIT (a git directory; CITUS_REF,
# default v13.2.2) or CITUS_SRC (a source tree) outside this repository
# (scripts/citus-build.sh, skipped when already installed), starts a
# coordinator and two workers on 127.0.0.1:CITUS_PORT (default 56432) and
# the next two ports, and compares attrib on Citus with plain PostgreSQL
# (tests/citus/check.py): the worked example, then EVENTS (default 200000)
# generated events through a full run, three incremental days, an erasure
# and a rebuild; plans of sessionize/attribute/publish; the result as JSON
# in OUT (default bench/results/citus-<date>.json, git-ignored: add it with
# git add -f). Needs root or the postgres user (PostgreSQL runs as postgres).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
CITUS_COMMIT=$(bash scripts/citus-build.sh | tail -n 1)
export CITUS_COMMIT
OUT=${OUT:-bench/results/citus-$(date -u +%Y-%m-%d).json}
exec "$VENV/bin/python" tests/citus/check.py --port "${CITUS_PORT:-56432}" --events "${EVENTS:-200000}" \
    --days "${DAYS:-90}" --increments "${INCREMENTS:-3}" --citus-commit "$CITUS_COMMIT" --out "$OUT" "$@"
