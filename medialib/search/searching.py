"""Running a query over one open state of the index: rank webcasts, then find their moments.

1. Each clause is an OR of its alternatives (the words typed, their glossary synonyms, a
   prefix's words) over the weighted webcast fields; the clauses are ANDed with the filters.
   Alternatives whose words the index has never seen are dropped before Whoosh sees them.
2. One pass over the passages of the page's webcasts (the words typed; synonyms only where the
   words typed are not said) finds, per webcast, how many passages match and which match best;
   `moments` then picks the best moments from those passages' stored cues.
"""

from __future__ import annotations

import heapq
import json
import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import replace
from operator import neg
from pathlib import Path
from typing import Any

from whoosh.filedb.filestore import FileStorage
from whoosh.query import And, Query, Term
from whoosh.query.compound import DefaultOr

from .analysis import SPELLABLE_RE, stem
from .documents import WEBCAST_FIELDS
from .engine.ranged import range_weights
from .engine.scoring import CachedLengthBM25F, FastPhrase, add_phrase_scores, add_term_scores
from .model import SearchResults, WebcastResult
from .moments import matched_fields, webcast_moments
from .query import Clause, TextMatcher
from .spelling import Speller

SPELLING_FILE = "spelling.json"
MAX_PREFIX_TERMS = 24  # a prefix stands for at most this many words (its most common ones)
MAX_PREFIX_SCAN = 400  # ... chosen among at most this many in the lexicon
FEW_RESULTS = 3  # below this many webcasts, offer a spelling suggestion
_WORD_RE = re.compile(r"\w+(?:\.\w+)*")


def _or(queries: list[Query]) -> Query | None:
    # DefaultOr: a tree of unions that can skip. Whoosh's automatic choice for small indexes
    # preloads every match of every part, across all webcasts, even when the query is limited
    # to the passages of one page.
    if not queries:
        return None
    return queries[0] if len(queries) == 1 else DefaultOr(queries)


