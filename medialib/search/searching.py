"""Running a query over one open state of the index: rank webcasts, then find their moments.

1. Each clause is an OR of its alternatives (the words typed, their glossary synonyms, a
   prefix's words) over the weighted webcast fields; the clauses are ANDed with the filters.
   Alternatives whose words the index has never seen are dropped before the engine sees them.
2. One pass over the passages of the page's webcasts (the words typed; synonyms only where the
   words typed are not said) finds, per webcast, how many passages match and which match best;
   `moments` then picks the best moments from those passages' stored cues.
"""

from __future__ import annotations

import heapq
import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import replace
from operator import neg
from pathlib import Path
from typing import Any

from .analysis import ENGLISH, SPELLABLE_RE, Analysis
from .building import read_json
from .cache import BoundedCache
from .documents import SPELLING_FILE, WEBCAST_FIELDS
from .engine import (
    PASSAGES,
    WEBCASTS,
    AllOf,
    AnyOf,
    FastEngine,
    Phrase,
    Query,
    ReferenceEngine,
    Word,
)
from .model import SearchResults, WebcastResult
from .moments import matched_fields, webcast_moments
from .query import Clause, TextMatcher
from .spelling import Speller

MAX_PREFIX_TERMS = 24  # a prefix stands for at most this many words (its most common ones)
MAX_PREFIX_SCAN = 400  # ... chosen among at most this many in the lexicon
FEW_RESULTS = 3  # below this many webcasts, offer a spelling suggestion
# What one open index remembers (see cache.py): entries, each keyed by something typed.
CACHED_FREQUENCIES = 50_000  # (field, term) -> documents (~40 µs a lookup)
CACHED_PREFIXES = 1_000  # prefix -> its words
CACHED_FILTERS = 256  # (field, value) -> the webcasts with it
CACHED_WEBCASTS = 2_048  # slug -> the runs of its passages
CACHED_SUGGESTIONS = 1_000  # query -> its spelling suggestion
_WORD_RE = re.compile(r"\w+(?:\.\w+)*")


def _or(queries: list[Query]) -> Query | None:
    if not queries:
        return None
    return queries[0] if len(queries) == 1 else AnyOf(tuple(queries))


