"""The search engine: the only part of medialib that imports Whoosh.

Relevance (query parsing, moments, spelling, ranking policy) sits above this package and speaks
to it through the names below only:

    engine = FastEngine(path)                   # one generation directory, opened for reading
    engine.add_scores(Word("title", "radiat", 6.0), scores)
    engine.weights_in(AllOf((Word("body", "chemo"), Word("body", "brain"))), ranges)
    engine.frequency("passages", "body", "chemo"); engine.documents_with("webcasts", "topic", t)
    engine.stored("passages", docnum); engine.prefix_terms("title", "lymph", 400)
    engine.refresh(); engine.close()
    create_generation(path); writer = open_writer(path, "webcasts"); writer.add_document(...)

ReferenceEngine answers the same on Whoosh's public API only (the engine tests compare them).
Modules: compat (the Whoosh versions and private names relied on, checked once at import),
codec, postings and writer (the segment format and its fast writer), storage (reading compound
files in place), scoring and ranged (bulk BM25F scores and weights), schema, searchers.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import compat

compat.check()

from whoosh.filedb.filestore import FileStorage  # noqa: E402
from whoosh.lang import NoStemmer, stemmer_for_language  # noqa: E402

from .queries import AllOf, AnyOf, Phrase, Query, Word  # noqa: E402
from .schema import passage_schema, webcast_schema  # noqa: E402
from .searchers import PASSAGES, WEBCASTS, FastEngine, ReferenceEngine  # noqa: E402
from .writer import segment_writer  # noqa: E402

Engine = FastEngine | ReferenceEngine


def create_generation(path: Path) -> None:
    """Create the two empty indexes of a generation directory."""
    storage = FileStorage(str(path))
    storage.create()
    storage.create_index(webcast_schema(), indexname=WEBCASTS)
    storage.create_index(passage_schema(), indexname=PASSAGES)


def open_writer(path: Path, index: str) -> Any:
    """A writer adding one segment to `index` of a generation directory: add_document(),
    delete_by_term(field, value), commit() or cancel()."""
    return segment_writer(FileStorage(str(path)).open_index(index))


def stored_documents(path: Path, index: str, field: str, value: str) -> list[dict[str, Any]]:
    """The stored fields of the documents of `index` whose `field` holds `value`."""
    with FileStorage(str(path)).open_index(index).searcher() as searcher:
        return [dict(stored) for stored in searcher.documents(**{field: value})]


def stemmer(name: str) -> Callable[[str], str]:
    """The stemmer Whoosh ships under `name`: "en_porter" (Porter's, English) or a Snowball
    language ("spanish", "es", "portuguese", ...); LookupError when it has none."""
    try:
        stem: Callable[[str], str] = stemmer_for_language(name)
    except NoStemmer:
        raise LookupError(f"Whoosh has no stemmer {name!r}") from None
    return stem


def index_exists(path: Path) -> bool:
    """Does the directory hold both indexes of a generation?"""
    storage = FileStorage(str(path), readonly=True)
    return bool(storage.index_exists(WEBCASTS) and storage.index_exists(PASSAGES))


__all__ = [
    "PASSAGES",
    "WEBCASTS",
    "AllOf",
    "AnyOf",
    "Engine",
    "FastEngine",
    "Phrase",
    "Query",
    "ReferenceEngine",
    "Word",
    "create_generation",
    "index_exists",
    "open_writer",
    "stemmer",
    "stored_documents",
]
