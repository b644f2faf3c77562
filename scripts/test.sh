#!/usr/bin/env bash
# Runs every test against the local cluster (started by `make db`):
# pgTAP scripts with pg_prove in a freshly deployed database, then pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PORT=${ATTRIB_PGPORT:-55432}
BASE="postgresql://postgres@127.0.0.1:${PORT}"
TEST_DB=attrib_pgtap
# Non-byte-order collation on purpose: orderings that forget COLLATE "C" fail.

psql -X -q "$BASE/postgres" -c "DROP DATABASE IF EXISTS $TEST_DB WITH (FORCE)" -c "CREATE DATABASE $TEST_DB LOCALE_PROVIDER icu ICU_LOCALE 'en' LOCALE 'C.UTF-8' TEMPLATE template0"
"$VENV/bin/attrib" deploy --dsn "$BASE/$TEST_DB"
psql -X -q "$BASE/$TEST_DB" -c "CREATE EXTENSION IF NOT EXISTS pgtap"

echo "== pgTAP (tests/pgtap)"
pg_prove --ext .sql -d "$BASE/$TEST_DB" tests/pgtap/

echo "== pytest (tests/py)"
set +e
# the twenty slowest tests close the log: the suite must stay well under 15 minutes
ATTRIB_TEST_SERVER="$BASE" "$VENV/bin/pytest" -q --durations=20 tests/py "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo "pytest collected no tests: that is a failure here" >&2
  exit 1
fi
exit "$rc"
