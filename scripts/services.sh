#!/usr/bin/env bash
# Start throwaway PostgreSQL and Redis servers from the OS packages on loopback, for the test
# suite and benchmarks (no systemd, no Docker). Prints the env lines to use them.
#   scripts/services.sh start   -> starts both (idempotent), prints DATABASE_URL/REDIS_URL
#   scripts/services.sh stop
#   scripts/services.sh status  -> exit 0 when both are up
set -euo pipefail
PG_PORT=${PG_PORT:-54329}
REDIS_PORT=${REDIS_PORT:-63799}
PG_DIR=${PG_DIR:-/tmp/peerlearn-pg}
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
as_pg() { if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }

start() {
  if [ -z "$PG_BIN" ]; then echo "PostgreSQL is not installed" >&2; exit 1; fi
  if [ ! -f "$PG_DIR/PG_VERSION" ]; then
    mkdir -p "$PG_DIR"
    [ "$(id -u)" -ne 0 ] || chown postgres:postgres "$PG_DIR"
    as_pg "$PG_BIN/initdb -D $PG_DIR -U postgres -A trust --no-sync >/dev/null"
  fi
  if ! as_pg "$PG_BIN/pg_ctl -D $PG_DIR status" >/dev/null 2>&1; then
    as_pg "$PG_BIN/pg_ctl -D $PG_DIR -l $PG_DIR/server.log -w -o '-p $PG_PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200' start" >/dev/null
  fi
  if ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    redis-server --daemonize yes --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
      --logfile /tmp/peerlearn-redis.log >/dev/null
    for _ in $(seq 1 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
  fi
  echo "DATABASE_URL=postgres://postgres@127.0.0.1:$PG_PORT/peerlearn"
  echo "REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0"
}

stop() {
  [ -n "$PG_BIN" ] && as_pg "$PG_BIN/pg_ctl -D $PG_DIR -m fast stop" >/dev/null 2>&1 || true
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
}

status() {
  [ -n "$PG_BIN" ] && as_pg "$PG_BIN/pg_ctl -D $PG_DIR status" >/dev/null 2>&1 \
    && redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
