# Shared by scripts/run.sh and scripts/run_production.sh (sourced, not run): start processes,
# stop them all on exit, wait for the web server, and stop everything when one of them dies.
pids=()
interrupted=0

stop_all() {
  trap - INT TERM EXIT
  echo
  echo "Stopping PeerLearn..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  # Give them up to 10 s to finish in-flight work (Celery's warm shutdown, gunicorn's graceful
  # stop), then make sure they are gone.
  for _ in $(seq 1 100); do
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive -eq 0 ] && break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap 'interrupted=1' INT TERM
trap stop_all EXIT

# wait_for_http URL LOG_HINT: until URL answers (up to 30 s); fails if a started process died.
wait_for_http() {
  for _ in $(seq 1 150); do
    if "$PY" - "$1" <<'PYEOF' 2>/dev/null; then return 0; fi
import sys, urllib.request
urllib.request.urlopen(sys.argv[1], timeout=2).read()
PYEOF
    [ "$interrupted" -eq 0 ] || exit 0
    for pid in "${pids[@]}"; do
      if ! kill -0 "$pid" 2>/dev/null; then echo "A PeerLearn process exited early (see $2)" >&2; exit 1; fi
    done
    sleep 0.2
  done
  echo "PeerLearn did not answer at $1 within 30 s (see $2)" >&2
  exit 1
}

# Return when any process ends or Ctrl-C/SIGTERM arrives (the EXIT trap stops the rest).
# Ctrl-C is a normal stop (exit 0); a process dying on its own is an error.
wait_any() {
  wait -n "${pids[@]}"
  local rc=$?
  if [ "$interrupted" -eq 1 ]; then exit 0; fi
  echo "A PeerLearn process stopped unexpectedly (exit $rc); stopping the others." >&2
  exit $rc
}
