"""Start-up work for long-lived server processes, done once before they serve.

``compile_templates`` parses every project template into the cached template loader. gunicorn
calls it in the master after the app is preloaded (deploy/gunicorn.conf.py), so each forked worker,
including one that replaces a recycled worker under load, starts with compiled templates instead
of parsing them on its first requests.

``build_recommender_index`` builds the recommender's in-process session index in the master too,
so a forked worker (a fresh one, or one replacing a recycled worker under load) starts with an index
to rank on: when it is out of date, one thread rebuilds it while the others keep serving on the
inherited one, instead of every thread of the new worker building its own at once (0.1-0.2 s of CPU
each with 10,000 sessions) while the requests queued during the swap wait.

``settle_long_lived`` keeps CPython's cyclic garbage collector off what is loaded by then: it lives
as long as the process. Full (generation 2) collections walked it all and paused the daphne event
loop for 100-230 ms during bench/notify.py; in a forked web worker the same walk also writes to
every object's header, un-sharing the pages the master had shared. A larger first-generation
threshold lets a request's short-lived objects die by reference counting before a collection can
promote them.
"""

from __future__ import annotations

import gc
import logging
from pathlib import Path

from django.conf import settings
from django.template import engines

logger = logging.getLogger(__name__)


def compile_templates() -> int:
    """Load every ``.html`` template of the project (not third-party ones); returns how many."""
    backend = engines["django"]
    base = Path(settings.BASE_DIR).resolve()
    count = 0
    for directory in backend.template_dirs:
        root = Path(directory).resolve()
        if not root.is_relative_to(base) or ".venv" in root.parts or "site-packages" in root.parts:
            continue
        for path in sorted(root.rglob("*.html")):
            backend.get_template(path.relative_to(root).as_posix())
            count += 1
    return count


def build_recommender_index() -> None:
    """Build the recommender's index now, then close the database connection it used (a connection
    must not be shared with the processes forked from this one)."""
    from django.db import DatabaseError, connections

    from apps.progress.recommend import current_index

    try:
        current_index()
    except DatabaseError:  # not migrated yet, say: the workers build it on their first page
        logger.warning("the recommender's index was not built before forking", exc_info=True)
    finally:
        for conn in connections.all(initialized_only=True):
            conn.close()


def settle_long_lived() -> None:
    gc.freeze()
    gc.set_threshold(50_000, 20, 10)
