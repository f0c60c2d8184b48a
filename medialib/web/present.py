"""Presentation helpers: URLs of a webcast's files, dates, durations, the transcript's sections."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote, urlsplit

from babel.dates import format_date
from flask import Flask, url_for
from flask_babel import gettext

from .. import models as m
from ..captions import Cue
from ..chapters import Chapter
from ..files import resolve_inside
from ..languages import language_label
from ..transcripts import Section, build_sections, clock
from ..translated import WebcastText
from .context import settings
from .locale import page_lang
from .params import spoken_duration
from .transcript_lang import TranscriptLang, asked_lang
from .transcript_parts import Part, chapter_part_numbers, part_at, split_parts


def long_date(value: str | None) -> str:
    """"2024-03-12" -> "March 12, 2024" (on a Spanish page "12 de marzo de 2024"); other text
    is shown as it is."""
    if not value:
        return ""
    try:
        day = date.fromisoformat(value[:10])
    except ValueError:
        return value
    return format_date(day, format="long", locale=page_lang())


def media_path(slug: str, name: str | None) -> Path | None:
    """The file media/<slug>/<name> when it exists inside media/ (never through a link out)."""
    if not name:
        return None
    return resolve_inside(Path(settings().media_dir), slug, name)


def media_url(slug: str, name: str, checksum: str | None = None) -> str:
    """The file's URL, versioned by its checksum ("blake3:<hex>") when there is one."""
    url = f"/media/{quote(slug)}/{quote(name)}"
    version = (checksum or "").rpartition(":")[2][:12]
    return f"{url}?v={quote(version)}" if version else url


def poster_url(webcast: m.Webcast) -> str | None:
    """The poster's URL when the poster file exists."""
    if media_path(webcast.slug, webcast.poster) is None:
        return None
    return media_url(webcast.slug, webcast.poster or "")


def safe_link(url: str) -> str | None:
    """An outside link worth putting in an href (http, https or mailto), else None."""
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in {"http", "https", "mailto"} else None


def track_label(track: m.CaptionTrack) -> str:
    """The name a caption track is listed under in the player's menu."""
    if track.label and track.label != track.lang:
        return track.label
    return language_label(track.lang)


def kind_label(webcast: m.Webcast) -> str:
    return gettext("Audio") if webcast.kind == "audio" else gettext("Video")


@dataclass(frozen=True)
class Player:
    """What the player page shows for one webcast."""

    webcast: m.Webcast
    media: m.MediaFile | None
    media_src: str | None
    poster: str | None
    captions: m.CaptionTrack | None
    captions_src: str | None
    caption_tracks: list[tuple[m.CaptionTrack, str, str]]  # (track, src, label), every language
    sections: list[Section]  # those of the transcript part shown
    chapters: list[m.Chapter]
    start: float
    parts: list[m.Webcast]
    previous: m.Webcast | None
    next: m.Webcast | None
    transcript_parts: list[Part]
    part: Part  # the transcript part shown (the whole transcript when it is short)
    language: TranscriptLang  # the transcript's language (and the default captions')
    text: WebcastText  # title, summary, chapters and resources in the page's language
    transcript_text: WebcastText  # the same in the transcript's language (its headings)

    @property
    def lang(self) -> str:
        """The language of the transcript shown (its `lang` attribute)."""
        return self.language.lang or self.language.page

    @property
    def page_lang(self) -> str:
        """The page's interface language."""
        return self.language.page

    @property
    def chapter_part_numbers(self) -> list[int]:
        """For each chapter, the transcript part it begins in."""
        return chapter_part_numbers(self.transcript_parts)

    @property
    def is_audio(self) -> bool:
        return self.webcast.kind == "audio"

    @property
    def current_chapter(self) -> int:
        """Index of the chapter playing at the start time (-1 before the first)."""
        return sum(1 for chapter in self.chapters if chapter.start <= self.start + 0.05) - 1

    @property
    def duration(self) -> float:
        return self.webcast.duration or (self.media.duration if self.media else 0) or 0.0