class Generation:
    """Searchers kept open over one published index directory, refreshed when it changes."""

    def __init__(self, path: Path, glossary_words: Sequence[str]):
        self.path = path
        self.name = path.name
        self._glossary_words = glossary_words
        self._open()

    def _open(self) -> None:
        storage = FileStorage(str(self.path), readonly=True)
        webcasts = storage.open_index("webcasts").searcher(weighting=CachedLengthBM25F())
        try:
            passages = storage.open_index("passages").searcher(weighting=CachedLengthBM25F())
        except Exception:
            webcasts.close()
            raise
        self.webcasts, self.passages = webcasts, passages
        self._slug_ranges: dict[str, list[tuple[int, int]]] = {}
        self._speller: Speller | None = None
        self._prefixes: dict[str, tuple[str, ...]] = {}
        self._known: dict[tuple[str, str], int] = {}
        self._filters: dict[tuple[str, str], set[int]] = {}

    def refresh(self) -> None:
        """Catch up with changes written into this directory (add/remove)."""
        # Whoosh's Searcher.refresh() reuses the readers of unchanged segments, and with them
        # their old sets of deleted documents: a replaced webcast would be found twice. Reopen.
        old = (self.webcasts, self.passages)
        self._open()
        for searcher in old:
            searcher.close()

    def close(self) -> None:
        self.webcasts.close()
        self.passages.close()

    # ---- query building --------------------------------------------------------------------

    def _frequency(self, field: str, term: str) -> int:
        """In how many documents `term` is in `field` (cached; the lookup costs ~40 µs)."""
        key = (field, term)
        known = self._known.get(key)
        if known is None:
            searcher = self.passages if field == "body" else self.webcasts
            if len(self._known) > 50_000:
                self._known.clear()
            known = self._known[key] = searcher.reader().doc_frequency(field, term)
        return known

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
                return Term("pairs", pairs[0], boost=boost)
            return And([Term("pairs", p) for p in pairs], boost=boost)
        if not all(self._has(field, t) for t in terms):
            return None
        if len(terms) == 1:
            return Term(field, terms[0], boost=boost)
        return FastPhrase(field, list(terms), boost=boost)

    def rank(
        self, clauses: Sequence[Clause], filters: Sequence[tuple[str, str]], limit: int
    ) -> tuple[list[tuple[float, int]], int]:
        """The best `limit` webcasts (score, docnum) matching every clause and filter, and how
        many match.

        The webcast index is small (one document per webcast), so each alternative's matches
        are scored into a dict per clause and the clauses are intersected as sets: cheaper than
        walking a Whoosh union of dozens of alternatives for every document, and the count is
        exact (Whoosh's top-N collector rewrites unions as it goes and then miscounts)."""
        context = self.webcasts.context()
        leaves = self.webcasts.leaf_searchers()
        matched: list[dict[int, float]] = []
        for clause in clauses:
            scores: dict[int, float] = {}
            for terms, boost in clause.alternatives:
                for field, weight in WEBCAST_FIELDS:
                    query = self._webcast_alternative(field, terms, boost * weight)
                    if query is None:
                        continue
                    for searcher, offset in leaves:
                        if self._add_scores(searcher, offset, query, scores):
                            continue
                        matcher = query.matcher(searcher, context)
                        while matcher.is_active():
                            docnum = matcher.id() + offset
                            scores[docnum] = scores.get(docnum, 0.0) + matcher.score()
                            matcher.next()
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

    @staticmethod
    def _add_scores(searcher: Any, offset: int, query: Query, scores: dict[int, float]) -> bool:
        """Add the scores of a word, a phrase, or two word pairs that must both be there, to
        `scores` without a Whoosh matcher (the same figures: an intersection scores the sum of
        its words' scores, times its boost). False if this needs Whoosh's matcher."""
        if isinstance(query, Term):
            return add_term_scores(searcher, offset, query, scores)
        if isinstance(query, FastPhrase):
            return add_phrase_scores(searcher, offset, query, scores)
        parts: Sequence[Query] = getattr(query, "subqueries", ())
        if not isinstance(query, And) or len(parts) != 2:
            return False
        if not all(isinstance(q, Term) and q.boost == 1.0 for q in parts):
            return False
        first: dict[int, float] = {}
        second: dict[int, float] = {}
        if not (
            add_term_scores(searcher, offset, parts[0], first)
            and add_term_scores(searcher, offset, parts[1], second)
        ):
            return False
        boost, get = query.boost, scores.get
        for docnum, score in first.items():
            other = second.get(docnum)
            if other is not None:
                scores[docnum] = get(docnum, 0.0) + (score + other) * boost
        return True

    def _docset(self, field: str, value: str) -> set[int]:
        """The webcasts with a filter value, e.g. a topic (cached)."""
        key = (field, value)
        if key not in self._filters:
            self._filters[key] = set(self.webcasts.docs_for_query(Term(field, value)))
        return self._filters[key]

    def passage_query(self, clauses: Sequence[Clause], every: bool = True) -> Query | None:
        """Every clause (or, with every=False, any clause) in a passage's captions."""
        parts = []
        for clause in clauses:
            alternatives = []
            for terms, boost in clause.alternatives:
                if all(self._has("body", t) for t in terms):
                    alternatives.append(
                        Term("body", terms[0], boost=boost)
                        if len(terms) == 1
                        else FastPhrase("body", list(terms), boost=boost)
                    )
            part = _or(alternatives)
            if part is None and every:
                return None
            if part is not None:
                parts.append(part)
        if not parts:
            return None
        return And(parts) if every else _or(parts)

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
        if prefix not in self._prefixes:
            reader = self.webcasts.reader()
            found: dict[str, int] = {}
            for start in {prefix, stem(prefix)}:
                for field, _ in WEBCAST_FIELDS:
                    for n, (btext, info) in enumerate(reader.iter_prefix(field, start)):
                        if n >= MAX_PREFIX_SCAN:
                            break
                        text = btext.decode("utf-8")
                        found[text] = max(found.get(text, 0), info.doc_frequency())
            ranked = sorted(found, key=lambda t: (-found[t], t))[:MAX_PREFIX_TERMS]
            if len(self._prefixes) > 1000:
                self._prefixes.clear()
            self._prefixes[prefix] = tuple(sorted(ranked))
        return self._prefixes[prefix]

    # ---- spelling --------------------------------------------------------------------------

    @property
    def speller(self) -> Speller:
        if self._speller is None:
            try:
                counts = json.loads((self.path / SPELLING_FILE).read_text("utf-8"))
            except (OSError, ValueError):
                counts = {}
            self._speller = Speller(counts, self._glossary_words)
        return self._speller

    def suggest(self, text: str) -> str | None:
        """The query with its misspelled words corrected, or None if none look misspelled."""
        changed = False

        def fix(match: re.Match[str]) -> str:
            nonlocal changed
            word = match.group().lower()
            if not SPELLABLE_RE.match(word) or text[match.end() : match.end() + 1] == "*":
                return match.group()
            if not self.speller.known(word):
                term = stem(word)
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
        results = SearchResults(query=text, page=page, per_page=per_page)
        ranked, results.total = self.rank(clauses, filters, page * per_page)
        found = []
        for score, docnum in ranked[(page - 1) * per_page :]:
            stored = self.webcasts.stored_fields(docnum)
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
                self.passages.stored_fields,
                counts.get(slug, 0),
                hits_per_webcast,
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
        for searcher, offset in self.passages.leaf_searchers():
            size = searcher.doc_count_all()
            inside = [
                (a - offset, b - offset, slug) for a, b, slug in wanted if 0 <= a - offset < size
            ]
            if not inside:
                continue
            weights = range_weights(searcher, query, [(a, b) for a, b, _ in inside])
            starts = [a for a, _, _ in inside]
            for docnum in sorted(weights):
                slug = inside[bisect_right(starts, docnum) - 1][2]
                scored.setdefault(slug, []).append((-weights[docnum], docnum + offset))
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

    def _ranges(self, slug: str) -> list[tuple[int, int]]:
        """The runs of consecutive document numbers of a webcast's passages (cached)."""
        ranges = self._slug_ranges.get(slug)
        if ranges is None:
            runs: list[list[int]] = []
            for docnum in sorted(self.passages.docs_for_query(Term("slug", slug))):
                if runs and docnum == runs[-1][1] + 1:
                    runs[-1][1] = docnum
                else:
                    runs.append([docnum, docnum])
            ranges = self._slug_ranges[slug] = [(a, b) for a, b in runs]
        return ranges
