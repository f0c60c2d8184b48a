"""Chapters: WebVTT chapters files, "MM:SS Title" lines, and their WebVTT rendering."""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .captions import (
    CaptionError,
    caption_text,
    cue_plain_text,
    escape_cue_text,
    format_timestamp,
    is_webvtt_header,
    parse_timestamp,
    read_cue_blocks,
)


@dataclass(frozen=True)
class Chapter:
    """A chapter starting at `start` seconds; it ends where the next one starts (or the media)."""

    start: float
    title: str


class ChapterError(CaptionError):
    """Chapters that cannot be used, naming the file and (when known) the 1-based line."""


# "12:30 Title" as pasted from video descriptions: an optional bullet or list number, the time
# (optionally in brackets), a separator (spaces, or a dash, colon or bar), then the title.
_CHAPTER_LINE = re.compile(
    r"\s*(?:[-*+•·‣▪–—]\s*|[0-9]{1,3}[.)]\s+)?"
    r"(?P<open>[(\[])?(?P<time>(?:[0-9]+:)?[0-9]{1,2}:[0-9]{2}(?:[.,][0-9]{1,3})?)(?(open)[)\]])"
    r"(?:\s*[-–—:|]\s*|\s+)(?P<title>\S.*)"
)
_LINE_EXAMPLE = '"12:30 Side effects" or "1:02:03 Questions"'


def parse_chapters(data: bytes | str, source: str = "<chapters>") -> list[Chapter]:
    """Chapters of a WebVTT chapters file or of "MM:SS Title" lines; times strictly increase."""
    try:
        text = caption_text(data, source)
        lines = text.split("\n")
        first = next((i for i, line in enumerate(lines) if line.strip()), None)
        if first is None:
            raise ChapterError(source, 1, "the file is empty")
        if is_webvtt_header(lines[first]) or "-->" in "".join(lines[first : first + 2]):
            entries = _from_cues(text, source)
        else:
            entries = _from_lines(lines, source)
    except ChapterError:
        raise
    except CaptionError as error:
        raise ChapterError(error.path, error.line, error.message) from None
    if not entries:
        raise ChapterError(source, first + 1, "no chapters")
    for (_, before), (line, chapter) in zip(entries, entries[1:], strict=False):
        if chapter.start <= before.start:
            message = (
                f"chapter {chapter.title!r} starts at {format_timestamp(chapter.start)}, not after"
                f" the chapter before it ({before.title!r} at {format_timestamp(before.start)})"
            )
            raise ChapterError(source, line, message)
    return [chapter for _, chapter in entries]


def _from_cues(text: str, source: str) -> list[tuple[int, Chapter]]:
    """(line, chapter) for each cue of a WebVTT (or SRT) chapters file; cue text is the title."""
    entries = []
    for block in read_cue_blocks(text, source):
        title = cue_plain_text(block.lines)
        if not title:
            raise ChapterError(source, block.line, "chapter has no title")
        entries.append((block.line, Chapter(block.start, title)))
    return entries


def _from_lines(lines: list[str], source: str) -> list[tuple[int, Chapter]]:
    """(line, chapter) for each non-blank "MM:SS Title" line; any other line is an error."""
    entries = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        match = _CHAPTER_LINE.fullmatch(line)
        if not match:
            message = f"not a chapter line {line.strip()[:80]!r}: expected {_LINE_EXAMPLE}"
            raise ChapterError(source, number, message)
        try:
            start = parse_timestamp(match["time"])
        except ValueError as error:
            raise ChapterError(source, number, f"{error}: expected {_LINE_EXAMPLE}") from None
        # Read like a WebVTT cue's text, so a title reads back the same from chapters_to_webvtt.
        title = cue_plain_text([match["title"]])
        if not title:
            raise ChapterError(source, number, "chapter has no title")
        entries.append((number, Chapter(start, title)))
    return entries


def _time(seconds: float) -> str:
    """A time for a message: HH:MM:SS.mmm, or as given when it is not a valid time."""
    try:
        return format_timestamp(seconds)
    except (ValueError, TypeError):
        return repr(seconds)


def validate_chapters(chapters: Sequence[Chapter], duration: float | None, source: str) -> None:
    """Raise ChapterError unless titles are set and starts increase, from 0 to before `duration`."""
    for number, chapter in enumerate(chapters, 1):
        what = f"chapter {number} ({chapter.title!r}) starts at {_time(chapter.start)}"
        why = None
        if not chapter.title.strip():
            why = f"chapter {number} (at {_time(chapter.start)}) has no title"
        elif not math.isfinite(chapter.start) or chapter.start < 0:
            why = f"{what}, before the start of the media"
        elif number > 1 and chapter.start <= chapters[number - 2].start:
            why = f"{what}, not after chapter {number - 1} ({_time(chapters[number - 2].start)})"
        elif duration is not None and not chapter.start < duration:
            why = f"{what}, at or after the end of the media ({_time(duration)})"
        if why:
            raise ChapterError(source, None, why)


def chapter_spans(chapters: Sequence[Chapter], duration: float) -> list[tuple[Chapter, float]]:
    """Each chapter with its end: the next chapter's start, or `duration` for the last one."""
    if not chapters:
        return []
    ends = [chapter.start for chapter in chapters[1:]] + [duration]
    return list(zip(chapters, ends, strict=True))


def chapters_to_webvtt(chapters: Sequence[Chapter], duration: float) -> str:
    """A WebVTT chapters track, each title as a cue's text; ChapterError for invalid chapters."""
    validate_chapters(chapters, duration, "<chapters>")
    out = ["WEBVTT", ""]
    for chapter, end in chapter_spans(chapters, duration):
        timing = f"{format_timestamp(chapter.start)} --> {format_timestamp(end)}"
        out += [timing, escape_cue_text(chapter.title), ""]
    return "\n".join(out)


def chapter_at(chapters: Sequence[Chapter], seconds: float) -> Chapter | None:
    """The chapter playing at `seconds` (the last one started by then), or None before the first."""
    index = bisect.bisect_right([chapter.start for chapter in chapters], seconds) - 1
    return chapters[index] if index >= 0 else None
