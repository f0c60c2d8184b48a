"""Values every page shows: the library's title (from catalog.yaml) and its canonical URL
(public URLs are web/urls.py's)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from flask import Flask, g, request
from sqlalchemy.exc import SQLAlchemyError

from ..catalog import CatalogError
from ..store import library_title as stored_title
from .context import library, session, settings
from .locale import page_lang
from .urls import absolute

DEFAULT_TITLE = "Webcast library"
_lock = threading.Lock()
_titles: dict[tuple[str, int], str] = {}


def library_title() -> str:
    """The catalog's `library.title` in the page's language, read once a request (pages, feeds
    and their items ask for it many times)."""
    lang = page_lang()
    titles: dict[str, str] = g.setdefault("library_titles", {})
    if lang not in titles:
        titles[lang] = _library_title(lang)
    return titles[lang]


def _library_title(lang: str) -> str:
    """The title as the database holds it (written with every change), translated when it
    is; before any write of this version, from catalog.yaml, re-read only when it changes."""
    try:
        stored = stored_title(session(), lang)
    except SQLAlchemyError:
        session().rollback()
        stored = None
    if stored is not None:
        return stored or DEFAULT_TITLE
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


def canonical_url() -> str:
    return absolute(request.path)


def _context() -> dict[str, Any]:
    return {"site_title": library_title(), "canonical": canonical_url()}


def init_app(app: Flask) -> None:
    app.context_processor(_context)
