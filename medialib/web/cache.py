"""Published pages served from memory, until the library changes.

Public pages change only when staff publish, remove or reindex, and each of those bumps the
database's generation (store.bump_generation) and rewrites the search index's CURRENT pointer.
So a rendered GET response is kept, keyed on that state and on what else shapes the bytes (the
Host header, path and query string, whether the client takes gzip; on the English home page,
the language its Accept-Language asks for first), and sent again as long as
the state is the same; the first request after a change renders afresh. Each response carries an
`ETag` and a `Last-Modified` (the time of the last change), and a browser or an nginx in front
that asks again with `If-None-Match` or `If-Modified-Since` gets a 304 without a body.

Bounded: at most `page_cache_entries` responses and `page_cache_mb` megabytes, least recently
used first out; everything is dropped when the state changes. Only 200s without cookies are kept
(an untrusted Host is a 400, so it never gets an entry); media, static files and requests with a
body pass through untouched. A WSGI middleware, so a hit costs neither Flask nor a template.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from typing import Any

from ..config import Settings
from ..i18n import preferred
from ..library import Library

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
PASS_THROUGH = ("/media/", "/static/")
# The index's pointer file (see medialib.search.index): rewritten by every add, remove and
# rebuild, so its stat changes with the index (tests/test_page_cache.py checks it does).
INDEX_POINTER = "CURRENT"
ENTRY_SHARE = 8  # no single response may take more than this fraction of the byte budget
DROPPED_ON_304 = {"content-length", "content-type", "content-encoding"}
# Pages that differ with Accept-Language (the English home page offers the browser's language;
# see web/locale.py): their entries are kept per interface language the browser asks for first.
VARY_LANGUAGE = ("/",)


@dataclass(frozen=True)
class Entry:
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    etag: str
    changed_at: float


class PageCache:
    """WSGI middleware keeping rendered public GET responses for the library's current state."""

    def __init__(self, app: WSGIApp, library: Library, settings: Settings):
        self.app = app
        self.library = library
        self.pointer = Path(settings.index_path) / INDEX_POINTER
        self.max_entries = settings.page_cache_entries
        self.max_bytes = settings.page_cache_mb * 1024 * 1024
        self._entries: OrderedDict[tuple[Any, ...], Entry] = OrderedDict()
        self._bytes = 0
        self._state: tuple[Any, ...] | None = None
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        if not self._candidate(environ):
            return self.app(environ, start_response)
        state = self._current_state()
        if state is None:
            return self.app(environ, start_response)
        key = (
            environ.get("HTTP_HOST", ""), environ.get("SCRIPT_NAME", ""),
            environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""),
            "gzip" in environ.get("HTTP_ACCEPT_ENCODING", "").lower(),
            preferred(environ.get("HTTP_ACCEPT_LANGUAGE"))
            if environ.get("PATH_INFO", "") in VARY_LANGUAGE else None,
        )
        with self._lock:
            if state != self._state:
                self._entries.clear()
                self._bytes, self._state = 0, state
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                self.hits += 1
        if entry is None:
            captured = self._render(environ, state[0][1])
            if isinstance(captured, Entry):
                entry = captured
                self._store(state, key, entry)
            else:
                status, headers, body = captured
                start_response(status, headers)
                return [body]
        return self._answer(entry, environ, start_response)

    # ---- deciding -----------------------------------------------------------------------------

    def _candidate(self, environ: dict[str, Any]) -> bool:
        if self.max_entries <= 0 or environ.get("REQUEST_METHOD") != "GET":
            return False
        if str(environ.get("PATH_INFO", "")).startswith(PASS_THROUGH):
            return False
        length = str(environ.get("CONTENT_LENGTH") or "").strip()
        return length in ("", "0") and not environ.get("HTTP_TRANSFER_ENCODING")

    def _current_state(self) -> tuple[Any, ...] | None:
        """The database's (generation, changed_at) and the index pointer's identity; None when
        either cannot be read (then nothing is cached)."""
        generation = self.library.generation()
        if generation is None:
            return None
        try:
            st = os.stat(self.pointer)
        except OSError:
            return None
        return (generation, (st.st_ino, st.st_mtime_ns, st.st_size))

    # ---- rendering and keeping -------------------------------------------------------------------

    def _render(self, environ: dict[str, Any], changed_at: float
                ) -> Entry | tuple[str, list[tuple[str, str]], bytes]:
        """Run the app; an Entry when the response may be kept, else what to send as it is."""
        started: list[Any] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            started[:] = [status, list(headers)]
            return lambda _data: None  # the app writes nothing through write()

        result = self.app(environ, capture)
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        status, headers = started
        names = {name.lower(): value for name, value in headers}
        keep = (
            status.startswith("200")
            and "set-cookie" not in names
            and not any(word in names.get("cache-control", "") for word in ("no-store", "private"))
            and len(body) <= self.max_bytes // ENTRY_SHARE
        )
        with self._lock:
            self.misses += 1
        if not keep:
            return status, headers, body
        etag = names.get("etag") or f'"{hashlib.blake2b(body, digest_size=12).hexdigest()}"'
        extra = [("ETag", etag)] if "etag" not in names else []
        if "last-modified" not in names:
            extra.append(("Last-Modified", formatdate(changed_at, usegmt=True)))
        if "cache-control" not in names:
            extra.append(("Cache-Control", "no-cache"))  # revalidate (a 304) on every use
        return Entry(status, headers + extra, body, etag, changed_at)

    def _store(self, state: tuple[Any, ...], key: tuple[Any, ...], entry: Entry) -> None:
        with self._lock:
            if state != self._state:
                return  # the library changed while this page was rendered
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old.body)
            self._entries[key] = entry
            self._bytes += len(entry.body)
            while self._entries and (len(self._entries) > self.max_entries
                                     or self._bytes > self.max_bytes):
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= len(dropped.body)

    def _answer(self, entry: Entry, environ: dict[str, Any], start_response: Callable[..., Any]
                ) -> Iterable[bytes]:
        if _not_modified(entry, environ):
            headers = [(k, v) for k, v in entry.headers if k.lower() not in DROPPED_ON_304]
            start_response("304 Not Modified", headers)
            return []
        start_response(entry.status, list(entry.headers))
        return [entry.body]

    def stats(self) -> dict[str, int]:
        """Entries, bytes, hits and misses so far (for tests and benchmarks)."""
        with self._lock:
            return {"entries": len(self._entries), "bytes": self._bytes,
                    "hits": self.hits, "misses": self.misses}


def _not_modified(entry: Entry, environ: dict[str, Any]) -> bool:
    """The client's copy is current: If-None-Match names the ETag (or, without it,
    If-Modified-Since is not older than the last change)."""
    if_none_match = environ.get("HTTP_IF_NONE_MATCH")
    if if_none_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return "*" in tags or entry.etag.removeprefix("W/") in tags
    since = environ.get("HTTP_IF_MODIFIED_SINCE")
    if not since:
        return False
    try:
        return parsedate_to_datetime(since).timestamp() >= int(entry.changed_at)
    except (TypeError, ValueError, IndexError, OverflowError):
        return False
