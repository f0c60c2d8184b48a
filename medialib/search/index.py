"""SearchIndex: build, swap, change and query the index directory.

Layout of `index_dir`::

    CURRENT          {"generation": "gen-...", "serial": 7}, replaced atomically (os.replace)
    gen-<time>-<pid>/  a complete index: Whoosh indexes "webcasts" and "passages", spelling.json
                       (English), and lang-<code>/ the same for each other language (layout.py)
    .write.lock      held (flock) by whoever writes, so writers never interleave

A rebuild writes a new generation and then points CURRENT at it: readers see the old index or the
new one, never half of one. add() and remove() commit into the current generation (Whoosh commits
are atomic too) and bump the serial. Every search reads CURRENT (a few dozen bytes) and refreshes
its open searchers only when it changed, so a web server sees what the CLI did without a restart.
The previous generation is kept until the next rebuild, for readers still holding it.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import gc
import json
import os
import pickle
import shutil
import struct
import threading
import time
import warnings
import zlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from medialib.glossary import Glossary, GlossaryMatcher

from .analysis import ENGLISH as ENGLISH_ANALYSIS
from .analysis import Analysis, analysis_for, language_code
from .building import build_language, change_language, write_json
from .engine import (
    PASSAGES,
    WEBCASTS,
    FastEngine,
    ReferenceEngine,
    create_generation,
    index_exists,
)
from .layout import (
    ENGLISH,
    document_language,
    english_first,
    language_dir,
    language_glossary,
    languages_in,
)
from .model import IndexedWebcast, SearchResults, SearchUnavailable
from .query import clean_query, parse_query
from .searching import FEW_RESULTS, Generation

POINTER = "CURRENT"
LOCK = ".write.lock"
GENERATION_PREFIX = "gen-"
# What a damaged index raises from inside Whoosh; search turns these into SearchUnavailable.
INDEX_ERRORS = (OSError, EOFError, struct.error, zlib.error, pickle.UnpicklingError, KeyError)


class SearchIndex:
    """The search index of one library, kept open across searches and refreshed on change."""

    def __init__(self, index_dir: Path | str, glossary: Glossary | None = None, *,
                 engine: type[FastEngine | ReferenceEngine] = FastEngine):
        self.index_dir = Path(index_dir)
        self._engine = engine  # ReferenceEngine: Whoosh's public API only (for the tests)
        self.glossary = glossary if glossary is not None else _default_glossary()
        self._glossary_matcher, self._glossary_words = _compiled(self.glossary)
        self._lock = threading.RLock()
        self._generation: Generation | None = None
        self._languages: dict[str, Generation | None] = {}  # open beside _generation
        self._pointer: bytes | None = None

    # ---- reading ---------------------------------------------------------------------------

    def exists(self) -> bool:
        """Is there a complete, readable index to search?"""
        with _quiet_whoosh_leaks():
            try:
                ok = index_exists(self.index_dir / self._read_pointer()["generation"])
            except Exception:
                ok = False
            if not ok:
                gc.collect()
        return ok

    def search(
        self,
        query: str,
        *,
        topic: str | None = None,
        speaker: str | None = None,
        series: str | None = None,
        kind: str | None = None,
        slug: str | None = None,
        page: int = 1,
        per_page: int = 10,
        hits_per_webcast: int = 3,
        lang: str = ENGLISH,
    ) -> SearchResults:
        """Webcasts matching every word of `query` (or its glossary synonyms), best first, one
        page of them, each with its best moments; a spelling suggestion when few match, and the
        suggestion's results (corrected=True) when none do.

        `lang` is the language searched ("es"): the query is read with that language's analysis
        and glossary, the webcasts with captions in it are searched, and the moments, snippets,
        links and spelling suggestions are in it."""
        text = clean_query(query)
        page = max(1, min(_int(page, 1), 10_000))
        per_page = max(1, min(_int(per_page, 10), 100))
        hits_per_webcast = max(0, min(_int(hits_per_webcast, 3), 1_000))
        code = language_code(lang) or ENGLISH
        analysis = analysis_for(code)
        matcher = self._glossary_for(code)[0]
        clauses = parse_query(text, matcher, analysis)
        filters = [
            (field, str(value))
            for field, value in (
                ("topic", topic),
                ("speaker", speaker),
                ("series", series),
                ("kind", kind),
                ("slug", slug),
            )
            if value
        ]
        nothing = SearchResults(query=text, page=page, per_page=per_page, asked=query, lang=code)
        if not clauses:
            return nothing
        args = (filters, page, per_page, hits_per_webcast)
        with self._lock:
            generation = self._open_language(code)
            if generation is None:
                return nothing  # no webcast has captions in this language
            try:
                results = generation.search(text, clauses, *args)
                if results.total < FEW_RESULTS:
                    suggestion = generation.suggest(text)
                    if suggestion:
                        results.suggestion = suggestion
                        if results.total == 0:
                            fixed = parse_query(suggestion, matcher, analysis)
                            retry = generation.search(text, fixed, *args)
                            if retry.total:
                                retry.suggestion, retry.corrected = suggestion, True
                                results = retry
            except INDEX_ERRORS as exc:
                self._close()
                raise SearchUnavailable(
                    f"the search index in {self.index_dir} is damaged: "
                    f"{exc!r}; run `medialib reindex`"
                ) from exc
            results.asked = query
            return results

    def slugs(self) -> dict[str, int]:
        """slug -> number of index documents (the webcast's own and its passages', in every
        language)."""
        with self._lock:
            counts: dict[str, int] = {}
            try:
                for code in languages_in(self._open().path):
                    generation = self._open_language(code)
                    if generation is None:
                        continue
                    engine = generation.engine
                    for index in (WEBCASTS, PASSAGES):
                        for slug in engine.terms(index, "slug"):
                            n = len(engine.documents_with(index, "slug", slug))
                            if n:
                                counts[slug] = counts.get(slug, 0) + n
            except INDEX_ERRORS as exc:
                self._close()
                raise SearchUnavailable(
                    f"the search index in {self.index_dir} is damaged: {exc!r}"
                ) from exc
            return dict(sorted(counts.items()))

    def close(self) -> None:
        """Close the open searchers (a later search opens them again)."""
        with self._lock:
            self._close()

    def _close(self) -> None:
        self._close_languages()
        if self._generation is not None:
            with contextlib.suppress(Exception):
                self._generation.close()
        self._generation = None
        self._pointer = None

    def _read_pointer(self) -> dict[str, Any]:
        try:
            raw = (self.index_dir / POINTER).read_bytes()
        except FileNotFoundError:
            raise SearchUnavailable(
                f"there is no search index in {self.index_dir}; run `medialib reindex`"
            ) from None
        except OSError as exc:
            raise SearchUnavailable(f"cannot read the search index: {exc}") from None
        return _parse_pointer(raw, self.index_dir)

    def _open(self) -> Generation:
        """The open generation, refreshed if CURRENT changed since the last search."""
        error = ""
        for _ in range(3):
            try:
                raw = (self.index_dir / POINTER).read_bytes()
            except FileNotFoundError:
                self._close()
                raise SearchUnavailable(
                    f"there is no search index in {self.index_dir}; run `medialib reindex`"
                ) from None
            except OSError as exc:
                self._close()
                raise SearchUnavailable(f"cannot read the search index: {exc}") from None
            if self._generation is not None and raw == self._pointer:
                return self._generation
            name = _parse_pointer(raw, self.index_dir)["generation"]
            with _quiet_whoosh_leaks():
                try:
                    self._close_languages()  # opened again, up to date, when next searched
                    if self._generation is not None and self._generation.name == name:
                        self._generation.refresh()
                    else:
                        fresh = Generation(self.index_dir / name, self._glossary_words,
                                           self._engine)
                        self._close()
                        self._generation = fresh
                    self._pointer = raw
                    return self._generation
                except Exception as exc:  # a damaged or vanished index directory
                    error = repr(exc)
                gc.collect()
            self._close()
            # A rebuild may have replaced the directory between reading CURRENT and opening
            # it: then CURRENT has changed, and the new one is worth a try.
            with contextlib.suppress(OSError):
                if (self.index_dir / POINTER).read_bytes() != raw:
                    continue
            break
        raise SearchUnavailable(
            f"the search index in {self.index_dir} cannot be opened: {error}; "
            "run `medialib reindex`"
        )

    def _open_language(self, code: str) -> Generation | None:
        """The open generation of language `code` (None when no webcast has captions in it)."""
        root = self._open()
        if code == ENGLISH:
            return root
        if code not in self._languages:
            path = language_dir(root.path, code)
            error = ""
            with _quiet_whoosh_leaks():
                try:
                    self._languages[code] = (
                        Generation(path, self._glossary_for(code)[1], self._engine,
                                   analysis_for(code))
                        if index_exists(path) else None
                    )
                except Exception as exc:  # a damaged language directory
                    error = repr(exc)
                if error:
                    gc.collect()
            if error:
                raise SearchUnavailable(f"the search index in {path} cannot be opened: {error}; "
                                        "run `medialib reindex`")
        return self._languages[code]

    def _close_languages(self) -> None:
        for generation in self._languages.values():
            if generation is not None:
                with contextlib.suppress(Exception):
                    generation.close()
        self._languages.clear()

    def _glossary_for(self, code: str) -> tuple[GlossaryMatcher, list[str]]:
        """The glossary matcher of language `code` (over its terms), and its words."""
        if code == ENGLISH:
            return self._glossary_matcher, self._glossary_words
        return _compiled(language_glossary(code), analysis_for(code))

    # ---- writing ---------------------------------------------------------------------------

    def rebuild(self, webcasts: Iterable[IndexedWebcast], *, procs: int = 1) -> None:
        """Index `webcasts` (documents, each in its language) into a new directory, then swap it
        in atomically.

        With procs > 1, caption passages are indexed by a worker process while this one
        indexes the webcasts (two cores are all it can use)."""
        self.index_dir.mkdir(parents=True, exist_ok=True)
        with self._write_lock():
            path = self.index_dir / f"{GENERATION_PREFIX}{time.time_ns():020d}-{os.getpid()}"
            try:
                others: dict[str, list[IndexedWebcast]] = {}
                build_language(path, english_first(webcasts, others), procs)
                for code, documents in sorted(others.items()):
                    build_language(language_dir(path, code), documents, procs)
            except BaseException:
                shutil.rmtree(path, ignore_errors=True)
                raise
            previous = self._pointer_or_none()
            self._write_pointer(path.name)
            keep = {path.name, previous and previous["generation"]}
            for old in self.index_dir.glob(f"{GENERATION_PREFIX}*"):
                if old.name not in keep:
                    shutil.rmtree(old, ignore_errors=True)

    def add(self, webcast: IndexedWebcast | Sequence[IndexedWebcast]) -> None:
        """Index one webcast (its document, or its documents in each of its languages),
        replacing whatever the index held for its slug in every language."""
        documents = [webcast] if isinstance(webcast, IndexedWebcast) else list(webcast)
        slugs = {document.slug for document in documents}
        if len(slugs) != 1:
            raise ValueError(f"add() takes the documents of one webcast, not {sorted(slugs)}")
        self._change(slugs.pop(), documents)

    def remove(self, slug: str) -> None:
        """Drop a webcast from the index (nothing happens if it isn't there)."""
        if self._pointer_or_none() is not None:
            self._change(slug, [])

    def _change(self, slug: str, documents: Sequence[IndexedWebcast]) -> None:
        if self._pointer_or_none() is None:
            self.rebuild([])
        by_language = {document_language(document): document for document in documents}
        with self._write_lock():
            name = self._read_pointer()["generation"]
            path = self.index_dir / name
            present = languages_in(path)
            for code in [*present, *sorted(set(by_language) - set(present))]:
                where = language_dir(path, code)
                if code not in present:
                    create_generation(where)
                change_language(where, slug, by_language.get(code))
            self._write_pointer(name)

    @contextlib.contextmanager
    def _write_lock(self) -> Iterator[None]:
        self.index_dir.mkdir(parents=True, exist_ok=True)
        with open(self.index_dir / LOCK, "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _pointer_or_none(self) -> dict[str, Any] | None:
        try:
            return self._read_pointer()
        except SearchUnavailable:
            return None

    def _write_pointer(self, generation: str) -> None:
        previous = self._pointer_or_none()
        serial = int(previous.get("serial", 0)) + 1 if previous else 1
        write_json(self.index_dir / POINTER, {"generation": generation, "serial": serial})


@functools.lru_cache(maxsize=1)
def _default_glossary() -> Glossary:
    """English's glossary, the file languages.yaml names for it."""
    return Glossary.load(ENGLISH_ANALYSIS.glossary)


@functools.lru_cache(maxsize=8)
def _compiled(glossary: Glossary,
              analysis: Analysis = ENGLISH_ANALYSIS) -> tuple[GlossaryMatcher, list[str]]:
    """The glossary's matcher over index terms, and its words (known to the speller)."""
    words = [w for term in glossary.terms() for w in term.lower().split()]
    return glossary.compile(analysis.terms), words


@contextlib.contextmanager
def _quiet_whoosh_leaks() -> Iterator[None]:
    """Whoosh leaves a file open when a damaged table of contents fails to load. Callers
    collect it (gc.collect() once the exception is gone) inside this block, so that its
    ResourceWarning does not surface later in some unrelated place."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        yield


def _parse_pointer(raw: bytes, index_dir: Path) -> dict[str, Any]:
    try:
        pointer = json.loads(raw)
        name = pointer["generation"]
        if not isinstance(name, str) or "/" in name or not name.startswith(GENERATION_PREFIX):
            raise ValueError(name)
        return dict(pointer)
    except (ValueError, KeyError, TypeError) as exc:
        raise SearchUnavailable(
            f"{index_dir / POINTER} is damaged ({exc!r}); run `medialib reindex`"
        ) from None


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
