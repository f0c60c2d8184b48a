"""The transcript and captions downloads of one webcast, per language."""

from __future__ import annotations

from .. import models as m
from ..transcripts import TranscriptHeader, render_text
from .present import transcript_sections
from .transcript_lang import asked_lang


def download_name(slug: str, lang: str, extension: str) -> str:
    """"<slug>.<lang>.<extension>"; a language code that is no plain code is left out."""
    return f"{slug}.{lang}.{extension}" if asked_lang(lang) == lang else f"{slug}.{extension}"


def rebuilt_transcript(webcast: m.Webcast, lang: str) -> str:
    """The text transcript in language `lang`, as reindex writes it, from the database (for
    when transcripts/<slug>.<lang>.txt is gone)."""
    track = webcast.captions(lang)
    text = webcast.text(lang)
    header = TranscriptHeader(
        title=text.title,
        speakers=[s.display for s in webcast.speakers],
        recorded=webcast.recorded,
        series=webcast.series.text(lang).title if webcast.series else None,
        lang=lang,
        unchecked=bool(track and track.unchecked),
        part=webcast.part,
    )
    return render_text(header, transcript_sections(webcast, track, text.chapters))
