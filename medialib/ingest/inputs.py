"""Reading what staff give `medialib ingest`: caption files, chapter files, embedded streams.

Everything here reads and validates; nothing writes. Each error names the file (and, for captions
and chapters, the line) so staff can open it and fix it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .. import media
from ..captions import CaptionError, Cue, parse_captions
from ..chapters import Chapter, parse_chapters, validate_chapters
from ..languages import ISO639_2, language_label
from ..media import MediaError, Probe
from .request import LANG_RE, CaptionSource, IngestError, require_file


@dataclass(frozen=True)
class CaptionInput:
    """Parsed captions of one language, and where they came from."""

    lang: str
    label: str
    cues: tuple[Cue, ...]
    source: str  # a file path, or "<media> subtitle stream #2"




def read_caption_files(sources: Sequence[CaptionSource], default: str = "en"
                       ) -> list[CaptionInput]:
    """Parse each --captions file (in language `default` unless it names one); CaptionError
    names the file and line of the first problem."""
    seen: dict[str, Path] = {}
    inputs = []
    for source in sources:
        lang = source.lang or default
        if lang in seen:
            raise IngestError(
                source.path,
                f"a second caption file for language {lang!r} (the first is "
                f"{seen[lang]}); give each file its language as FILE:LANG",
            )
        seen[lang] = source.path
        require_file(source.path, "caption file")
        cues = parse_captions(source.path.read_bytes(), str(source.path))
        inputs.append(CaptionInput(lang, language_label(lang), tuple(cues), str(source.path)))
    return inputs


def read_embedded_captions(probe: Probe, notices: list[str], default: str = "en"
                           ) -> list[CaptionInput]:
    """Text subtitle streams of the media (mov_text, subrip, webvtt), one per language; the
    first stream without a language tag is in language `default`."""
    inputs: list[CaptionInput] = []
    for stream in probe.subtitles:
        where = f"{probe.path} subtitle stream #{stream.index}"
        if not stream.is_text:
            notices.append(f"skipped {where}: {stream.codec} subtitles are pictures, not text")
            continue
        code = (stream.language or "").lower()
        lang = ISO639_2.get(code, code if LANG_RE.match(code) and code != "und" else "")
        lang = lang or (default if not inputs else f"x-{stream.index}")
        if any(i.lang == lang for i in inputs):
            notices.append(f"skipped {where}: a second {lang!r} subtitle stream")
            continue
        try:
            data = media.extract_subtitles(probe.path, stream.index)
            cues = parse_captions(data, where)
        except (MediaError, CaptionError) as exc:
            notices.append(f"skipped {where}: {getattr(exc, 'message', exc)}")
            continue
        inputs.append(CaptionInput(lang, language_label(lang), tuple(cues), where))
    return inputs


def read_chapters(path: Path | None, probe: Probe) -> tuple[list[Chapter], str]:
    """Chapters from --chapters FILE, else those embedded in the media; (chapters, source)."""
    if path is not None:
        require_file(path, "chapters file")
        chapters = parse_chapters(path.read_bytes(), str(path))
        validate_chapters(chapters, probe.duration, str(path))
        return chapters, str(path)
    if not probe.chapters:
        return [], ""
    chapters = list(probe.chapters)
    validate_chapters(chapters, probe.duration, probe.path)
    return chapters, f"{probe.path} (embedded)"


def captions_past_end(inputs: Sequence[CaptionInput], duration: float) -> list[str]:
    """Notices for caption tracks that start after the media ends: probably the wrong file."""
    notes = []
    for item in inputs:
        late = [c for c in item.cues if c.start >= duration + 1.0]
        if late:
            notes.append(
                f"{item.source}: {len(late)} cue(s) start after the media ends "
                f"({late[0].start:.1f} s > {duration:.1f} s); is this the right caption file?"
            )
    return notes
