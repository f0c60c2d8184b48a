"""Spelling corrections from the library's own words ("did you mean").

The index writes a word list (word -> how often it is said) when it is built or changed; this
module looks corrections up in it. Nothing is expanded fuzzily per query against the index:
distance-1 candidates are generated and looked up in a dict (a few hundred lookups), and
distance-2 candidates come from a character-bigram index built once per word list, then checked
with a bounded edit distance.
"""

from __future__ import annotations

import string
from collections import Counter
from collections.abc import Iterable, Mapping

from .analysis import SPELLABLE_RE

_ALPHABET = string.ascii_lowercase
MAX_CANDIDATES = 60  # distance-2 candidates checked with a real edit distance
RARE = 2  # a known word said this few times may itself be a typo in the captions
MUCH_MORE_COMMON = 5  # ... if a neighbour is said this many times more often


class Speller:
    """Corrects words against a word list with counts."""

    def __init__(self, counts: Mapping[str, int], extra_words: Iterable[str] = (),
                 alphabet: str = _ALPHABET):
        self.counts: dict[str, int] = dict(counts)
        self.alphabet = alphabet  # the letters an edit tries (the language's)
        for word in extra_words:  # e.g. glossary terms: known even if no one said them yet
            if SPELLABLE_RE.match(word):
                self.counts.setdefault(word, 1)
        self._grams: dict[str, list[int]] | None = None
        self._words: list[str] = []

    def known(self, word: str) -> bool:
        return word in self.counts

    def correct(self, word: str) -> str | None:
        """The likeliest intended word for `word`, or None when it looks right (or hopeless)."""
        word = word.lower()
        if not SPELLABLE_RE.match(word):
            return None
        count = self.counts.get(word, 0)
        if count > RARE:
            return None
        near = self._best(w for w in _edits1(word, self.alphabet) if w in self.counts)
        if count:  # a rare word: only a far more common neighbour replaces it
            if near and self.counts[near] >= MUCH_MORE_COMMON * count:
                return near
            return None
        if near:
            return near
        if len(word) < 5:
            return None
        return self._best(self._within2(word), first=word[0])

    def _best(self, candidates: Iterable[str], first: str | None = None) -> str | None:
        best = None
        for cand in candidates:
            key = (first is None or cand[0] == first, self.counts[cand], cand)
            if best is None or key > best[0]:
                best = (key, cand)
        return best[1] if best else None

    def _within2(self, word: str) -> list[str]:
        if self._grams is None:
            self._build_grams()
        assert self._grams is not None
        grams = _bigrams(word)
        hits: Counter[int] = Counter()
        for gram in grams:
            hits.update(self._grams.get(gram, ()))
        # Two edits change at most four padded bigrams.
        need = len(grams) - 4
        out = []
        for wid, shared in hits.most_common(MAX_CANDIDATES * 4):
            if shared < need:
                break
            cand = self._words[wid]
            if abs(len(cand) - len(word)) <= 2 and _distance_at_most(word, cand, 2):
                out.append(cand)
                if len(out) >= MAX_CANDIDATES:
                    break
        return out

    def _build_grams(self) -> None:
        grams: dict[str, list[int]] = {}
        self._words = [w for w, n in self.counts.items() if len(w) >= 3]
        for wid, word in enumerate(self._words):
            for gram in set(_bigrams(word)):
                grams.setdefault(gram, []).append(wid)
        self._grams = grams


def _bigrams(word: str) -> list[str]:
    padded = f"^{word}$"
    return [padded[i : i + 2] for i in range(len(padded) - 1)]


def _edits1(word: str, alphabet: str = _ALPHABET) -> set[str]:
    letters = alphabet + "".join(sorted(set(word) - set(alphabet)))
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = [a + b[1:] for a, b in splits if b]
    transposes = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    replaces = [a + c + b[1:] for a, b in splits if b for c in letters]
    inserts = [a + c + b for a, b in splits for c in letters]
    return set(deletes + transposes + replaces + inserts) - {word}


def _distance_at_most(a: str, b: str, limit: int) -> bool:
    """Is the optimal-string-alignment distance of a and b at most `limit`?"""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return False
        prev2, prev = prev, cur
    return prev[-1] <= limit
