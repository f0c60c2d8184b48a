"""Webcasts -> index documents: what goes in each document of the two indexes (their schemas
are engine.schema).

Two indexes share one directory. "webcasts" has one document per webcast (title, chapter titles
and topics, summary and speakers, the whole transcript) and ranks webcasts; at 1,000 hours it is
1,000 documents, so even the commonest word is cheap to score. Its transcript field has no
positions; a second field holds each pair of neighbouring words ("live will"), so a phrase is one
or a few term lookups there instead of a position check in a 9,000-word document.

"passages" has one document per few caption cues and finds the moments inside the webcasts on a
page of results. Neighbouring passages share a cue, so a phrase running across two cues is always
inside one passage; each passage stores its cues (with their terms), so a hit maps back to the
exact cue where its words begin.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import chain
from typing import Any

from medialib.captions import Cue

from .analysis import SPELLABLE_RE, Analysis, analysis_for, words
from .model import IndexedWebcast

PASSAGE_CUES = 32  # about two minutes of speech
SPELLING_FILE = "spelling.json"  # beside the two indexes: each word said and how often
# Between chapter titles (or topics) in one field, so that no phrase runs from one to the next;
# it is not a word character, so no query ever produces it.
SEPARATOR = "\u2063"
# Fields of the webcast index a query searches, with their weights: a title, chapter title or
# topic match ranks far above a passing mention in the transcript.
WEBCAST_FIELDS = (("title", 6.0), ("heads", 4.0), ("about", 1.5), ("transcript", 1.0))

CueRecord = tuple[float, float, str, str | None, str]  # start, end, text, speaker, its terms


def word_pairs(terms: list[str]) -> list[str]:
    """Each pair of neighbouring terms, as one term of the "pairs" field."""
    return [f"{a} {b}" for a, b in zip(terms, terms[1:], strict=False)]


def _record(cue: Cue, cue_terms: list[str]) -> CueRecord:
    return (float(cue.start), float(cue.end), cue.text, cue.speaker, " ".join(cue_terms))


def _joined(texts: Iterable[str], analysis: Analysis) -> list[str]:
    out: list[str] = []
    for text in texts:
        if out:
            out.append(SEPARATOR)
        out += analysis.terms(text)
    return out


def cue_at(cues: tuple[Cue, ...], seconds: float) -> int | None:
    """The index of the cue playing at `seconds` (or the next one to start), None past the
    last cue."""
    for i, cue in enumerate(cues):
        if cue.end > seconds + 0.001:
            return i
    return None


def analyzed_cues(
    w: IndexedWebcast, said: Counter[str]
) -> tuple[list[list[str]], list[CueRecord]]:
    """The terms of each of a webcast's cues, and the cues' records; counts every word of the
    webcast (metadata and captions, for the spelling word list) into `said`, from the same one
    pass over its text. Each webcast is analyzed as its language (w.lang) says."""
    stems = analysis_for(w.lang).stems
    cue_words = [words(cue.text) for cue in w.cues]
    said.update(chain.from_iterable(cue_words))
    said.update(chain.from_iterable(words(text) for text in webcast_metadata(w)))
    cue_terms = [stems(lowercase) for lowercase in cue_words]
    records = [_record(cue, its_terms) for cue, its_terms in zip(w.cues, cue_terms, strict=True)]
    return cue_terms, records


def webcast_document(w: IndexedWebcast, cue_terms: list[list[str]]) -> dict[str, Any]:
    """The document of the webcast index; `cue_terms` are the terms of each of its cues."""
    analysis = analysis_for(w.lang)
    terms = analysis.terms
    speakers = [display for _, display in w.speakers]
    chapters = []
    for chapter in sorted(w.chapters, key=lambda c: c.start):
        at = cue_at(w.cues, chapter.start)
        chapters.append((float(chapter.start), chapter.title,
                         _record(w.cues[at], cue_terms[at]) if at is not None else None))
    topics = [name for _, name in w.topics]
    meta = {
        "title": w.title,
        "summary": w.summary,
        "speakers": speakers,
        "topics": topics,
        "chapters": chapters,
        "first_cue": _record(w.cues[0], cue_terms[0]) if w.cues else None,
        # The terms of each text, for telling which fields matched without analyzing again.
        "terms": {
            "title": " ".join(terms(w.title)),
            "chapter": [" ".join(terms(c[1])) for c in chapters],
            "topic": [" ".join(terms(t)) for t in topics],
            "speaker": [" ".join(terms(s)) for s in speakers],
            "summary": " ".join(terms(w.summary)),
        },
    }
    transcript = [t for ts in cue_terms for t in ts]
    return {
        "slug": w.slug,
        "title": terms(w.title),
        "heads": _joined([c.title for c in w.chapters] + topics, analysis),
        "about": _joined([w.summary, *speakers, (w.series or "").replace("-", " ")], analysis),
        "transcript": transcript,
        "pairs": word_pairs(transcript),
        "topic": [tid for tid, _ in w.topics],
        "speaker": [sid for sid, _ in w.speakers],
        "series": w.series or "",
        "kind": w.kind,
        "meta": meta,
    }


def passage_documents(slug: str, records: Sequence[CueRecord]) -> list[dict[str, Any]]:
    """The passage documents of a webcast's cues (their records, see analyzed_cues())."""
    passages = []
    step = PASSAGE_CUES - 1
    for first in range(0, len(records), step):
        window = records[first : first + PASSAGE_CUES]
        if first and len(window) == 1:
            break  # only the cue the previous passage already ends with
        passages.append(
            {
                "slug": slug,
                # A record holds its cue's terms joined by spaces; no term has a space in it.
                "body": " ".join(record[4] for record in window).split(),
                "first": first,
                "cues": tuple(window),
            }
        )
    return passages


def metadata_texts(meta: dict[str, Any]) -> list[str]:
    """The texts of a webcast besides its captions (for the spelling word list)."""
    return [
        meta["title"],
        meta["summary"],
        *meta["speakers"],
        *meta["topics"],
        *(title for _, title, _ in meta["chapters"]),
    ]


def word_counts(texts: Iterable[str]) -> Counter[str]:
    """How often each spellable word occurs in `texts` (for the spelling word list)."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(words(text))
    return spellable(counts)


def spellable(counts: Counter[str]) -> Counter[str]:
    """The counts of the words fit for the spelling word list."""
    return Counter({w: n for w, n in counts.items() if SPELLABLE_RE.match(w)})


def webcast_metadata(w: IndexedWebcast) -> list[str]:
    """The texts of a webcast besides its captions."""
    return [
        w.title,
        w.summary,
        *(display for _, display in w.speakers),
        *(name for _, name in w.topics),
        *(c.title for c in w.chapters),
    ]


def indexed_word_counts(webcasts: Iterable[dict[str, Any]],
                        passages: Iterable[dict[str, Any]]) -> Counter[str]:
    """The spelling word counts a webcast contributed when it was indexed, from the stored
    fields of its documents in each index."""
    texts: list[str] = []
    for stored in webcasts:
        texts += metadata_texts(stored["meta"])
    seen: set[int] = set()
    for stored in passages:
        for i, cue in enumerate(stored["cues"]):
            if stored["first"] + i not in seen:
                seen.add(stored["first"] + i)
                texts.append(cue[2])
    return word_counts(texts)
