"""Start-up work of the server processes (peerlearn/warm.py)."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from django.conf import settings
from django.db import OperationalError
from django.template import Template
from django.template.loader import get_template

from apps.catalog.tests.factories import make_session
from apps.progress import recommend
from peerlearn.warm import build_recommender_index, compile_templates, settle_long_lived


def test_every_project_template_is_compiled_once_before_serving(monkeypatch):
    base = Path(settings.BASE_DIR)
    files = list((base / "templates").rglob("*.html")) + list(base.glob("apps/*/templates/**/*.html"))
    assert compile_templates() == len(files) > 100
    parsed: list[str] = []
    compile_nodelist = Template.compile_nodelist

    def counting(self: Template):  # type: ignore[no-untyped-def]
        parsed.append(self.name)
        return compile_nodelist(self)

    monkeypatch.setattr(Template, "compile_nodelist", counting)
    get_template("base.html")
    get_template("catalog/_session_results.html")
    assert parsed == []  # served from the cached loader, not parsed again


def test_long_lived_objects_leave_the_collector():
    before = gc.get_freeze_count()
    kept = [object() for _ in range(100)]
    thresholds = gc.get_threshold()
    try:
        settle_long_lived()
        assert gc.get_freeze_count() >= before + len(kept)
        assert gc.get_threshold()[0] == 50_000
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)


# transaction=True: the build closes the database connection afterwards, as a master about to
# fork must, which would otherwise end the test's own wrapping transaction (PostgreSQL).
@pytest.mark.django_db(transaction=True)
def test_a_forked_worker_inherits_the_recommenders_index(monkeypatch):
    """Built in the gunicorn master before forking: a new worker ranks on it at once instead of
    every thread building its own."""
    make_session(title="Indexed before the fork")
    recommend.clear_caches()
    builds: list[object] = []
    build = recommend.build_index

    def counting(now):  # type: ignore[no-untyped-def]
        builds.append(now)
        return build(now)

    monkeypatch.setattr(recommend, "build_index", counting)
    try:
        build_recommender_index()
        index = recommend.current_index()
        assert len(builds) == 1
        assert recommend.current_index() is index and len(builds) == 1
    finally:
        recommend.clear_caches()


def test_a_master_without_a_database_yet_still_starts(monkeypatch, caplog):
    def unreachable(now=None):  # type: ignore[no-untyped-def]
        raise OperationalError("no such table: catalog_session")

    monkeypatch.setattr(recommend, "current_index", unreachable)
    build_recommender_index()  # logged, not raised: the workers build it on their first page
    assert "was not built before forking" in caplog.text


def test_gunicorn_keeps_no_idle_connections_to_linger_on_when_a_worker_is_recycled():
    """A recycled gthread worker waits up to 2 s on its kept-alive connections before it exits,
    and only then is it replaced: with keepalive off it exits once its last response is sent."""
    from gunicorn.config import Config

    cfg = Config()
    namespace: dict[str, object] = {}
    conf = Path(settings.BASE_DIR) / "deploy" / "gunicorn.conf.py"
    exec(compile(conf.read_text(), str(conf), "exec"), namespace)  # noqa: S102 - our own config file
    for name in ("keepalive", "max_requests", "worker_class", "threads", "worker_connections"):
        cfg.set(name, namespace[name])
    assert cfg.max_requests > 0 and cfg.worker_class_str == "gthread"
    assert cfg.keepalive == 0
    # A worker accepts no more connections than it has threads: a busy one leaves the listen
    # backlog to an idle one instead of queueing requests behind its own GIL.
    assert cfg.worker_connections == cfg.threads >= 1
