"""Values every page shows: the library's title (from catalog.yaml) and its canonical URL."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from flask import Flask, request

from ..catalog import CatalogError
from .context import library, settings

DEFAULT_TITLE = "Webcast library"
_lock = threading.Lock()
_titles: dict[tuple[str, int], str] = {}


def library_title() -> str:
    """The catalog's `library.title`, re-read only when catalog.yaml changes."""
    path = Path(settings().catalog_path)
    try:
        key = (str(path), path.stat().st_mtime_ns)
    except OSError:
        return DEFAULT_TITLE
    with _lock:
        if key in _titles:
            return _titles[key]
    try:
        title = library().load_catalog().title
    except (CatalogError, OSError):
        title = DEFAULT_TITLE
    with _lock:
        _titles.clear()
        _titles[key] = title
    return title


def canonical_url() -> str | None:
    base = settings().public_base_url.rstrip("/")
    return f"{base}{request.path}" if base else None


def _context() -> dict[str, Any]:
    return {"site_title": library_title(), "canonical": canonical_url()}


def init_app(app: Flask) -> None:
    app.context_processor(_context)
