"""One open generation of the index, read by the fast engine or by the reference engine.

Both answer the same questions (queries.py): the BM25F scores of a query over the webcast index,
the weights of a query's matches inside ranges of passages, document frequencies, the documents
with a value (filters, a webcast's passages), stored fields and the words of a prefix.

- FastEngine reads posting blocks in bulk (scoring.py, ranged.py) from compound segment files
  read in place (storage.ViewStorage), with BM25F over cached field lengths; where a query has
  no bulk path it walks Whoosh's matchers, as the reference does.
- ReferenceEngine uses Whoosh's public searcher, queries, matchers and BM25F only: the figures
  the fast one must give (the engine tests run the relevance suite on both).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from whoosh.filedb.filestore import FileStorage
from whoosh.query import And, Term
from whoosh.query import Phrase as WhooshPhrase
from whoosh.query.compound import DefaultOr
from whoosh.scoring import BM25F

from .queries import AllOf, Phrase, Query, Word
from .ranged import range_weights
from .scoring import CachedLengthBM25F, FastPhrase, add_phrase_scores, add_term_scores
from .storage import ViewStorage

WEBCASTS, PASSAGES = "webcasts", "passages"
Ranges = Sequence[tuple[int, int]]  # (first, last) document numbers, sorted, not overlapping


class _Engine:
    """The searchers of one generation directory, and the answers both engines give alike."""

    phrase: Any = WhooshPhrase

    def __init__(self, path: Path):
        self.path = path
        self._open()

    def _storage(self) -> Any:
        return FileStorage(str(self.path), readonly=True)

    def _weighting(self) -> Any:
        return BM25F()

    def _open(self) -> None:
        storage = self._storage()
        webcasts = storage.open_index(WEBCASTS).searcher(weighting=self._weighting())
        try:
            passages = storage.open_index(PASSAGES).searcher(weighting=self._weighting())
        except Exception:
            webcasts.close()
            raise
        self._searchers = {WEBCASTS: webcasts, PASSAGES: passages}

    def refresh(self) -> None:
        """Catch up with changes written into the directory (add/remove)."""
        # Whoosh's Searcher.refresh() reuses the readers of unchanged segments, and with them
        # their old sets of deleted documents: a replaced webcast would be found twice. Reopen.
        old = self._searchers
        self._open()
        for searcher in old.values():
            searcher.close()

    def close(self) -> None:
        for searcher in self._searchers.values():
            searcher.close()

    def frequency(self, index: str, field: str, term: str) -> int:
        """In how many documents of `index` `term` is in `field`."""
        return int(self._searchers[index].reader().doc_frequency(field, term))

    def documents_with(self, index: str, field: str, value: str) -> list[int]:
        """The (undeleted) documents of `index` whose `field` holds `value`, in order."""
        return sorted(self._searchers[index].docs_for_query(Term(field, value)))

    def stored(self, index: str, docnum: int) -> dict[str, Any]:
        """The stored fields of a document."""
        return self._searchers[index].stored_fields(docnum)  # type: ignore[no-any-return]

    def terms(self, index: str, field: str) -> list[str]:
        """Every term of a field (deleted documents' too)."""
        return [btext.decode("utf-8") for btext in self._searchers[index].reader().lexicon(field)]

    def prefix_terms(self, field: str, prefix: str, limit: int) -> list[tuple[str, int]]:
        """(term, document frequency) of the first `limit` terms of a webcast field that start
        with `prefix`."""
        found = []
        for n, (btext, info) in enumerate(
            self._searchers[WEBCASTS].reader().iter_prefix(field, prefix)
        ):
            if n >= limit:
                break
            found.append((btext.decode("utf-8"), int(info.doc_frequency())))
        return found

    def whoosh_query(self, query: Query) -> Any:
        """The Whoosh query of a query (Phrase: this engine's phrase query)."""
        if isinstance(query, Word):
            return Term(query.field, query.text, boost=query.boost)
        if isinstance(query, Phrase):
            return self.phrase(query.field, list(query.words), boost=query.boost)
        if isinstance(query, AllOf):
            return And([self.whoosh_query(q) for q in query.parts], boost=query.boost)
        parts = [self.whoosh_query(q) for q in query.parts]
        return parts[0] if len(parts) == 1 else DefaultOr(parts)

    def add_scores(self, query: Query, scores: dict[int, float]) -> None:
        """Add the BM25F score of each webcast `query` matches to `scores` (docnum -> score)."""
        searcher = self._searchers[WEBCASTS]
        whoosh_query = self.whoosh_query(query)
        context = None
        for leaf, offset in searcher.leaf_searchers():
            if self._add_bulk_scores(leaf, offset, whoosh_query, scores):
                continue
            if context is None:
                context = searcher.context()
            matcher = whoosh_query.matcher(leaf, context)
            while matcher.is_active():
                docnum = matcher.id() + offset
                scores[docnum] = scores.get(docnum, 0.0) + matcher.score()
                matcher.next()

    def _add_bulk_scores(self, leaf: Any, offset: int, query: Any, scores: dict) -> bool:
        return False

    def weights_in(self, query: Query, ranges: Ranges) -> dict[int, float]:
        """docnum -> weight (frequencies times boosts) of the passages inside `ranges` that
        `query` matches."""
        found: dict[int, float] = {}
        whoosh_query = self.whoosh_query(query)
        for leaf, offset in self._searchers[PASSAGES].leaf_searchers():
            size = leaf.doc_count_all()
            inside = [(a - offset, b - offset) for a, b in ranges if 0 <= a - offset < size]
            if inside:
                for docnum, weight in self._leaf_weights(leaf, whoosh_query, inside).items():
                    found[docnum + offset] = weight
        return found

    def _leaf_weights(self, leaf: Any, query: Any, ranges: Ranges) -> dict[int, float]:
        return matcher_weights(leaf, query, ranges)

    def searcher(self, index: str) -> Any:
        """The open Whoosh searcher of `index` (for the engine's tests)."""
        return self._searchers[index]


def matcher_weights(leaf: Any, query: Any, ranges: Ranges) -> dict[int, float]:
    """docnum -> weight of the documents inside `ranges` of one segment that a Whoosh query
    matches, walking its matcher."""
    matcher = query.matcher(leaf, leaf.context())
    found = {}
    for first, last in ranges:
        if matcher.is_active() and matcher.id() < first:
            matcher.skip_to(first)
        while matcher.is_active() and matcher.id() <= last:
            found[matcher.id()] = matcher.weight()
            matcher.next()
    return found


class ReferenceEngine(_Engine):
    """Whoosh's public searcher, queries (Phrase), matchers and BM25F, nothing else."""


class FastEngine(_Engine):
    """Posting blocks read in bulk, from compound files read in place (see the module)."""

    phrase = FastPhrase

    def _storage(self) -> Any:
        return ViewStorage(str(self.path))

    def _weighting(self) -> Any:
        return CachedLengthBM25F()

    def _add_bulk_scores(self, leaf: Any, offset: int, query: Any, scores: dict) -> bool:
        """Add the scores of a word, a phrase, or two words that must both be there, to
        `scores` without a Whoosh matcher (the same figures: an intersection scores the sum of
        its words' scores, times its boost). False if this needs Whoosh's matcher."""
        if isinstance(query, Term):
            return add_term_scores(leaf, offset, query, scores)
        if isinstance(query, FastPhrase):
            return add_phrase_scores(leaf, offset, query, scores)
        parts: Sequence[Any] = getattr(query, "subqueries", ())
        if not isinstance(query, And) or len(parts) != 2:
            return False
        if not all(isinstance(q, Term) and q.boost == 1.0 for q in parts):
            return False
        first: dict[int, float] = {}
        second: dict[int, float] = {}
        if not (
            add_term_scores(leaf, offset, parts[0], first)
            and add_term_scores(leaf, offset, parts[1], second)
        ):
            return False
        boost, get = query.boost, scores.get
        for docnum, score in first.items():
            other = second.get(docnum)
            if other is not None:
                scores[docnum] = get(docnum, 0.0) + (score + other) * boost
        return True

    def _leaf_weights(self, leaf: Any, query: Any, ranges: Ranges) -> dict[int, float]:
        return range_weights(leaf, query, ranges)