class Generation:
    """One published index directory of one language, open for searching, refreshed when it
    changes."""

    def __init__(self, path: Path, glossary_words: Sequence[str],
                 engine: type[FastEngine | ReferenceEngine] = FastEngine,
                 analysis: Analysis = ENGLISH):
        self.path = path
        self.name = path.name
        self.analysis = analysis
        self._glossary_words = glossary_words
        self.engine = engine(path)
        self._forget()

    def _forget(self) -> None:
        self._slug_ranges: BoundedCache[list[tuple[int, int]]] = BoundedCache(CACHED_WEBCASTS)
        self._speller: Speller | None = None
        self._prefixes: BoundedCache[tuple[str, ...]] = BoundedCache(CACHED_PREFIXES)
        self._known: BoundedCache[int] = BoundedCache(CACHED_FREQUENCIES)
        self._filters: BoundedCache[frozenset[int]] = BoundedCache(CACHED_FILTERS)
        self._suggestions: BoundedCache[str | None] = BoundedCache(CACHED_SUGGESTIONS)

    def refresh(self) -> None:
        """Catch up with changes written into this directory (add/remove)."""
        self.engine.refresh()
        self._forget()

    def close(self) -> None:
        self.engine.close()

    # ---- query building --------------------------------------------------------------------

    def _frequency(self, field: str, term: str) -> int:
        """In how many documents `term` is in `field` (cached; the lookup costs ~40 µs)."""
        index = PASSAGES if field == "body" else WEBCASTS
        return self._known.get((field, term), lambda: self.engine.frequency(index, field, term))

    def _has(self, field: str, term: str) -> bool:
        return self._frequency(field, term) > 0

    def _webcast_alternative(
        self, field: str, terms: tuple[str, ...], boost: float
    ) -> Query | None:
        if field == "transcript" and len(terms) > 1:
            pairs = [f"{a} {b}" for a, b in zip(terms, terms[1:], strict=False)]
            if not all(self._has("pairs", p) for p in pairs):
                return None
            # A long phrase needs every pair, but its two rarest pairs select nearly as well,
            # and intersecting "in the" and "to the" with them would visit every webcast.
            pairs = sorted(pairs, key=lambda p: self._frequency("pairs", p))[:2]
            if len(pairs) == 1:
                return Word("pairs", pairs[0], boost)
            return AllOf(tuple(Word("pairs", p) for p in pairs), boost)
        if not all(self._has(field, t) for t in terms):
            return None
        if len(terms) == 1:
            return Word(field, terms[0], boost)
        return Phrase(field, terms, boost)

    def rank(
        self, clauses: Sequence[Clause], filters: Sequence[tuple[str, str]], limit: int
    ) -> tuple[list[tuple[float, int]], int]:
        """The best `limit` webcasts (score, docnum) matching every clause and filter, and how
        many match.

        The webcast index is small (one document per webcast), so each alternative's matches
        are scored into a dict per clause and the clauses are intersected as sets: cheaper than
        walking a union of dozens of alternatives for every document, and the count is exact
        (Whoosh's top-N collector rewrites unions as it goes and then miscounts)."""
        matched: list[dict[int, float]] = []
        for clause in clauses:
            scores: dict[int, float] = {}
            for terms, boost in clause.alternatives:
                for field, weight in WEBCAST_FIELDS:
                    query = self._webcast_alternative(field, terms, boost * weight)
                    if query is not None:
                        self.engine.add_scores(query, scores)
            if not scores:
                return [], 0
            matched.append(scores)
        docs = set(matched[0]).intersection(*matched[1:])
        for field, value in filters:
            docs &= self._docset(field, value)
        if len(matched) == 1:  # (the same sums: sum() of one score is that score)
            totals: Any = map(matched[0].__getitem__, docs)
        else:
            totals = (sum(s[d] for s in matched) for d in docs)
        # The best totals, ties to the lower document number; zip() and map() step in C.
        ranked = heapq.nlargest(limit, zip(totals, map(neg, docs), strict=True))
        return [(score, -negated) for score, negated in ranked], len(docs)

    def _docset(self, field: str, value: str) -> frozenset[int]:
        """The webcasts with a filter value, e.g. a topic (cached)."""
        return self._filters.get(
            (field, value),
            lambda: frozenset(self.engine.documents_with(WEBCASTS, field, value)),
        )

    def passage_query(self, clauses: Sequence[Clause], every: bool = True) -> Query | None:
        """Every clause (or, with every=False, any clause) in a passage's captions."""
        parts = []
        for clause in clauses:
            alternatives: list[Query] = []
            for terms, boost in clause.alternatives:
                if all(self._has("body", t) for t in terms):
                    alternatives.append(
                        Word("body", terms[0], boost)
                        if len(terms) == 1
                        else Phrase("body", terms, boost)
                    )
            part = _or(alternatives)
            if part is None and every:
                return None
            if part is not None:
                parts.append(part)
        if not parts:
            return None
        return AllOf(tuple(parts)) if every else _or(parts)

    def expand(self, clauses: Sequence[Clause]) -> list[Clause]:
        """Prefix clauses with their alternatives: the prefix's most common words."""
        out = []
        for clause in clauses:
            if clause.kind == "prefix":
                words = self._expand_prefix(clause.prefix)
                clause = replace(clause, alternatives=tuple(((w,), 1.0) for w in words))
            out.append(clause)
        return out

    def _expand_prefix(self, prefix: str) -> tuple[str, ...]:
        return self._prefixes.get(prefix, lambda: self._prefix_words(prefix))

    def _prefix_words(self, prefix: str) -> tuple[str, ...]:
        found: dict[str, int] = {}
        for start in {prefix, self.analysis.fold(prefix), self.analysis.stem(prefix)}:
            for field, _ in WEBCAST_FIELDS:
                for text, frequency in self.engine.prefix_terms(field, start, MAX_PREFIX_SCAN):
                    found[text] = max(found.get(text, 0), frequency)
        ranked = sorted(found, key=lambda t: (-found[t], t))[:MAX_PREFIX_TERMS]
        return tuple(sorted(ranked))

    # ---- spelling --------------------------------------------------------------------------

    @property
    def speller(self) -> Speller:
        if self._speller is None:
            counts = read_json(self.path / SPELLING_FILE)
            self._speller = Speller(counts, self._glossary_words, self.analysis.alphabet)
        return self._speller

    def suggest(self, text: str) -> str | None:
        """The query with its misspelled words corrected, or None if none look misspelled
        (cached)."""
        return self._suggestions.get(text, lambda: self._suggestion(text))

    def _suggestion(self, text: str) -> str | None:
        changed = False

        def fix(match: re.Match[str]) -> str:
            nonlocal changed
            word = match.group().lower()
            if not SPELLABLE_RE.match(word) or text[match.end() : match.end() + 1] == "*":
                return match.group()
            if not self.speller.known(word):
                term = self.analysis.stem(word)
                if any(self._has(field, term) for field, _ in WEBCAST_FIELDS):
                    return match.group()  # a form nobody said of a word they did ("radiations")
            correction = self.speller.correct(word)
            if correction is None:
                return match.group()
            changed = True
            return correction

        suggestion = _WORD_RE.sub(fix, text)
        return suggestion if changed else None

    # ---- search ----------------------------------------------------------------------------

    def search(
        self,
        text: str,
        clauses: Sequence[Clause],
        filters: Sequence[tuple[str, str]],
        page: int,
        per_page: int,
        hits_per_webcast: int,
    ) -> SearchResults:
        """One page of webcasts matching every clause, each with its best moments."""
        clauses = self.expand(clauses)
        lang = self.analysis.code
        results = SearchResults(query=text, page=page, per_page=per_page, lang=lang)
        ranked, results.total = self.rank(clauses, filters, page * per_page)
        found = []
        for score, docnum in ranked[(page - 1) * per_page :]:
            stored = self.engine.stored(WEBCASTS, docnum)
            found.append((stored["slug"], stored["meta"], score))
        if not found:
            return results
        matcher = TextMatcher(clauses)
        keep = max(1, hits_per_webcast) + 2  # passages to look into, per webcast
        slugs = [slug for slug, _, _ in found]
        # The words typed first; their synonyms only where the words typed are not said (each
        # alternative phrase costs a position check in every passage that has its words).
        typed = [
            replace(c, alternatives=c.alternatives[:1]) if c.kind == "words" else c for c in clauses
        ]
        passages, counts = self._passages(self.passage_query(typed), slugs, keep)
        unsaid = [slug for slug in slugs if not passages.get(slug)]
        if unsaid and typed != clauses:
            if len(clauses) == 1:
                self._synonym_passages(clauses[0], unsaid, keep, passages, counts)
            else:
                more, more_counts = self._passages(self.passage_query(clauses), unsaid, keep)
                passages.update(more)
                counts.update(more_counts)
            unsaid = [slug for slug in unsaid if not passages.get(slug)]
        if unsaid and len(clauses) > 1:  # matched by title, speakers...: the best partial match
            partial, _ = self._passages(self.passage_query(clauses, every=False), unsaid, 1)
            passages.update(partial)
        for slug, meta, score in found:
            hits, total_hits = webcast_moments(
                meta,
                matcher,
                passages.get(slug, []),
                self._passage,
                counts.get(slug, 0),
                hits_per_webcast,
                self.analysis,
            )
            results.results.append(
                WebcastResult(
                    slug=slug,
                    title=meta["title"],
                    score=float(score or 0.0),
                    hits=hits,
                    total_hits=total_hits,
                    matched_fields=matched_fields(meta, matcher, counts.get(slug, 0) > 0),
                    speakers=list(meta["speakers"]),
                    topics=list(meta["topics"]),
                    lang=lang,
                )
            )
        return results

    def _passages(
        self, query: Query | None, slugs: Sequence[str], keep: int
    ) -> tuple[dict[str, list[int]], dict[str, int]]:
        """The best `keep` matching passages of each webcast (docnums, best first), and how
        many passages of each webcast match. Best: the most occurrences of the query's words
        (weighted, synonyms less); passages are all about as long, so BM25's length
        normalization would change little and costs a length lookup per passage.

        A webcast's passages are neighbours in the index (added together): in each index
        segment, only the blocks of postings that hold the webcasts' runs of passages are read
        (see ranged.py)."""
        scored: dict[str, list[tuple[float, int]]] = {}
        if query is None:
            return {}, {}
        wanted = sorted((start, end, slug) for slug in slugs for start, end in self._ranges(slug))
        starts = [start for start, _, _ in wanted]
        weights = self.engine.weights_in(query, [(start, end) for start, end, _ in wanted])
        for docnum in sorted(weights):
            slug = wanted[bisect_right(starts, docnum) - 1][2]
            scored.setdefault(slug, []).append((-weights[docnum], docnum))
        counts = {slug: len(found) for slug, found in scored.items()}
        best = {
            slug: [docnum for _, docnum in sorted(found)[:keep]] for slug, found in scored.items()
        }
        return best, counts

    def _synonym_passages(
        self,
        clause: Clause,
        slugs: Sequence[str],
        keep: int,
        passages: dict[str, list[int]],
        counts: dict[str, int],
    ) -> None:
        """Passages of `slugs` holding a synonym of a one-clause query, shortest synonyms
        first, each webcast only until it has `keep` of them: a phrase of common words
        ("cancer in the brain") costs a position check in nearly every passage, so the rest
        are skipped once a webcast has its passages. Counts then cover those synonyms only."""
        short = set(slugs)
        for alternative in sorted(clause.alternatives[1:], key=lambda a: (len(a[0]), a[0])):
            if not short:
                return
            query = self.passage_query([replace(clause, alternatives=(alternative,))])
            found, found_counts = self._passages(query, sorted(short), keep)
            for slug, docnums in found.items():
                passages[slug] = (passages.get(slug, []) + docnums)[:keep]
                counts[slug] = counts.get(slug, 0) + found_counts[slug]
                if len(passages[slug]) >= keep:
                    short.discard(slug)

    def _passage(self, docnum: int) -> dict[str, Any]:
        return self.engine.stored(PASSAGES, docnum)

    def _ranges(self, slug: str) -> list[tuple[int, int]]:
        """The runs of consecutive document numbers of a webcast's passages (cached)."""
        return self._slug_ranges.get(slug, lambda: self._runs(slug))

    def _runs(self, slug: str) -> list[tuple[int, int]]:
        runs: list[list[int]] = []
        for docnum in self.engine.documents_with(PASSAGES, "slug", slug):
            if runs and docnum == runs[-1][1] + 1:
                runs[-1][1] = docnum
            else:
                runs.append([docnum, docnum])
        return [(a, b) for a, b in runs]
