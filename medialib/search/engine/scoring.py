"""Faster Whoosh parts: a phrase query that compares position sets, BM25F with cached lengths,
a term's scores in bulk.

Whoosh's own Phrase builds span objects for every position of every candidate document (about
0.1 ms a candidate here); this one checks a candidate with a few set operations. It is used where
positions are stored: caption passages and the short metadata fields. Phrases in the long
transcript field of the webcast index are matched through its word-pair field instead.

Searches mostly read a phrase's postings in bulk instead: add_phrase_scores() here, and
ranged.range_weights() inside the passages of a page of webcasts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import repeat
from typing import Any

from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching import IntersectionMatcher, NullMatcher
from whoosh.matching.wrappers import FilterMatcher, WrappingMatcher
from whoosh.query import Phrase, Term
from whoosh.reading import TermNotFound
from whoosh.scoring import BM25F, BM25FScorer


class FastPhrase(Phrase):
    """Phrase (slop 1, in order) with a set-based position check."""

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        field = self.fieldname
        reader = searcher.reader()
        if field not in searcher.schema:
            return NullMatcher()
        leaves = []
        for word in self.words:
            if (field, word) not in reader:
                return NullMatcher()
            leaves.append(Term(field, word).matcher(searcher, context))
        tree = leaves[0]
        for leaf in leaves[1:]:
            tree = IntersectionMatcher(tree, leaf)
        return PhraseMatcher(tree, self.boost)


class PhraseMatcher(WrappingMatcher):
    """Matches the documents of an intersection of words whose positions follow each other."""

    def __init__(self, child: Any, boost: float = 1.0):
        super().__init__(child, boost)
        self._leaves = list(child.term_matchers())
        self._find_next()

    def _in_order(self) -> bool:
        # Rarest word first (its frequency is known without decoding positions): when the
        # phrase is not there, the check usually ends after decoding two short lists.
        order = sorted(enumerate(self._leaves), key=lambda il: il[1].weight())
        offset, leaf = order[0]
        starts = {p - offset for p in leaf.value_as("positions")}
        for offset, leaf in order[1:]:
            starts.intersection_update(p - offset for p in leaf.value_as("positions"))
            if not starts:
                return False
        return True

    def _find_next(self) -> None:
        child = self.child
        while child.is_active():
            if self._in_order():
                return
            child.next()

    def copy(self) -> PhraseMatcher:
        return PhraseMatcher(self.child.copy(), self.boost)

    def _replacement(self, newchild: Any) -> PhraseMatcher:
        return PhraseMatcher(newchild, self.boost)

    def replace(self, minquality: float = 0) -> Any:
        return self if self.is_active() else NullMatcher()

    def next(self) -> None:
        self.child.next()
        self._find_next()

    def skip_to(self, id: int) -> None:
        if self.is_active():
            self.child.skip_to(id)
            self._find_next()

    def all_ids(self) -> Any:
        while self.is_active():
            yield self.id()
            self.next()

    def supports_block_quality(self) -> bool:
        return False  # block maxima of the words say nothing about the phrase


class CachedLengthBM25F(BM25F):
    """Whoosh's BM25F, with each document's field length read once and kept.

    Scoring reads the length of the field in the document for every posting; Whoosh reads it
    from the length column each time (a few microseconds, the largest part of scoring here).
    One instance per open searcher: the lengths of its segments are kept until it is closed."""

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self._lengths: dict[tuple[int, str], dict[int, int]] = {}
        self._norms: dict[tuple[Any, ...], list[float]] = {}

    def scorer(self, searcher: Any, fieldname: str, text: Any, qf: int = 1) -> Any:
        if not searcher.schema[fieldname].scorable:
            return super().scorer(searcher, fieldname, text, qf)
        B = self._field_B.get(fieldname, self.B)
        known = self._lengths.setdefault((id(searcher.reader()), fieldname), {})
        return CachedLengthScorer(searcher, fieldname, text, B, self.K1, qf=qf, known=known)

    def norms(
        self, searcher: Any, fieldname: str, B: float, K1: float, avgfl: float
    ) -> list[float]:
        """Per document of a segment, the part of BM25's denominator that depends on the field's
        length in it, `K1 * ((1 - B) + B * length / avgfl)`, as bm25() computes it (kept)."""
        key = (id(searcher.reader()), fieldname, B, K1, avgfl)
        norms = self._norms.get(key)
        if norms is None:
            read = searcher.doc_field_length
            # (A deleted document has no length, and no postings to score.)
            lengths = [read(d, fieldname, 1) or 0 for d in range(searcher.doc_count_all())]
            norms = self._norms[key] = [K1 * ((1 - B) + B * fl / avgfl) for fl in lengths]
        return norms


class CachedLengthScorer(BM25FScorer):
    """Whoosh's BM25FScorer, reading each document's field length once (into `known`)."""

    def __init__(self, searcher: Any, fieldname: str, text: Any, B: float, K1: float,
                 qf: int = 1, *, known: dict[int, int]):
        super().__init__(searcher, fieldname, text, B, K1, qf=qf)
        self._known = known
        self._read = searcher.doc_field_length
        self._fieldname = fieldname

    def score(self, matcher: Any) -> float:
        docnum = matcher.id()
        length = self._known.get(docnum)
        if length is None:
            length = self._known[docnum] = self._read(docnum, self._fieldname, 1)
        return float(self._score(matcher.weight(), length))


Block = tuple[Any, Any, Any]  # docnums, frequencies, encoded positions (or None)
Scoring = tuple[float, float, list[float]]  # idf, K1 + 1, and the norms of a segment's documents


def _term_scoring(searcher: Any, field: str, text: str) -> Scoring | None:
    """What BM25F needs to score a word's postings in a segment, the same figures Whoosh's
    BM25FScorer uses; None if the searcher's weighting or the field is not BM25F."""
    weighting = searcher.weighting
    if not isinstance(weighting, CachedLengthBM25F) or field not in searcher.schema:
        return None
    if not searcher.schema[field].scorable:
        return None
    parent = searcher.get_parent()  # (itself, if it has none)
    idf = parent.idf(field, text)
    avgfl = parent.avg_field_length(field) or 1
    B, K1 = weighting._field_B.get(field, weighting.B), weighting.K1
    return idf, K1 + 1, weighting.norms(searcher, field, B, K1, avgfl)


