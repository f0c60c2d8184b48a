"""Faster Whoosh parts: a phrase query that compares position sets, BM25F with cached lengths.

Whoosh's own Phrase builds span objects for every position of every candidate document (about
0.1 ms a candidate here); this one checks a candidate with a few set operations. It is used where
positions are stored: caption passages and the short metadata fields. Phrases in the long
transcript field of the webcast index are matched through its word-pair field instead.

A search limited to some documents (the passages of a page of webcasts) puts their ranges in the
search context as `docnum_ranges`; the matcher then checks positions only inside them. Otherwise a
new matcher would check every candidate from the first document on before the caller could skip.
"""

from __future__ import annotations

from typing import Any

from whoosh.matching import IntersectionMatcher, NullMatcher
from whoosh.matching.wrappers import WrappingMatcher
from whoosh.query import Phrase, Term
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
        return PhraseMatcher(tree, self.boost, getattr(context, "docnum_ranges", None))


class PhraseMatcher(WrappingMatcher):
    """Matches the documents of an intersection of words whose positions follow each other
    (only inside `ranges`, sorted (first, last) document numbers, if given)."""

    def __init__(self, child: Any, boost: float = 1.0, ranges: Any = None):
        super().__init__(child, boost)
        self._leaves = list(child.term_matchers())
        self._ranges = ranges
        self._range = 0  # index of the first range that may still hold matches
        self._done = False
        self._find_next()

    def is_active(self) -> bool:
        return not self._done and self.child.is_active()

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
        child, ranges = self.child, self._ranges
        while child.is_active():
            if ranges is not None:
                docnum = child.id()
                while self._range < len(ranges) and ranges[self._range][1] < docnum:
                    self._range += 1
                if self._range == len(ranges):
                    self._done = True
                    return
                if docnum < ranges[self._range][0]:
                    child.skip_to(ranges[self._range][0])
                    continue
            if self._in_order():
                return
            child.next()

    def copy(self) -> PhraseMatcher:
        return PhraseMatcher(self.child.copy(), self.boost, self._ranges)

    def _replacement(self, newchild: Any) -> PhraseMatcher:
        return PhraseMatcher(newchild, self.boost, self._ranges)

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

    def scorer(self, searcher: Any, fieldname: str, text: Any, qf: int = 1) -> Any:
        scorer = super().scorer(searcher, fieldname, text, qf)
        if isinstance(scorer, BM25FScorer):
            known = self._lengths.setdefault((id(searcher.reader()), fieldname), {})
            read = searcher.doc_field_length

            def length(docnum: int) -> int:
                value = known.get(docnum)
                if value is None:
                    value = known[docnum] = read(docnum, fieldname, 1)
                return value

            scorer.dfl = length
        return scorer
