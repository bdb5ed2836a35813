"""`.env.example` must list every environment variable the code reads."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READ = re.compile(r"env_(?:str|bool|int|list|required|choice)\(\s*\"([A-Z][A-Z0-9_]*)\"")


def variables_read() -> set[str]:
    names: set[str] = set()
    for folder in ("peerlearn", "apps"):
        for path in (ROOT / folder).rglob("*.py"):
            if "tests" in path.parts:
                continue
            names.update(READ.findall(path.read_text()))
    return names


def variables_listed() -> set[str]:
    lines = (ROOT / ".env.example").read_text().splitlines()
    return {line.split("=", 1)[0] for line in lines if re.match(r"^[A-Z][A-Z0-9_]*=", line)}


def test_every_variable_read_is_documented() -> None:
    read = variables_read()
    assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY"} <= read  # the scan itself works
    missing = read - variables_listed()
    assert not missing, f"add to .env.example: {sorted(missing)}"
