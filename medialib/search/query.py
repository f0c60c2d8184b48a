"""User input -> clauses: words, quoted phrases, bounded prefixes, glossary synonyms.

A patient types words, never query syntax: anything that is not a word character, a double quote
or a trailing star is a separator, so operators, field names, brackets, NUL bytes and emoji can't
make a query fail. Every clause must match (AND); within a clause, the words typed and their
glossary synonyms are alternatives (OR), the synonyms with a lower weight.

`TextMatcher` finds the same clauses inside a piece of text (a caption passage, a chapter title)
so hits start on the right cue and the matched words can be highlighted.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from itertools import compress, count

from medialib.glossary import GlossaryMatcher

from .analysis import ENGLISH, Analysis

MAX_QUERY_CHARS = 500  # longer input is cut (at a word boundary): nobody types more
MAX_CLAUSES = 12
MAX_SYNONYMS = 24  # glossary alternatives in one query, all clauses together (each costs time)
MAX_PHRASE_WORDS = 16
MIN_PREFIX_CHARS = 3  # "ly*" would expand to half the lexicon; shorter prefixes are plain words
SYNONYM_BOOST = 0.5  # a glossary synonym weighs half the words the patient typed
# Dropped from unquoted queries when other words remain ("what is an advance directive"). Short
# and reviewed: no "will", "not", "can", "living"; glossary terms are found before dropping.
# Each language's list is in languages.yaml; this is English's.
OPERATORS = frozenset({"AND", "OR", "NOT"})

_QUOTES = str.maketrans({c: '"' for c in "\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033\uff02"})
_TOKEN_RE = re.compile(r"(\w+(?:\.\w+)*)(\*)?")

Terms = tuple[str, ...]
Alternative = tuple[Terms, float]  # terms in order (one: a word, several: a phrase) and a boost


@dataclass(frozen=True)
class Clause:
    """One required part of a query and its alternatives."""

    kind: str  # "words" (a word or a glossary term), "phrase" (quoted), "prefix" (lymph*)
    words: tuple[str, ...]  # lowercase words as typed
    alternatives: tuple[Alternative, ...]  # for "prefix", filled from the index's lexicon

    @property
    def prefix(self) -> str:
        return self.words[0]


def clean_query(query: str) -> str:
    """Printable, NFKC-normalized, single-spaced text of at most MAX_QUERY_CHARS."""
    text = unicodedata.normalize("NFKC", str(query)).translate(_QUOTES)
    text = "".join(" " if unicodedata.category(ch)[0] in "CZ" else ch for ch in text)
    text = " ".join(text.split())
    if len(text) > MAX_QUERY_CHARS:
        cut = text.rfind(" ", 0, MAX_QUERY_CHARS + 1)
        text = text[: cut if cut > 0 else MAX_QUERY_CHARS]
    return text


def parse_query(text: str, glossary: GlossaryMatcher | None,
                analysis: Analysis = ENGLISH) -> list[Clause]:
    """Clauses of a cleaned query, its words analyzed as `analysis` says; [] when it holds no
    words. `glossary` is keyed by the same analysis."""
    stem = analysis.stem
    dropped = analysis.is_stopword
    clauses: list[Clause] = []
    parts = text.split('"')
    balanced = len(parts) % 2 == 1  # an odd number of quotes leaves the last one open
    for i, part in enumerate(parts):
        quoted = i % 2 == 1 and (balanced or i < len(parts) - 1)
        if quoted:
            words = tuple(w.lower() for w, _ in _TOKEN_RE.findall(part))[:MAX_PHRASE_WORDS]
            if words:
                terms = tuple(stem(w) for w in words)
                clauses.append(Clause("phrase", words, ((terms, 1.0),)))
        else:
            clauses += _unquoted_clauses(part, glossary, stem)
    if any(c.kind != "words" or not dropped(c.words[0]) for c in clauses):
        clauses = [c for c in clauses if c.kind != "words" or not dropped(c.words[0])]
    unique: list[Clause] = []
    budget = MAX_SYNONYMS
    for clause in clauses:
        if clause in unique or len(unique) == MAX_CLAUSES:
            continue
        if clause.kind == "words" and len(clause.alternatives) > 1:
            synonyms = clause.alternatives[1 : 1 + budget]
            budget -= len(synonyms)
            clause = replace(clause, alternatives=(clause.alternatives[0], *synonyms))
        unique.append(clause)
    return unique


def _unquoted_clauses(part: str, glossary: GlossaryMatcher | None,
                      stem: Callable[[str], str]) -> list[Clause]:
    tokens = [(w, star) for w, star in _TOKEN_RE.findall(part) if w not in OPERATORS]
    clauses: list[Clause] = []
    run: list[str] = []  # consecutive plain words, where glossary terms are looked for

    def flush() -> None:
        terms = [stem(w) for w in run]
        spans = glossary.find(terms) if glossary else []
        i = 0
        for start, end, alts in [*spans, (len(run), len(run), ())]:
            for j in range(i, start):
                clauses.append(Clause("words", (run[j],), (((terms[j],), 1.0),)))
            if start < end:
                own: Alternative = (tuple(terms[start:end]), 1.0)
                # A synonym that contains the words typed ("radiation therapy" for "radiation")
                # finds nothing more; leave it out.
                synonyms = tuple((alt, SYNONYM_BOOST) for alt in alts if not _contains(alt, own[0]))
                clauses.append(Clause("words", tuple(run[start:end]), (own, *synonyms)))
            i = end
        run.clear()

    for word, star in tokens:
        word = word.lower()
        if star and len(word) >= MIN_PREFIX_CHARS:
            flush()
            clauses.append(Clause("prefix", (word,), ()))
        else:
            run.append(word)
    flush()
    return clauses


def _contains(terms: tuple[str, ...], part: tuple[str, ...]) -> bool:
    return any(terms[i : i + len(part)] == part for i in range(len(terms) - len(part) + 1))


@dataclass(frozen=True)
class Match:
    pos: int  # index of the first matched term
    length: int
    clause: int
    boost: float


class TextMatcher:
    """Finds the clauses of a query inside a sequence of terms."""

    def __init__(self, clauses: Sequence[Clause]):
        self.clause_count = len(clauses)
        self._by_first: dict[str, list[tuple[int, Terms, float]]] = {}
        for index, clause in enumerate(clauses):
            for terms, boost in clause.alternatives:
                self._by_first.setdefault(terms[0], []).append((index, terms, boost))
        self._firsts = frozenset(self._by_first)
        # The most coverage() can give: each clause's best alternative.
        self.most_coverage = sum(max((b for _, b in c.alternatives), default=0.0) for c in clauses)

    def matches(self, terms: Sequence[str]) -> list[Match]:
        """Every match of every clause alternative, in text order."""
        if self._firsts.isdisjoint(terms):
            return []  # (most chapter titles, and most texts of a webcast's other fields)
        found = []
        by_first = self._by_first
        # Most terms of a text start no alternative: find those that do in one pass, in C.
        for pos in compress(count(), map(by_first.__contains__, terms)):
            for clause, alt, boost in by_first[terms[pos]]:
                if len(alt) == 1 or tuple(terms[pos : pos + len(alt)]) == alt:
                    found.append(Match(pos, len(alt), clause, boost))
        return found

    def clauses_in(self, terms: Sequence[str]) -> set[int]:
        """The clauses that match somewhere in `terms`."""
        return {m.clause for m in self.matches(terms)}

    def covers_all(self, matches: Sequence[Match]) -> bool:
        """Do the matches include every clause?"""
        return self.clause_count > 0 and len({m.clause for m in matches}) == self.clause_count

    @staticmethod
    def coverage(matches: Sequence[Match]) -> float:
        """How much of the query the matches hold: per clause, its best boost."""
        best: dict[int, float] = {}
        for m in matches:
            best[m.clause] = max(best.get(m.clause, 0.0), m.boost)
        return sum(best.values())