def leaf_postings(reader: Any, field: str, text: str) -> tuple[Any, frozenset[int]]:
    """A word's postings in a segment (TermNotFound if it has none), and the segment's deleted
    documents among them to leave out. Whoosh wraps the postings of a segment with deleted
    documents in a filter that goes a posting at a time; the blocks below it are returned."""
    postings = reader.postings(field, text)
    if (isinstance(postings, FilterMatcher) and postings._exclude
            and isinstance(postings.child, W3LeafMatcher)):
        return postings.child, postings._ids
    return postings, frozenset()


def _blocks(reader: Any, field: str, text: str, positions: bool) -> Iterator[Block]:
    """The postings of a word in a segment, a block at a time: (docnums, frequencies, encoded
    positions or None)."""
    try:
        postings, deleted = leaf_postings(reader, field, text)
    except TermNotFound:
        return
    if isinstance(postings, W3LeafMatcher):  # blocks on disk
        while postings.is_active():
            if postings._ids is None:
                postings._read_ids()
            if postings._weights is None:
                postings._read_weights()
            start = postings._i
            ids, weights, values = postings._ids[start:], postings._weights[start:], None
            if positions:
                if postings._values is None:
                    postings._read_values()
                values = postings._values[start:]
            if deleted and not deleted.isdisjoint(ids):
                kept = [i for i, docnum in enumerate(ids) if docnum not in deleted]
                ids, weights = [ids[i] for i in kept], [weights[i] for i in kept]
                values = [values[i] for i in kept] if values is not None else None
            yield ids, weights, values
            postings._next_block()
        return
    ids, weights, encoded = [], [], []  # inlined in the term dictionary
    while postings.is_active():
        ids.append(postings.id())
        weights.append(postings.weight())
        if positions:
            encoded.append(postings.value())
        postings.next()
    yield ids, weights, encoded if positions else None


