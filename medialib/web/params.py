"""Query-string values as the views need them: never an exception on what a visitor types."""

from __future__ import annotations

import math
import re

from flask_babel import ngettext

MAX_QUERY = 500  # characters of a search query; longer input is cut, never an error
MAX_ID = 200
MAX_PAGE = 1000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_FRAGMENT = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s?)?$")


def clean_text(value: str | None, limit: int = MAX_QUERY) -> str:
    """Text without control characters (NUL included), whitespace collapsed, at most `limit`."""
    if not value:
        return ""
    text = _CONTROL.sub(" ", value)
    return " ".join(text.split())[:limit].strip()


def clean_id(value: str | None) -> str | None:
    """A filter or path id (topic, speaker, series) that may be looked up, else None."""
    text = clean_text(value, MAX_ID + 1)
    if not text or len(text) > MAX_ID or text != (value or "").strip():
        return None
    return text


def page_number(value: str | None) -> int:
    """A page number from 1 to MAX_PAGE; anything else is page 1 (or the last allowed)."""
    try:
        page = int((value or "1").strip())
    except ValueError:
        return 1
    return min(max(page, 1), MAX_PAGE)


def seconds(value: str | None, limit: float | None = None) -> float:
    """A start time in seconds from ?t= ("90", "90.5", "1m30s", "1h2m3s"); 0 when it is not one."""
    if not value:
        return 0.0
    text = value.strip().lower()
    try:
        number = float(text)
    except ValueError:
        match = _FRAGMENT.match(text) if len(text) < 40 else None
        if not match or not any(match.groups()):
            return 0.0
        hours, minutes, secs = match.groups()
        number = int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(secs or 0)
    if not math.isfinite(number) or number < 0:
        return 0.0
    if limit is not None and limit > 0:
        number = min(number, limit)
    return number


def spoken_duration(total: float | None) -> str:
    """"25 minutes", "1 hour 5 minutes", "45 seconds" — how long something takes, in words."""
    if not total or not math.isfinite(total) or total <= 0:
        return ""
    value = int(round(total))
    if value < 60:
        return ngettext("%(num)d second", "%(num)d seconds", value)
    minutes = int(round(value / 60))
    hours, minutes = divmod(minutes, 60)
    words = []
    if hours:
        words.append(ngettext("%(num)d hour", "%(num)d hours", hours))
    if minutes:
        words.append(ngettext("%(num)d minute", "%(num)d minutes", minutes))
    return " ".join(words)
