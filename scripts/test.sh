#!/usr/bin/env bash
# The whole suite, as `make test` and CI run it:
#   1. unit + integration tests on the embedded profile (SQLite)
#   2. Playwright journeys on the embedded profile
#   3. unit + integration + Playwright again on the production profile: PostgreSQL and Redis
#      started from the OS packages (scripts/services.sh), the journeys served by the production
#      topology (nginx -> gunicorn + daphne, scripts/run_production.sh)
# pytest's exit code 5 ("no tests collected") counts as a failure. Every stage runs even if an
# earlier one failed, and the script exits non-zero if any did. Stage timings are printed at the end.
#
# Isolation: each run gets its own var dir (SQLite file, broker, media, mail) under /tmp and its
# own PostgreSQL database names, so two runs (or a run and an engineer's manual tests) on one
# machine never share state. PostgreSQL/Redis are stopped afterwards only if this run started them.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
WORKERS=${PYTEST_WORKERS:-2}
RUN_ID=${RUN_ID:-$(date +%s)_$$}
status=0
timings=()

run() {
  local label=$1; shift
  echo "=== $label ==="
  local t0=$SECONDS
  "$@"
  local rc=$?
  if [ $rc -eq 5 ]; then echo "!!! $label collected no tests"; rc=1; fi
  if [ $rc -ne 0 ]; then echo "!!! $label failed (exit $rc)"; status=1; fi
  timings+=("$(printf '%-28s %4ss  %s' "$label" $((SECONDS - t0)) "$([ $rc -eq 0 ] && echo ok || echo FAILED)")")
}

VAR_BASE=$(mktemp -d "/tmp/peerlearn-test-$RUN_ID.XXXX")
cleanup() { rm -rf "$VAR_BASE"; }
trap cleanup EXIT
# Playwright drives the OS Chromium (e2e/conftest.py looks it up on PATH); never a downloaded one.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 PYTHONUNBUFFERED=1
unset DATABASE_URL REDIS_URL SQLITE_PATH SECRET_KEY

# --- embedded profile -----------------------------------------------------------------------
export PEERLEARN_VAR_DIR="$VAR_BASE/unit-sqlite"
run "unit (SQLite)" $PY -m pytest -q -n "$WORKERS" apps tests
export PEERLEARN_VAR_DIR="$VAR_BASE/e2e-sqlite"
run "e2e (SQLite)" env SQLITE_PATH="$PEERLEARN_VAR_DIR/e2e.sqlite3" $PY -m pytest -q e2e

# --- production profile ---------------------------------------------------------------------
started_services=0
if ! bash scripts/services.sh status >/dev/null 2>&1; then started_services=1; fi
if services=$(bash scripts/services.sh start); then
  eval "$(echo "$services" | sed 's/^/export /')"
  PG_BASE="${DATABASE_URL%/*}"
  # The production profile over plain http on loopback: no TLS redirect or Secure-only cookies,
  # a throwaway key, the sandbox gateway, no manifest (collectstatic is a deploy step).
  SECRET_KEY="test-only-$(head -c 64 /dev/urandom | base64 | tr -dc 'a-zA-Z0-9' | head -c 60)"
  export SECRET_KEY SECURE_SSL_REDIRECT=false SECURE_COOKIES=false ALLOW_SANDBOX_PAYMENTS=true STATIC_MANIFEST=false
  UNIT_DB="pl_${RUN_ID}"
  E2E_DB="pl_${RUN_ID}_e2e"
  for db in "$UNIT_DB" "$E2E_DB"; do psql "$PG_BASE/postgres" -qc "CREATE DATABASE $db" >/dev/null; done
  # pytest-django creates test_<name>_gw<N> next to UNIT_DB; the e2e run uses E2E_DB itself.
  export PEERLEARN_VAR_DIR="$VAR_BASE/unit-pg"
  mkdir -p "$PEERLEARN_VAR_DIR/staticfiles"  # production's STATIC_ROOT (empty: unit tests need no files)
  run "unit (PostgreSQL + Redis)" env DATABASE_URL="$PG_BASE/$UNIT_DB" $PY -m pytest -q -n "$WORKERS" apps tests
  # Production serves static files from STATIC_ROOT (WhiteNoise without finders), as deployed:
  # collect them into this stage's var dir first.
  export PEERLEARN_VAR_DIR="$VAR_BASE/e2e-pg"
  if ! env DATABASE_URL="$PG_BASE/$E2E_DB" $PY manage.py collectstatic --noinput -v0; then
    echo "!!! collectstatic failed"; status=1
  fi
  # Through the production topology (nginx -> gunicorn for pages, daphne for /ws/), as deployed.
  run "e2e (PostgreSQL + Redis, nginx)" env DATABASE_URL="$PG_BASE/$E2E_DB" E2E_TOPOLOGY=production $PY -m pytest -q e2e
  # Drop this run's databases, including test_* copies pytest-django could not drop because a
  # connection was still open at teardown.
  for db in $(psql "$PG_BASE/postgres" -qAtc "SELECT datname FROM pg_database WHERE datname LIKE '%pl\_${RUN_ID}%'"); do
    psql "$PG_BASE/postgres" -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null || true
  done
  if [ $started_services -eq 1 ]; then bash scripts/services.sh stop; fi
else
  echo "!!! could not start PostgreSQL/Redis"; status=1
fi

echo
echo "=== stage timings ==="
printf '%s\n' "${timings[@]}"
[ $status -eq 0 ] && echo "ALL STAGES PASSED" || echo "SOME STAGES FAILED"
exit $status
