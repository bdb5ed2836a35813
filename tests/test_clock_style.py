"""One clock style everywhere (issue 11 item 7): times are shown on the 12-hour clock with AM/PM
("2:30 PM"), the way the product's Indian English locale writes them, in templates and in the
scripts that format times in the browser."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
# A Django date/time format string holding the 24-hour hour (H or G) next to minutes.
TWENTY_FOUR_HOUR = re.compile(r"""\|(?:date|time):["'][^"']*\b[HG]:i""")


def test_templates_use_the_12_hour_clock():
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in (ROOT / "templates").rglob("*.html")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if TWENTY_FOUR_HOUR.search(line)
    ]
    assert offenders == []


def test_browser_time_formatting_asks_for_the_12_hour_clock():
    for name in ("static/src/js/countdown.js", "static/src/js/room/chat.js"):
        text = (ROOT / name).read_text(encoding="utf-8")
        assert "hour12: true" in text, name
