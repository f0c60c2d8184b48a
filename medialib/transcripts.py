"""Cues -> a readable transcript: chapter sections, speaker turns, paragraphs with timestamps.

The same structure feeds the printable page, the player's interactive transcript and the
transcripts/<slug>.<lang>.txt file, which is deterministic: it changes only when its inputs do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .captions import Cue
from .chapters import Chapter
from .files import write_atomic
from .i18n import N_, gettext, ngettext

PARAGRAPH_CUES = 5  # a paragraph ends at a sentence end once it holds this many cues
SENTENCE_END = (".", "?", "!", '."', '?"', "!\"", "…")
# Said at the top of a transcript made from machine captions nobody has checked yet (the web
# pages say the same through their templates: partials/caption_notice.html).
MACHINE_NOTICE = N_("Automatic captions, not yet checked by our staff: names and medical "
                    "terms may be wrong.")


@dataclass
class Paragraph:
    speaker: str | None
    speaker_changed: bool
    cues: list[Cue] = field(default_factory=list)

    @property
    def start(self) -> float:
        return self.cues[0].start

    @property
    def text(self) -> str:
        return " ".join(cue.text for cue in self.cues)


@dataclass
class Section:
    chapter: Chapter | None
    paragraphs: list[Paragraph] = field(default_factory=list)


@dataclass(frozen=True)
class TranscriptHeader:
    """What a transcript opens with; render_text is the one place that words it, in `lang`
    (its labels through medialib.i18n; the title and series as given: that language's)."""

    title: str
    speakers: Sequence[str] = ()
    recorded: str | None = None
    series: str | None = None  # the series' title
    lang: str = "en"  # the transcript's language
    unchecked: bool = False  # made from machine captions nobody has checked yet
    part: int | None = None  # the webcast's part in its series


def clock(seconds: float) -> str:
    """"MM:SS" (or "H:MM:SS" past an hour) for a time in seconds, whole seconds cut off.

    The one clock of medialib: transcripts, pages, the command line and the demo's progress all
    print times with it (web/static/site.js's clock() writes the same in the browser)."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def build_sections(cues: Sequence[Cue], chapters: Sequence[Chapter]) -> list[Section]:
    """Group cues into chapter sections, then into paragraphs at speaker turns and sentence ends."""
    ordered = sorted(chapters, key=lambda c: c.start)
    sections: list[Section] = []
    if not ordered or (cues and cues[0].start < ordered[0].start):
        sections.append(Section(None))
    next_chapter = 0
    last_speaker: str | None = None
    for cue in cues:
        while next_chapter < len(ordered) and ordered[next_chapter].start <= cue.start + 0.001:
            sections.append(Section(ordered[next_chapter]))
            next_chapter += 1
        section = sections[-1]
        para = section.paragraphs[-1] if section.paragraphs else None
        turn = cue.speaker is not None and cue.speaker != last_speaker
        full = (
            para is not None
            and len(para.cues) >= PARAGRAPH_CUES
            and para.cues[-1].text.rstrip().endswith(SENTENCE_END)
        )
        if para is None or turn or full:
            speaker = cue.speaker if cue.speaker is not None else last_speaker
            para = Paragraph(speaker, speaker_changed=turn or para is None and bool(speaker))
            section.paragraphs.append(para)
        para.cues.append(cue)
        if cue.speaker is not None:
            last_speaker = cue.speaker
    for chapter in ordered[next_chapter:]:
        sections.append(Section(chapter))
    return [s for s in sections if s.paragraphs or s.chapter is not None]


def render_text(header: TranscriptHeader, sections: Sequence[Section]) -> str:
    """The plain-text transcript: title, speakers, chapter headings, speaker turns, [mm:ss]."""
    lang = header.lang
    lines = [header.title, "=" * min(len(header.title), 79)]
    if header.speakers:
        label = ngettext(lang, "Speaker: {names}", "Speakers: {names}", len(header.speakers))
        lines.append(label.format(names="; ".join(header.speakers)))
    if header.series:
        series = (gettext(lang, "Series: {series}, part {part}") if header.part
                  else gettext(lang, "Series: {series}"))
        lines.append(series.format(series=header.series, part=header.part))
    if header.recorded:
        lines.append(gettext(lang, "Recorded: {date}").format(date=header.recorded))
    if header.unchecked:
        lines.append(gettext(lang, "Note: {note}").format(note=gettext(lang, MACHINE_NOTICE)))
    lines.append("")
    for section in sections:
        if section.chapter is not None:
            lines += [f"## {section.chapter.title} [{clock(section.chapter.start)}]", ""]
        for para in section.paragraphs:
            who = f"{para.speaker}: " if para.speaker and para.speaker_changed else ""
            lines += [f"[{clock(para.start)}] {who}{para.text}", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def transcript_path(transcripts_dir: Path, slug: str, lang: str) -> Path:
    return transcripts_dir / f"{slug}.{lang}.txt"


def write_transcript(path: Path, text: str) -> bool:
    """Write the transcript only if it changed (so its mtime and git status stay put); changed?"""
    data = text.encode("utf-8")
    if path.exists() and path.read_bytes() == data:
        return False
    write_atomic(path, data)
    return True
