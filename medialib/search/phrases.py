"""A faster phrase query for Whoosh: intersect the words, then compare position sets.

Whoosh's own Phrase builds span objects for every position of every candidate document (about
0.1 ms a candidate here); this one checks a candidate with a few set operations. It is used where
positions are stored: caption passages and the short metadata fields. Phrases in the long
transcript field of the webcast index are matched through its word-pair field instead.
"""

from __future__ import annotations

from typing import Any

from whoosh.matching import IntersectionMatcher, NullMatcher
from whoosh.matching.wrappers import WrappingMatcher
from whoosh.query import Phrase, Term


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
        leaves = self._leaves
        candidates = set(leaves[0].value_as("positions"))
        for offset, leaf in enumerate(leaves[1:], start=1):
            candidates.intersection_update(p - offset for p in leaf.value_as("positions"))
            if not candidates:
                return False
        return True

    def _find_next(self) -> None:
        child = self.child
        while child.is_active() and not self._in_order():
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
        self.child.skip_to(id)
        self._find_next()

    def all_ids(self) -> Any:
        while self.is_active():
            yield self.id()
            self.next()

    def supports_block_quality(self) -> bool:
        return False  # block maxima of the words say nothing about the phrase
