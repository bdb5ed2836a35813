#!/usr/bin/env bash
# The whole suite, as `make test` and CI run it:
#   1. unit + integration tests on the embedded profile (SQLite)
#   2. Playwright journeys on the embedded profile
#   3. unit + integration + Playwright again on PostgreSQL (and Redis) from the OS packages
# pytest's exit code 5 ("no tests collected") counts as a failure.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
status=0

run() {
  local label=$1; shift
  echo "=== $label ==="
  "$@"
  local rc=$?
  if [ $rc -eq 5 ]; then echo "!!! $label collected no tests"; rc=1; fi
  if [ $rc -ne 0 ]; then echo "!!! $label failed (exit $rc)"; status=1; fi
}

export PEERLEARN_VAR_DIR="$PWD/var/test"
mkdir -p "$PEERLEARN_VAR_DIR"
run "unit (SQLite)" $PY -m pytest -q -n 2 apps tests
run "e2e (SQLite)" env SQLITE_PATH="$PEERLEARN_VAR_DIR/e2e.sqlite3" $PY -m pytest -q e2e

eval "$(bash scripts/services.sh start | sed 's/^/export /')"
PGURL="$DATABASE_URL"
# The production profile over plain http on loopback: no TLS redirect or Secure-only cookies,
# a throwaway key, the sandbox gateway, no manifest (collectstatic is a deploy step).
export SECRET_KEY="test-only-$(head -c 48 /dev/urandom | base64 | tr -dc 'a-zA-Z0-9')"
export SECURE_SSL_REDIRECT=false SECURE_COOKIES=false ALLOW_SANDBOX_PAYMENTS=true STATIC_MANIFEST=false
for db in peerlearn peerlearn_e2e; do
  psql "${PGURL%/*}/postgres" -qAtc "SELECT 1 FROM pg_database WHERE datname='$db'" | grep -q 1 \
    || psql "${PGURL%/*}/postgres" -qc "CREATE DATABASE $db" >/dev/null
done
run "unit (PostgreSQL + Redis)" $PY -m pytest -q -n 2 apps tests
run "e2e (PostgreSQL + Redis)" env DATABASE_URL="${PGURL%/*}/peerlearn_e2e" $PY -m pytest -q e2e
bash scripts/services.sh stop

exit $status
