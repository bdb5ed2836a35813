"""gunicorn settings for PeerLearn's page views (WSGI), used by docker-compose and
scripts/run_production.sh. WebSockets are served by daphne beside it; nginx routes /ws/ there.

Environment: WEB_BIND (default 127.0.0.1:8001), WEB_WORKERS (default: one per CPU core),
WEB_THREADS (default 4: a worker keeps serving while a view waits on the database or the gateway).
"""

import os

bind = os.environ.get("WEB_BIND", "127.0.0.1:8001")
workers = int(os.environ.get("WEB_WORKERS") or os.cpu_count() or 1)
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "4"))
# A worker that stops answering for this long is replaced; no view should take more than a few
# seconds (uploads are capped at 50 MB and stream to disk).
timeout = 60
graceful_timeout = 20
# No kept-alive connections from nginx (loopback, a new connection costs well under a
# millisecond): a worker that is being recycled (max_requests) keeps its kept-alive connections
# open for up to 2 s before it exits (gthread's STOP_KEEPALIVE_LINGER), and until it has exited
# the master starts no replacement, so new connections waited in the backlog meanwhile. With one
# worker that stopped service for up to 2 s every few thousand requests (the load test's 1-worker
# step at 80 users: p95 920 ms). Without them the worker exits as soon as its last request is
# answered and its replacement, forked from the preloaded master, serves a few milliseconds later.
keepalive = 0
# Accept only as many connections as there are threads to serve them. A gthread worker otherwise
# keeps accepting (up to 1,000) while all its threads are busy, and the accepted requests queue
# behind its GIL even when another worker is idle; with this bound the rest wait in the listen
# backlog, where whichever worker frees a thread first takes the next one.
worker_connections = threads
# Recycle workers now and then so a slow leak cannot grow without bound; jitter avoids all
# workers restarting at once.
max_requests = 5000
max_requests_jitter = 500
# Import the app once in the master: workers fork with Django loaded (faster start, shared pages).
preload_app = True
# nginx on the same host is the only client; it sets X-Forwarded-For/-Proto.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("WEB_ACCESS_LOG") or None
errorlog = "-"
proc_name = "peerlearn-web"


def when_ready(server: object) -> None:  # in the master, after the preload, before any fork
    from peerlearn.warm import build_recommender_index, compile_templates, settle_long_lived

    compile_templates()
    build_recommender_index()
    settle_long_lived()


def post_fork(server: object, worker: object) -> None:  # gunicorn calls it in each new worker
    # Database connections must never be shared across a fork.
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        conn.close()