def transcript_sections(webcast: m.Webcast, track: m.CaptionTrack | None,
                        titles: Sequence[str]) -> list[Section]:
    """The captions grouped under chapter headings, in paragraphs at speaker turns; `titles`
    are the chapters' titles in the transcript's language (Webcast.text(lang).chapters: one a
    chapter)."""
    cues = [Cue(c.start, c.end, c.text, c.speaker) for c in track.cues] if track else []
    chapters = [Chapter(ch.start, title)
                for ch, title in zip(webcast.chapters, titles, strict=True)]
    return build_sections(cues, chapters)


def transcript_language(webcast: m.Webcast, asked: str | None = None) -> TranscriptLang:
    """The transcript language of this request's page of `webcast` (?lang=, else the page's)."""
    return TranscriptLang.of(webcast.caption_langs, asked_lang(asked), page_lang())


def player(webcast: m.Webcast, start: float, part: int | None = None,
           asked: str | None = None) -> Player:
    """What the player page shows, starting at `start`, its transcript in language `asked`
    when it has that track (see transcript_lang); its transcript part is the one that holds
    `start`, or part number `part` when one is asked for."""
    media = webcast.media
    media_src = None
    if media is not None and media_path(webcast.slug, media.file) is not None:
        media_src = media_url(webcast.slug, media.file, media.checksum)
        if start > 0:
            media_src += f"#t={start:g}"
    language = transcript_language(webcast, asked)
    track = webcast.captions(language.lang or "en")
    tracks = []
    for candidate in webcast.caption_tracks:
        if media_path(webcast.slug, candidate.file) is not None:
            src = media_url(webcast.slug, candidate.file, candidate.checksum)
            tracks.append((candidate, src, track_label(candidate)))
    captions_src = next((src for t, src, _ in tracks if t is track), None)
    if track is not None and captions_src is None and track.cues:
        # The file is gone but its cues are stored: the app renders them as WebVTT.
        captions_src = url_for("player.transcript_vtt", slug=webcast.slug, lang=language.arg)
        tracks.insert(0, (track, captions_src, track_label(track)))
    parts = list(webcast.series.webcasts) if webcast.series else []
    index = next((i for i, w in enumerate(parts) if w.slug == webcast.slug), None)
    previous = parts[index - 1] if index is not None and index > 0 else None
    following = parts[index + 1] if index is not None and index + 1 < len(parts) else None
    duration = webcast.duration or (media.duration if media else 0) or 0.0
    text = webcast.text(page_lang())
    spoken = webcast.text(track.lang) if track is not None else text
    transcript = split_parts(transcript_sections(webcast, track, spoken.chapters), duration)
    shown = (transcript[min(part, len(transcript)) - 1] if part
             else part_at(transcript, start))
    return Player(
        webcast=webcast,
        media=media,
        media_src=media_src,
        poster=poster_url(webcast),
        captions=track,
        captions_src=captions_src,
        caption_tracks=tracks,
        sections=shown.sections,
        chapters=list(webcast.chapters),
        start=start,
        parts=parts,
        previous=previous,
        next=following,
        transcript_parts=transcript,
        part=shown,
        language=language,
        text=text,
        transcript_text=spoken,
    )


@lru_cache(maxsize=64)
def _file_hash(path: str, mtime_ns: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:10]


def asset(filename: str) -> str:
    """A static file's URL with a content hash, so it can be cached for a year."""
    from flask import current_app

    folder = current_app.static_folder or ""
    path = os.path.join(folder, filename)
    try:
        version = _file_hash(path, os.stat(path).st_mtime_ns)
    except OSError:
        return url_for("static", filename=filename)
    return url_for("static", filename=filename, v=version)


def init_app(app: Flask) -> None:
    app.jinja_env.filters["long_date"] = long_date
    app.jinja_env.filters["clock"] = clock
    app.jinja_env.filters["duration"] = spoken_duration
    app.jinja_env.filters["safe_link"] = safe_link
    app.jinja_env.filters["kind_label"] = kind_label
    app.jinja_env.globals["asset"] = asset
    app.jinja_env.globals["poster_url"] = poster_url
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
