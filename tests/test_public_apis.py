"""We use allauth through its public API only: its ``internal`` packages change without notice
between releases (an upgrade must not break sign-in silently)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def test_no_module_imports_allauth_internals() -> None:
    files = [p for folder in ("apps", "tests", "e2e", "peerlearn") for p in (ROOT / folder).rglob("*.py")]
    assert len(files) > 100  # the walk really covers the code base
    offenders = sorted(
        f"{path.relative_to(ROOT)}: {name}"
        for path in files
        for name in imported_modules(path)
        if name.startswith("allauth.") and ".internal" in name
    )
    assert offenders == []


def test_the_check_itself_sees_an_internal_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from allauth.account.internal.flows import signup\n", encoding="utf-8")
    assert "allauth.account.internal.flows" in imported_modules(sample)