def _term_postings(searcher: Any, field: str, text: str) -> dict[int, tuple[float, Any]] | None:
    """docnum -> (BM25F score, encoded positions) of a word in a segment, as Whoosh's Term
    matcher scores it; None if the searcher's weighting or the field is not BM25F."""
    scoring = _term_scoring(searcher, field, text)
    if scoring is None:
        return None
    idf, k1_plus_1, norms = scoring
    found: dict[int, tuple[float, Any]] = {}
    for ids, weights, values in _blocks(searcher.reader(), field, text, positions=True):
        for docnum, tf, value in zip(ids, weights, values or repeat(None), strict=False):
            found[docnum] = (idf * ((tf * k1_plus_1) / (tf + norms[docnum])), value)
    return found


def phrase_documents(
    found: Sequence[dict[int, tuple[float, Any]]], decode: Callable[[Any], Iterable[int]]
) -> Iterator[int]:
    """The documents where a phrase's words follow each other, from the postings of each word
    in order (docnum -> (a figure, its encoded positions)), in the order of the rarest word's."""
    for docnum in min(found, key=len):
        if not all(docnum in postings for postings in found):
            continue
        starts: set[int] | None = None
        for i, postings in enumerate(found):
            shifted = {p - i for p in decode(postings[docnum][1])}
            starts = shifted if starts is None else starts & shifted
            if not starts:
                break
        if starts:
            yield docnum


def add_phrase_scores(
    searcher: Any, offset: int, query: FastPhrase, scores: dict[int, float]
) -> bool:
    """Add the scores of a phrase in one segment to `scores`, as FastPhrase's matcher would
    (the sum of its words' scores, left to right, times its boost, where the words follow each
    other), reading each word's postings in bulk. False if this needs Whoosh's matcher."""
    field, words = query.fieldname, list(query.words)
    if field not in searcher.schema or not searcher.schema[field].format.supports("positions"):
        return False
    found = []
    for word in words:
        postings = _term_postings(searcher, field, word)
        if postings is None:
            return False
        if not postings:
            return True
        found.append(postings)
    get = scores.get
    for docnum in phrase_documents(found, searcher.schema[field].format.decoder("positions")):
        score = found[0][docnum][0]
        for postings in found[1:]:
            score = score + postings[docnum][0]
        scores[docnum + offset] = get(docnum + offset, 0.0) + score * query.boost
    return True


def add_term_scores(searcher: Any, offset: int, query: Term, scores: dict[int, float]) -> bool:
    """Add the scores of a term query in one segment (document numbers + `offset`) to
    `scores`, as Whoosh's Term matcher would score them (same formula, lengths and order of
    operations), but reading a block of postings at a time instead of going through a matcher,
    a scorer and a boost wrapper for each posting: a common word is in every webcast. False
    (nothing added) unless the searcher's weighting is CachedLengthBM25F and the field scored."""
    field, text = query.fieldname, query.text
    scoring = _term_scoring(searcher, field, text)
    if scoring is None:
        return False
    idf, k1_plus_1, norms = scoring
    boost, get = query.boost, scores.get
    for ids, weights, _ in _blocks(searcher.reader(), field, text, positions=False):
        for docnum, tf in zip(ids, weights, strict=True):
            key = docnum + offset
            scores[key] = get(key, 0.0) + idf * ((tf * k1_plus_1) / (tf + norms[docnum])) * boost
    return True
