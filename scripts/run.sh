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

pids=()
cleanup() {
  trap - INT TERM EXIT
  echo
  echo "Stopping PeerLearn..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  # Give both up to 10 s to finish in-flight work (Celery's warm shutdown), then make sure they are gone.
  for _ in $(seq 1 100); do
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive -eq 0 ] && break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
interrupted=0
trap 'interrupted=1' INT TERM
trap cleanup EXIT

BACKGROUND=${PEERLEARN_BACKGROUND:-$([ -n "${REDIS_URL:-}" ] && echo celery || echo inprocess)}
$PY -m daphne -b "$HOST" -p "$PORT" peerlearn.asgi:application &
pids+=($!)
if [ "$BACKGROUND" = celery ]; then
  # The worker consumes Redis; -B runs the beat scheduler inside it, so one process covers both.
  $PY -m celery -A peerlearn worker -B --loglevel INFO --concurrency 2 \
    --schedule "$VAR_DIR/celerybeat-schedule" >"$VAR_DIR/celery.log" 2>&1 &
  pids+=($!)
fi

# Wait until the web server accepts connections before announcing the URL.
for _ in $(seq 1 150); do
  # An HTTP request, not only a TCP connect: the first request also starts the in-process runner.
  if $PY - "$HOST" "$PORT" <<'PYEOF' 2>/dev/null; then break; fi
import sys, urllib.request
urllib.request.urlopen(f"http://{sys.argv[1]}:{sys.argv[2]}/healthz", timeout=2).read()
PYEOF
  [ $interrupted -eq 0 ] || exit 0
  for pid in "${pids[@]}"; do
    if ! kill -0 "$pid" 2>/dev/null; then echo "A PeerLearn process exited early (see output above and $VAR_DIR/celery.log)" >&2; exit 1; fi
  done
  sleep 0.2
done

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

# Return as soon as either process ends or Ctrl-C/SIGTERM arrives, then stop both (EXIT trap).
# Ctrl-C is a normal stop (exit 0); a process dying on its own is an error.
wait -n "${pids[@]}"
rc=$?
if [ $interrupted -eq 1 ]; then exit 0; fi
echo "A PeerLearn process stopped unexpectedly (exit $rc); stopping the other." >&2
exit $rc
