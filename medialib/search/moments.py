"""The moments of a webcast: which cues a hit starts and ends on, and its highlighted snippet.

Candidates are the chapter titles that hold the whole query and, in each of the webcast's best
matching passages, the pairs of neighbouring cues that hold the most of it. They are ranked by how
much of the query they hold (the words typed count more than their synonyms; a chapter title a
little more than a caption), then by passage score.
"""

from __future__ import annotations

import bisect
import html
import math
from collections.abc import Callable, Sequence
from itertools import accumulate, chain
from operator import itemgetter
from typing import Any

from .analysis import ENGLISH, WORD_RE, Analysis
from .documents import CueRecord
from .model import Hit
from .query import Match, TextMatcher

CHAPTER_BONUS = 0.25  # a chapter title matching as much of the query as a caption ranks first
MAX_SNIPPET_CHARS = 300


def webcast_moments(
    meta: dict[str, Any],
    matcher: TextMatcher,
    docnums: Sequence[int],
    load: Callable[[int], dict[str, Any]],
    count: int,
    limit: int,
    analysis: Analysis = ENGLISH,
) -> tuple[list[Hit], int]:
    """The best moments of one webcast (at most `limit`) and how many places match: its
    chapter titles that hold the whole query, and `count` passages. `docnums` are its best
    matching passages, best first; `load` reads a passage's stored fields; `analysis` is the
    language of the webcast's index documents."""
    chapters = meta["chapters"]
    starts = [start for start, _, _ in chapters]
    speakers = meta["speakers"]
    sole_speaker = speakers[0] if len(speakers) == 1 else None

    def chapter_at(seconds: float) -> str | None:
        i = bisect.bisect_right(starts, seconds + 0.001) - 1
        return chapters[i][1] if i >= 0 else None

    # Candidate moments, ranked by how much of the query they hold (the words typed count
    # more than synonyms), a chapter title a little above a caption, then by passage score.
    candidates: list[tuple[float, int, Callable[[], Hit], float]] = []
    for (_, title, cue), title_terms in zip(chapters, meta["terms"]["chapter"], strict=True):
        title_matches = matcher.matches(title_terms.split())
        if cue is not None and matcher.covers_all(title_matches):
            quality = matcher.coverage(title_matches) + CHAPTER_BONUS
            candidates.append(
                (quality, 0, _later(cue_hit, [cue], matcher, title, sole_speaker, analysis), cue[0])
            )
    chapter_hits = len(candidates)
    best = matcher.clause_count  # the quality of a moment holding every word typed
    perfect = {start for quality, _, _, start in candidates if quality >= best}
    for rank, docnum in enumerate(docnums, start=1):
        if len(perfect) >= limit:
            break  # passages further down can't hold better moments
        stored = load(docnum)
        for quality, first, last in passage_moments(stored["cues"], matcher, limit):
            cues = stored["cues"][first : last + 1]
            make = _later(cue_hit, cues, matcher, None, sole_speaker, analysis)
            candidates.append((quality, rank, make, cues[0][0]))
            if quality >= best:
                perfect.add(cues[0][0])
    candidates.sort(key=lambda c: (-c[0], c[1]))
    hits: list[Hit] = []
    seen: set[float] = set()
    for _, _, make, start in candidates:
        if len(hits) >= limit:
            break
        if start not in seen:
            seen.add(start)
            hit = make()
            hit.chapter = hit.chapter or chapter_at(hit.start)
            hits.append(hit)
    if not candidates and meta["first_cue"] and limit:
        hits.append(
            cue_hit([meta["first_cue"]], matcher, chapter_at(0.0), sole_speaker, analysis)
        )
    return hits, max(chapter_hits + count, len(hits))


def _later(function: Callable[..., Hit], *args: Any) -> Callable[[], Hit]:
    return lambda: function(*args)


def matched_fields(meta: dict[str, Any], matcher: TextMatcher, transcript: bool) -> list[str]:
    """The fields of a webcast where some of the query matched."""
    fields = []
    for field in ("title", "chapter", "topic", "speaker", "summary"):
        texts = meta["terms"][field]
        if isinstance(texts, str):
            texts = [texts]
        if any(matcher.clauses_in(text.split()) for text in texts):
            fields.append(field)
    if transcript:
        fields.append("transcript")
    return fields


