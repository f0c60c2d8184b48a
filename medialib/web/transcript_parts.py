"""A long transcript shown in parts, so a ten-hour recording's page still loads on a phone.

A talk of an hour or so is one part, shown whole as before. Longer ones are cut at chapter
starts where they can be (inside a chapter when one chapter alone is too long), each part at most
PART_CUES cues and PART_CHARS characters of text. The player shows the part that holds the
moment it starts at, and the printable transcript one part per page (?part=N); both list every
part with its times and chapters, as plain links that work without JavaScript. The .txt download
stays whole.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from ..chapters import Chapter
from ..transcripts import Paragraph, Section

PART_CUES = 1200  # about an hour of speech
PART_CHARS = 100_000  # characters of cue text: a part of long cues is cut sooner


@dataclass
class Part:
    """One page's worth of a transcript."""

    number: int  # 1-based
    sections: list[Section] = field(default_factory=list)
    start: float = 0.0
    end: float = 0.0  # the next part's start, or the end of the recording
    chapter_offset: int = 0  # chapters that begin in earlier parts

    @property
    def chapters(self) -> list[Chapter]:
        """The chapters that begin in this part."""
        return [s.chapter for s in self.sections if s.chapter is not None]


def _size(section: Section) -> tuple[int, int]:
    cues = [cue for para in section.paragraphs for cue in para.cues]
    return len(cues), sum(len(cue.text) for cue in cues)


def _pieces(section: Section) -> Iterator[Section]:
    """The section, cut into pieces within the budget; a piece after the first has no heading."""
    piece = Section(section.chapter)
    cues = chars = 0
    for para in section.paragraphs:
        current: Paragraph | None = None
        for cue in para.cues:
            if (cues or chars) and (cues + 1 > PART_CUES or chars + len(cue.text) > PART_CHARS):
                yield piece
                piece, current, cues, chars = Section(None), None, 0, 0
            if current is None:
                first = cue is para.cues[0]
                current = Paragraph(para.speaker, para.speaker_changed and first)
                piece.paragraphs.append(current)
            current.cues.append(cue)
            cues += 1
            chars += len(cue.text)
    if piece.paragraphs or piece.chapter is not None:
        yield piece


def _start(section: Section) -> float:
    if section.chapter is not None:
        return section.chapter.start
    return section.paragraphs[0].start if section.paragraphs else 0.0


def split_parts(sections: Sequence[Section], duration: float = 0.0) -> list[Part]:
    """The transcript's sections grouped into parts within the page budget (at least one)."""
    parts = [Part(1)]
    cues = chars = chapters = 0
    for section in sections:
        for piece in _pieces(section):
            n, c = _size(piece)
            part = parts[-1]
            if part.sections and (cues + n > PART_CUES or chars + c > PART_CHARS):
                part = Part(len(parts) + 1, chapter_offset=chapters)
                parts.append(part)
                cues = chars = 0
            part.sections.append(piece)
            cues += n
            chars += c
            chapters += piece.chapter is not None
    for part in parts:
        part.start = _start(part.sections[0]) if part.sections else 0.0
    for part, following in zip(parts, parts[1:], strict=False):
        part.end = following.start
    last = parts[-1]
    ends = [p.cues[-1].end for s in last.sections for p in s.paragraphs[-1:]]
    last.end = max([duration, last.start, *ends])
    return parts


def part_at(parts: Sequence[Part], seconds: float) -> Part:
    """The part that holds the moment `seconds`."""
    found = parts[0]
    for part in parts:
        if part.start <= seconds + 0.05:
            found = part
    return found


def chapter_part_numbers(parts: Sequence[Part]) -> list[int]:
    """For each chapter in order, the number of the part it begins in."""
    return [part.number for part in parts for _ in part.chapters]
