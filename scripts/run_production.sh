#!/usr/bin/env bash
# The production topology from OS packages on one machine (what docker-compose.yml runs in
# containers):
#
#   browser --> nginx :PORT --/ws/--> daphne    127.0.0.1:WS_PORT   (WebSockets only)
#                           \--/----> gunicorn  127.0.0.1:WEB_PORT  (page views: one process per
#                                                core, 4 threads each, deploy/gunicorn.conf.py)
#   celery worker + beat on Redis; PostgreSQL and Redis as named by DATABASE_URL and REDIS_URL.
#
#   scripts/run_production.sh [PORT]     (foreground; Ctrl-C or SIGTERM stops everything)
#
# Needs DATABASE_URL, REDIS_URL and SECRET_KEY (`bash scripts/services.sh start` prints the first
# two on a development machine; see README "Production topology"). Optional: WEB_PORT, WS_PORT
# (default PORT+1, PORT+2), WEB_WORKERS (default: CPU cores), PEERLEARN_SKIP_SETUP=1 (no migrate or
# collectstatic), PEERLEARN_NO_WORKER=1 (no Celery worker: tasks run eagerly, as in the tests).
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${1:-${PORT:-8080}}
WEB_PORT=${WEB_PORT:-$((PORT + 1))}
WS_PORT=${WS_PORT:-$((PORT + 2))}
PY=.venv/bin/python
VAR_DIR=${PEERLEARN_VAR_DIR:-$PWD/var}
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
: "${DATABASE_URL:?the production topology needs DATABASE_URL (PostgreSQL)}"
: "${REDIS_URL:?the production topology needs REDIS_URL (the channel layer and the Celery broker)}"
: "${SECRET_KEY:?the production topology needs SECRET_KEY}"
[ -x "$NGINX" ] || { echo "nginx is not installed (apt-get install nginx)" >&2; exit 1; }
mkdir -p "$VAR_DIR"

if [ "${PEERLEARN_SKIP_SETUP:-0}" != 1 ]; then
  $PY manage.py migrate --noinput -v0
  $PY manage.py collectstatic --noinput -v0
fi

source scripts/procs.sh

# nginx's files live in the var dir; its workers may run as another user when started as root.
NGINX_DIR="$VAR_DIR/nginx-$PORT"
mkdir -p "$NGINX_DIR"/tmp/{body,proxy,fastcgi,uwsgi,scgi}
chmod -R a+rwx "$NGINX_DIR/tmp"
sed -e "s#@PREFIX@#$NGINX_DIR#g" -e "s#@LISTEN@#127.0.0.1:$PORT#" \
    -e "s#@WEB@#127.0.0.1:$WEB_PORT#" -e "s#@WS@#127.0.0.1:$WS_PORT#" \
    deploy/nginx.local.conf.template >"$NGINX_DIR/nginx.conf"

WEB_BIND="127.0.0.1:$WEB_PORT" $PY -m gunicorn -c deploy/gunicorn.conf.py peerlearn.wsgi:application \
  >"$VAR_DIR/gunicorn.log" 2>&1 &
pids+=($!)
$PY -m daphne -b 127.0.0.1 -p "$WS_PORT" --proxy-headers peerlearn.asgi:application >"$VAR_DIR/daphne.log" 2>&1 &
pids+=($!)
"$NGINX" -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf" -e "$NGINX_DIR/error.log" &
pids+=($!)
if [ "${PEERLEARN_NO_WORKER:-0}" != 1 ]; then
  # Niced: background work (emails, reminders) yields the CPU to page views and sockets when the
  # machine is busy (docker-compose.yml gives the worker container a lower cpu_shares likewise).
  nice -n 10 $PY -m celery -A peerlearn worker -B --loglevel INFO --concurrency 2 \
    --schedule "$VAR_DIR/celerybeat-schedule" >"$VAR_DIR/celery.log" 2>&1 &
  pids+=($!)
fi

wait_for_http "http://127.0.0.1:$PORT/healthz" "$VAR_DIR/gunicorn.log, daphne.log, celery.log and $NGINX_DIR/error.log"
echo "PeerLearn (production topology) is running at http://127.0.0.1:$PORT/"
echo "  nginx    127.0.0.1:$PORT  (/ws/ -> daphne, the rest -> gunicorn)"
echo "  gunicorn 127.0.0.1:$WEB_PORT  $($PY -c 'import os; print(os.environ.get("WEB_WORKERS") or os.cpu_count())') workers  (log: $VAR_DIR/gunicorn.log)"
echo "  daphne   127.0.0.1:$WS_PORT  (log: $VAR_DIR/daphne.log)"
[ "${PEERLEARN_NO_WORKER:-0}" = 1 ] || echo "  celery worker + beat  (log: $VAR_DIR/celery.log)"
echo "Press Ctrl-C to stop."
wait_any
