"""Draft captions from speech: the recognize step of `ingest --transcribe`, and the steps of
`medialib transcribe SLUG` for a webcast already in the library.

    ingest --transcribe:  probe -> normalize -> poster -> recognize -> captions -> chapters ->
                          transcript -> catalog -> database -> index
    transcribe SLUG:      read -> keep -> recognize -> captions -> transcript -> catalog ->
                          database -> index

The recognize step runs the model on the recording (a tqdm bar: percent of its duration, ETA),
cuts the words into caption cues (asr.cues) and adds them to the plan as a track marked
`source: machine`, replacing any track of that language; every later step treats it like a
caption file staff gave. `transcribe` reads the existing entry instead of probing a new
recording and keeps its media folder (hard links), so only the captions, the transcripts, the
catalog entry, the rows and the index change, staged and committed like an ingest.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from .. import media
from ..asr.cues import shape_cues
from ..catalog import CaptionTrack
from ..journal import carry_over, pause_point
from ..provenance import MACHINE
from .inputs import CaptionInput, language_label
from .prepare import Prepared
from .request import IngestError
from .runner import Step
from .steps import PIPELINE, Work, _disk_errors


def recognize(w: Work) -> str:
    """The recording's speech as caption cues, added to the plan as a machine track."""
    p, recognizer = w.prepared, w.recognizer
    assert recognizer is not None, "the ingest loads the model before it starts"
    duration = w.media_file.duration or p.probe.duration
    started, first = time.monotonic(), [True]
    with w.reporter.progress("recognize", duration) as update:

        def progress(done: float) -> None:
            update(done)
            if first[0]:
                first[0] = False
                pause_point("recognition")

        result = recognizer.recognize(w.request.media, w.request.language, progress)
    seconds = max(time.monotonic() - started, 1e-6)
    cues = shape_cues(result.words, duration)
    if not cues:
        raise IngestError(w.request.media, f"no speech was recognized ({result.model}); nothing "
                          "was changed (ingest without --transcribe to publish it uncaptioned)")
    lang = result.language
    refuse_to_replace_human(w.library.webcast_dir(w.slug), p.draft.captions, lang,
                            w.request.replace_human)
    label = language_label(lang)
    source = f"speech recognition ({result.model})"
    p.captions = [c for c in p.captions if c.lang != lang]
    w.recognized = CaptionInput(lang, label, tuple(cues), source)
    p.captions.append(w.recognized)
    name = next((t.file for t in p.draft.captions if t.lang == lang), f"captions.{lang}.vtt")
    track = CaptionTrack(lang, name, label, source=MACHINE)
    others = tuple(t for t in p.draft.captions if t.lang != lang)
    # What an ingest recognized is the language spoken; `transcribe SLUG` (whose draft is the
    # entry itself) adds a track and leaves the entry's language as it is.
    spoken = p.draft.language if p.draft is p.replacing else lang
    p.draft = replace(p.draft, captions=(*others, track), language=spoken)
    return (f"{lang}: {len(result.words)} words, {len(cues)} cues by {result.model} in "
            f"{seconds:.1f} s ({duration / seconds:.0f}x real time); marked as automatic "
            "captions not yet checked by staff")


def refuse_to_replace_human(folder: Path, tracks: Sequence[CaptionTrack], lang: str,
                            asked: bool) -> None:
    """IngestError if recognition would replace captions a person made or checked, unasked."""
    old = next((t for t in tracks if t.lang == lang), None)
    if old is not None and old.source != MACHINE and not asked:
        raise IngestError(
            folder / old.file,
            f"these {language_label(lang)} captions were made or checked by a person "
            f"({old.source}); nothing was changed (run again with --replace-human to replace "
            "them with automatic captions)")


def read_existing(w: Work) -> str:
    """The webcast's catalog entry and web file, as the plan of a transcription."""
    catalog_bytes = w.library.settings.catalog_path.read_bytes()
    catalog = w.library.load_catalog()
    webcast, slug = catalog.webcast(w.slug), w.slug
    probe = media.probe(w.request.media)
    w.prepared = Prepared(
        w.request, slug, catalog, catalog_bytes, webcast, probe, media.plan(probe), [],
        webcast.captions, list(webcast.chapters), "the existing entry", draft=webcast,
    )
    return f"{webcast.title!r}: {len(webcast.captions)} caption track(s) before"


def keep_media(w: Work) -> str:
    """The webcast's media folder, hard-linked into the staging folder (written files replace
    their link, never the library's file)."""
    p, folder = w.prepared, w.stage.new_media
    current = w.library.webcast_dir(w.slug)
    folder.mkdir(parents=True, exist_ok=True)
    with _disk_errors(current):
        kept = carry_over(current, folder)  # so the commit takes nothing out
    w.media_file, w.poster = p.replacing.media if p.replacing else p.draft.media, p.draft.poster
    return f"media/{w.slug}/: {len(kept)} files kept"


_BY_NAME = {step.name: step for step in PIPELINE}
_BY_NAME["recognize"] = Step("recognize", ("prepared", "media_file", "recognizer"),
                             ("recognized",), recognize)
_BY_NAME["read"] = Step("read", ("request", "slug"), ("prepared",), read_existing)
_BY_NAME["keep"] = Step("keep", ("prepared", "stage"), ("media_file", "poster"), keep_media)
TRANSCRIBING = tuple(_BY_NAME[name] for name in (
    "probe", "normalize", "poster", "recognize", "captions", "chapters", "transcript",
    "catalog", "database", "index"))
EXISTING = tuple(_BY_NAME[name] for name in (
    "read", "keep", "recognize", "captions", "transcript", "catalog", "database", "index"))
