#!/usr/bin/env bash
# `make run`: the ASGI web server (daphne: HTTP + WebSockets) in the foreground, with the background
# work where the profile puts it (apps/core/background.py):
#   embedded (no REDIS_URL): inside daphne itself — no broker, no second process to lose;
#   production (REDIS_URL): a Celery worker with embedded beat beside it.
# Ctrl-C (or SIGTERM) stops everything.
#   scripts/run.sh [HOST] [PORT]
set -euo pipefail
cd "$(dirname "$0")/.."
HOST=${1:-127.0.0.1}
PORT=${2:-8000}
PY=.venv/bin/python
VAR_DIR=${PEERLEARN_VAR_DIR:-$PWD/var}
mkdir -p "$VAR_DIR"

source scripts/procs.sh

BACKGROUND=${PEERLEARN_BACKGROUND:-$([ -n "${REDIS_URL:-}" ] && echo celery || echo inprocess)}
$PY -m daphne -b "$HOST" -p "$PORT" peerlearn.asgi:application &
pids+=($!)
if [ "$BACKGROUND" = celery ]; then
  # The worker consumes Redis; -B runs the beat scheduler inside it, so one process covers both.
  $PY -m celery -A peerlearn worker -B --loglevel INFO --concurrency 2 \
    --schedule "$VAR_DIR/celerybeat-schedule" >"$VAR_DIR/celery.log" 2>&1 &
  pids+=($!)
fi

# Wait until the web server answers before announcing the URL (an HTTP request, not only a TCP
# connect: the first request also starts the in-process runner).
wait_for_http "http://$HOST:$PORT/healthz" "the output above and $VAR_DIR/celery.log"

$PY manage.py seed_demo --logins-only
echo
echo "PeerLearn is running at http://$HOST:$PORT/"
echo "  web:    daphne (ASGI, WebSockets) pid ${pids[0]}"
if [ "$BACKGROUND" = celery ]; then
  echo "  worker: celery worker + beat     pid ${pids[1]} (log: $VAR_DIR/celery.log)"
else
  echo "  background jobs run inside the web server (embedded profile; see README)"
fi
echo "Press Ctrl-C to stop."

wait_any