def passage_moments(
    cues: Sequence[CueRecord], matcher: TextMatcher, limit: int
) -> list[tuple[float, int, int]]:
    """(quality, first cue, last cue) of at most `limit` moments of a passage: its best one,
    then others that hold all of the query."""
    # (map() and chain() step through the cues and terms in C: a passage has over 300 terms.)
    cue_terms = list(map(str.split, map(itemgetter(4), cues)))
    ends = list(accumulate(map(len, cue_terms)))  # where each cue's terms end, in the passage
    matches = matcher.matches(list(chain.from_iterable(cue_terms)))
    last_term = len(cues) and ends[-1] - 1
    # Each match with the cues where it begins and ends.
    placed = [
        (
            m,
            bisect.bisect_right(ends, m.pos),
            bisect.bisect_right(ends, min(m.pos + m.length - 1, last_term)),
        )
        for m in matches
    ]
    moments = []
    while True:
        first, last, quality = best_moment(placed, matcher.most_coverage)
        moments.append((quality, first, last))
        placed = [p for p in placed if not first <= p[1] <= last]
        if len(moments) >= limit or not matcher.covers_all([p[0] for p in placed]):
            return moments


def cue_hit(
    cues: Sequence[CueRecord],
    matcher: TextMatcher,
    chapter: str | None,
    sole_speaker: str | None,
    analysis: Analysis = ENGLISH,
) -> Hit:
    """A hit over consecutive cues, the matched words of the query marked."""
    text = " ".join(cue[2] for cue in cues)
    # The cues' records hold the terms of their words, one each, as term_spans() would make.
    spans = [m.span() for m in WORD_RE.finditer(text)]
    terms = " ".join(cue[4] for cue in cues).split()
    if len(terms) != len(spans):
        found = list(analysis.term_spans(text))
        spans, terms = [(s, e) for s, e, _ in found], [t for _, _, t in found]
    marked: set[int] = set()
    for m in matcher.matches(terms):
        marked.update(range(m.pos, m.pos + m.length))
    plain, html = snippet(text, [spans[i] for i in sorted(marked)])
    return Hit(
        start=cues[0][0],
        end=cues[-1][1],
        text=plain,
        html=html,
        chapter=chapter,
        speaker=cues[0][3] or sole_speaker,
    )


Placed = tuple[Match, int, int]  # a match, the cue where it begins and the cue where it ends


def best_moment(placed: Sequence[Placed], most: float = math.inf) -> tuple[int, int, float]:
    """(first cue, last cue, coverage) of the best moment in a passage: the two neighbouring
    cues that hold the most of the query (ties: the earliest), from the cue where its matched
    words begin to the cue where the first match of each clause ends. (0, 0, 0.0) without
    matches. `most` is the most coverage a moment can have: the first to have it is the best."""
    # Per cue, per clause, the first match of the best boost that begins there (in text order).
    in_cue: dict[int, dict[int, Placed]] = {}
    for p in placed:
        chosen = in_cue.setdefault(p[1], {})
        known = chosen.get(p[0].clause)
        if known is None or p[0].boost > known[0].boost:
            chosen[p[0].clause] = p
    best = (0.0, 0, 0)
    empty: dict[int, Placed] = {}
    for k in sorted({*in_cue, *(c - 1 for c in in_cue if c)}):
        chosen = in_cue.get(k, empty)
        following = in_cue.get(k + 1)
        if following:  # a match in the next cue counts where its boost is higher
            chosen = dict(chosen)
            for clause, p in following.items():
                known = chosen.get(clause)
                if known is None or p[0].boost > known[0].boost:
                    chosen[clause] = p
        score = sum(p[0].boost for p in chosen.values())  # TextMatcher.coverage() of them
        if score > best[0]:
            best = (score, min(p[1] for p in chosen.values()), max(p[2] for p in chosen.values()))
            if score >= most:
                break
    return best[1], best[2], best[0]


def snippet(text: str, spans: Sequence[tuple[int, int]]) -> tuple[str, str]:
    """(plain, html) of a text with the given character spans marked, cut to about
    MAX_SNIPPET_CHARS around the first span."""
    start, end = 0, len(text)
    if len(text) > MAX_SNIPPET_CHARS:
        focus = spans[0][0] if spans else 0
        start = max(0, min(focus - MAX_SNIPPET_CHARS // 3, len(text) - MAX_SNIPPET_CHARS))
        if start:
            space = text.find(" ", start)
            start = space + 1 if 0 <= space < focus else start
        end = min(len(text), start + MAX_SNIPPET_CHARS)
        space = text.rfind(" ", start, end)
        end = space if space > (spans[0][1] if spans else start) and end < len(text) else end
    head = "\u2026" if start else ""
    tail = "\u2026" if end < len(text) else ""
    out, cursor = [], start
    for s, e in spans:
        if s < cursor or e > end:
            continue
        out += [html.escape(text[cursor:s]), "<mark>", html.escape(text[s:e]), "</mark>"]
        cursor = e
    out.append(html.escape(text[cursor:end]))
    return head + text[start:end] + tail, head + "".join(out) + tail
