"""Recognized words -> cues that read like captions. A pure function of the word list.

The rules (those of broadcast and streaming caption guides):
- at most two lines of at most 42 characters;
- 1 to 7 seconds on screen, never overlapping the next cue;
- a cue ends at a sentence end once it has been on screen a second, at a pause of a second or
  more, and otherwise where the text would not fit: then at the last sentence or clause end that
  keeps a fair share of the text, else before a conjunction or preposition ("and", "which",
  "from"), else before the word that does not fit;
- lines break at a clause end where that keeps them balanced, else where they are most even
  (before a conjunction or preposition when that is as even).
Speakers are left unknown: recognition does not say who speaks, and a turn is never invented.

The one second holds for speech slower than 84 characters a second (people speak about 15).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..captions import Cue

MAX_CHARS, MAX_LINES = 42, 2
MIN_SECONDS, MAX_SECONDS = 1.0, 7.0
PAUSE = 1.0  # a silence this long ends a cue (the cue can then stay up into it)
SENTENCE_END = (".", "?", "!", ".\"", "?\"", "!\"", "…")
CLAUSE_END = (",", ";", ":", "—", "–")
FAIR_SHARE = 0.25  # a punctuation break must keep this much of the cue's text before it
# A clause often starts at one of these: a cue may end before them when no punctuation helps.
CONJUNCTIONS = frozenset("and but or so because which that when if while where who whose "
                         "although though unless until since after before".split())
PREPOSITIONS = frozenset("in on at of to for with from by about into over under".split())


@dataclass(frozen=True)
class Word:
    """A recognized word (its punctuation attached) and its times in seconds."""

    start: float
    end: float
    text: str


def shape_cues(words: Sequence[Word], duration: float | None = None) -> list[Cue]:
    """Caption cues from recognized words in time order (see the module's rules), none past
    `duration` (the recording's, when known)."""
    groups = _group(_clean(words))
    last = float("inf") if duration is None else duration
    cues: list[Cue] = []
    shown: list[list[Word]] = []  # the words of each cue
    for n, group in enumerate(groups):
        start, end = group[0].start, group[-1].end
        following = groups[n + 1][0].start if n + 1 < len(groups) else max(last, end)
        before = cues[-1].end if cues else 0.0
        end = min(max(end, start + MIN_SECONDS), following, start + MAX_SECONDS)
        if end - start < MIN_SECONDS:  # no room after it: show it earlier, into the gap before
            start = max(before, min(start, end - MIN_SECONDS))
        if end - start < MIN_SECONDS and cues and end - cues[-1].start <= MAX_SECONDS and fits(
                _texts(shown[-1] + group)):  # still too short: it joins the cue before
            start, group = cues.pop().start, shown.pop() + group
        cues.append(Cue(round(float(start), 3), round(float(end), 3),
                        "\n".join(wrap(_texts(group)))))
        shown.append(group)
    return cues


def wrap(texts: Sequence[str]) -> list[str]:
    """The words of one cue as at most two lines of at most 42 characters (one if they fit)."""
    whole = " ".join(texts)
    if len(whole) <= MAX_CHARS:
        return [whole]
    best: tuple[float, int] | None = None
    for i in range(1, len(texts)):
        first, second = " ".join(texts[:i]), " ".join(texts[i:])
        if len(first) > MAX_CHARS or len(second) > MAX_CHARS:
            continue
        score = abs(len(first) - len(second))
        if texts[i - 1].endswith(CLAUSE_END + SENTENCE_END):
            score -= 12
        elif _bare(texts[i]) in CONJUNCTIONS | PREPOSITIONS:
            score -= 3
        if best is None or score < best[0]:
            best = (score, i)
    if best is None:
        raise ValueError(f"{whole!r} does not fit {MAX_LINES} lines of {MAX_CHARS} characters")
    return [" ".join(texts[: best[1]]), " ".join(texts[best[1]:])]


def fits(texts: Sequence[str]) -> bool:
    """True if the words make at most two lines of at most 42 characters."""
    try:
        wrap(texts)
    except ValueError:
        return False
    return True


def _clean(words: Sequence[Word]) -> list[Word]:
    """Words in time order with text, none starting before the previous one ends, and a word
    longer than a line (a URL) cut into pieces that fit one."""
    out: list[Word] = []
    for word in words:
        text = " ".join(word.text.split())
        if not text:
            continue
        start = max(word.start, out[-1].end if out else 0.0, 0.0)
        end = max(word.end, start)
        pieces = [text[i : i + MAX_CHARS] for i in range(0, len(text), MAX_CHARS)]
        for k, piece in enumerate(pieces):
            share = (end - start) / len(pieces)
            out.append(Word(start + k * share, start + (k + 1) * share, piece))
    return out


def _group(words: Sequence[Word]) -> list[list[Word]]:
    groups: list[list[Word]] = []
    current: list[Word] = []
    for k, word in enumerate(words):
        if current and word.start - current[-1].end >= PAUSE:
            groups.append(current)
            current = []
        while current and not _room_for(current, word):
            cut = _best_cut(current, word, _rest_of_sentence(words, k))
            groups.append(current[:cut])
            current = current[cut:]
        current.append(word)
        if _ends(word, SENTENCE_END) and word.end - current[0].start >= MIN_SECONDS:
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    return groups


def _room_for(current: Sequence[Word], word: Word) -> bool:
    return (word.end - current[0].start <= MAX_SECONDS
            and fits([*_texts(current), word.text]))


def _rest_of_sentence(words: Sequence[Word], k: int, limit: int = 30) -> int:
    """Characters from words[k] to the end of its sentence (at most `limit` words on)."""
    size = 0
    for word in words[k : k + limit]:
        size += len(word.text) + 1
        if _ends(word, SENTENCE_END):
            break
    return size


def _best_cut(current: Sequence[Word], word: Word, rest: int) -> int:
    """Where to end the cue when `word` does not fit: an index into `current` (1..len).

    The strongest break (sentence end, clause end, before a conjunction or preposition) that
    keeps a fair share before it; among equals, the one that leaves the two sides of it, up to
    the sentence's end, most even."""
    total = sum(len(w.text) + 1 for w in current)
    best, best_key = len(current), (0, 0.0)
    done = 0
    for i, w in enumerate(current[:-1], start=1):
        done += len(w.text) + 1
        rank = 3 if _ends(w, SENTENCE_END) else 2 if _ends(w, CLAUSE_END) else (
            1 if _bare(current[i].text) in CONJUNCTIONS | PREPOSITIONS else 0)
        fair = done >= FAIR_SHARE * total and current[i - 1].end - current[0].start >= MIN_SECONDS
        key = (rank, -abs(done - (total - done + rest)))
        if rank and fair and key > best_key and _room_for(current[i:], word):
            best, best_key = i, key
    return best


def _ends(word: Word, marks: tuple[str, ...]) -> bool:
    return word.text.endswith(marks)


def _bare(text: str) -> str:
    return text.strip(".,;:!?\"'()").lower()


def _texts(words: Sequence[Word]) -> list[str]:
    return [w.text for w in words]
