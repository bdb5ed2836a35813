"""Start-up work for long-lived server processes, done once before they serve.

``compile_templates`` parses every project template into the cached template loader. gunicorn
calls it in the master after the app is preloaded (deploy/gunicorn.conf.py), so each forked worker,
including one that replaces a recycled worker under load, starts with compiled templates instead
of parsing them on its first requests.

``settle_long_lived`` keeps CPython's cyclic garbage collector off what is loaded by then: it lives
as long as the process. Full (generation 2) collections walked it all and paused the daphne event
loop for 100-230 ms during bench/notify.py; in a forked web worker the same walk also writes to
every object's header, un-sharing the pages the master had shared. A larger first-generation
threshold lets a request's short-lived objects die by reference counting before a collection can
promote them.
"""

from __future__ import annotations

import gc
from pathlib import Path

from django.conf import settings
from django.template import engines


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


def settle_long_lived() -> None:
    gc.freeze()
    gc.set_threshold(50_000, 20, 10)
