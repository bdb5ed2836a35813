"""Start-up work of the server processes (peerlearn/warm.py)."""

from __future__ import annotations

import gc
from pathlib import Path

from django.conf import settings
from django.template import Template
from django.template.loader import get_template

from peerlearn.warm import compile_templates, settle_long_lived


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
