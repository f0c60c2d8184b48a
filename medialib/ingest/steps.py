"""The steps of an ingest, in the order of their step lines: probe -> normalize -> poster ->
renditions -> captions -> chapters -> transcript -> catalog -> database -> index.

Each is a `Step` (runner) with the names of the values it needs and gives on the shared `Work`.
Files go into the staging folder; the rows are written into a transaction held open until the
commit (see staging). ffmpeg's conversion and the HLS renditions made from its output run in
the background: the poster of a remux, the captions and the transcript are made meanwhile.
"""

from __future__ import annotations

import errno
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import media
from .. import renditions as hls_renditions
from ..captions import Cue, cues_to_webvtt, load_captions
from ..catalog import CaptionTrack, Catalog, MediaFile, Webcast
from ..chapters import validate_chapters
from ..journal import pause_point
from ..library import Library, LoadedWebcast
from ..media import MediaError
from ..staging import Staging
from ..transcripts import clock, transcript_path
from .inputs import CaptionInput
from .poster import POSTER, make_title_card
from .prepare import Prepared, prepare
from .request import IngestError, IngestRequest
from .runner import Reporter, Shared, Step
from .words import describe_probe, megabytes

if TYPE_CHECKING:
    from ..asr.model import Recognizer


class Work(Shared):
    """What the steps of one ingest share. The first five and the recognizer are given; each
    later value is a step's output (see PIPELINE), there once that step has run."""

    library: Library
    request: IngestRequest
    slug: str
    stage: Staging
    reporter: Reporter
    prepared: Prepared  # probe
    media_file: MediaFile  # normalize: the web file, probed, with its checksum
    conversion: media.Conversion  # normalize, while it runs
    poster: str | None  # poster
    poster_at: float
    renditions: dict[str, Any]  # renditions: the manifest of media/<slug>/hls/
    rendering: media.Conversion  # renditions, while ffmpeg runs
    tracks: dict[str, list[Cue]]  # captions: as written and read back
    caption_tracks: tuple[CaptionTrack, ...]
    recognizer: Recognizer | None  # given: the speech recognition model of --transcribe
    recognized: CaptionInput  # recognize (--transcribe): the machine track, also in prepared
    transcripts: list[str]  # transcript
    webcast: Webcast  # catalog: the entry as committed
    loaded: LoadedWebcast

    def __init__(self, library: Library, request: IngestRequest, slug: str, stage: Staging,
                 reporter: Reporter, recognizer: Recognizer | None = None):
        super().__init__()
        self.library, self.request, self.slug = library, request, slug
        self.stage, self.reporter, self.recognizer = stage, reporter, recognizer


GIVEN = ("library", "request", "slug", "stage", "reporter", "recognizer")


def probe(w: Work) -> str:
    """Probe the recording, read and check every other input, draft the catalog entry."""
    w.prepared = p = prepare(w.library, w.request, w.slug)
    for notice in p.notices:
        w.note(notice)
    for added in p.added:
        w.note(f"adding {added}")
    return describe_probe(p.probe)


def normalize(w: Work) -> str:
    """Remux or transcode to the web file (ffmpeg, in the background), then probe and checksum
    it side by side."""
    p, plan = w.prepared, w.prepared.plan
    w.stage.new_media.mkdir(parents=True, exist_ok=True)
    output = w.stage.new_media / plan.output
    if w.cancelled:  # a step beside it failed before ffmpeg started
        raise IngestError(w.request.media, "stopped before the conversion started")
    w.conversion = conversion = media.Conversion.start(w.request.media, output, plan,
                                                       p.probe.duration)
    if w.cancelled:
        conversion.cancel()
    first = [True]
    final = w.library.webcast_dir(w.slug) / plan.output  # errors name where files go
    with _disk_errors(final), w.reporter.progress(plan.action, p.probe.duration) as update:

        def progress(done: float) -> None:
            update(done)
            if first[0]:
                first[0] = False
                pause_point("transcode")

        try:
            conversion.follow(progress)
        except BaseException:
            conversion.cancel()
            raise
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="checksum") as beside:
            digest = beside.submit(media.file_checksum, output)
            out = media.probe(output)
            checksum = digest.result()
    w.media_file = MediaFile(
        file=plan.output, type=plan.mime, duration=round(out.duration, 3), size=out.size,
        width=out.video.width if out.video else None,
        height=out.video.height if out.video else None,
        video_codec=out.video.codec if out.video else None,
        audio_codec=out.audio.codec if out.audio else None, checksum=checksum,
    )
    done = "remuxed" if plan.action == "remux" else "transcoded"
    return f"{plan.output}: {plan.description} ({done}, {megabytes(out.size)})"


def _stop_conversion(w: Work) -> None:
    if "conversion" in vars(w):
        w.conversion.cancel()


def poster(w: Work) -> str:
    """A frame of the video (a remux's from the source while ffmpeg copies it), or a title card."""
    p = w.prepared
    path = w.stage.new_media / POSTER
    at = w.request.poster_at if w.request.poster_at is not None else p.probe.duration * 0.1
    at = min(at, max(p.probe.duration - 0.1, 0.0))
    with _disk_errors(w.library.webcast_dir(w.slug) / POSTER):
        if p.probe.video is not None:
            source = w.request.media
            if p.plan.action != "remux":
                w.wait("media_file")
                source = w.stage.new_media / p.plan.output
            media.make_poster(source, path, at_seconds=at)
            note = f"{POSTER}: the frame at {clock(at)}"
        else:
            speakers = [p.catalog.speakers[s].display for s in p.draft.speakers]
            note = make_title_card(p.draft.title, speakers, path, w.stage.work)
    w.poster = POSTER if path.exists() else None
    return note


def renditions(w: Work) -> str:
    """HLS renditions of the web file (see renditions), staged in media/<slug>/hls/."""
    if w.cancelled:
        raise IngestError(w.request.media, "stopped before the renditions started")
    folder = w.stage.new_media / hls_renditions.FOLDER
    shutil.rmtree(folder, ignore_errors=True)  # a re-ingest's carried-over copy is not ours
    poster = w.stage.new_media / w.poster if w.poster else None
    with _disk_errors(w.library.webcast_dir(w.slug) / hls_renditions.FOLDER), \
            w.reporter.progress("renditions", w.media_file.duration or 0.0) as update:
        w.renditions = manifest = hls_renditions.build(
            w.stage.new_media / w.media_file.file, folder, poster, update,
            started=lambda conversion: setattr(w, "rendering", conversion))
    names = ", ".join(r["name"] for r in manifest["renditions"])
    total = sum(r["bytes"] for r in manifest["renditions"])
    return f"{hls_renditions.FOLDER}/: {names} ({megabytes(total)})"


def _stop_renditions(w: Work) -> None:
    if "rendering" in vars(w):
        w.rendering.cancel()


def captions(w: Work) -> str:
    """Normalized WebVTT per language, read back so every later step sees exactly those cues."""
    p, folder = w.prepared, w.stage.new_media
    w.tracks, written = {}, []
    given = {c.lang: c.cues for c in p.captions}
    for track in p.draft.captions:
        path = folder / track.file
        with _disk_errors(w.library.webcast_dir(w.slug) / track.file):
            if track.lang in given:
                path.unlink(missing_ok=True)  # a kept file's hard link: never write through it
                path.write_text(cues_to_webvtt(given[track.lang]), encoding="utf-8")
            elif not path.exists():  # kept from the existing entry: its file carries over
                shutil.copyfile(w.library.webcast_dir(w.slug) / track.file, path)
        w.tracks[track.lang] = load_captions(path)
        written.append(replace(track, checksum=media.file_checksum(path)))
    w.caption_tracks = tuple(written)
    return ", ".join(f"{lang}: {len(cues)} cues" for lang, cues in w.tracks.items()) or "none"


def chapters(w: Work) -> str:
    """The chapters, checked against the web file's own duration."""
    p = w.prepared
    validate_chapters(p.chapters, w.media_file.duration or 0.0,
                      p.chapters_source or str(w.request.media))
    return f"{len(p.chapters)} from {p.chapters_source}" if p.chapters else "none"


def transcript(w: Work) -> str:
    """The transcript of each caption language, staged (its header is the draft entry's)."""
    p, stage = w.prepared, w.stage
    loaded = LoadedWebcast(p.draft, w.tracks, p.probe.duration)
    stage.new_transcripts.mkdir(parents=True, exist_ok=True)
    w.transcripts = []
    for lang in w.tracks:
        path = transcript_path(stage.new_transcripts, w.slug, lang)
        with _disk_errors(transcript_path(w.library.settings.transcripts_dir, w.slug, lang)):
            path.write_text(w.library.transcript_text(p.catalog, loaded, lang), encoding="utf-8")
        w.transcripts.append(f"transcripts/{path.name}")
    return ", ".join(w.transcripts) or "none (no captions)"


def catalog(w: Work) -> str:
    """The finished entry in the new catalog.yaml, staged (and loaded again to be sure)."""
    p, poster_file = w.prepared, w.poster
    w.webcast = replace(
        p.draft, media=w.media_file, poster=poster_file,
        poster_checksum=media.file_checksum(w.stage.new_media / poster_file)
        if poster_file else None,
        captions=w.caption_tracks,
    )
    w.loaded = LoadedWebcast(w.webcast, w.tracks, w.media_file.duration or 0.0)
    p.catalog.put_webcast(w.webcast)
    text = p.catalog.dump()
    Catalog.from_text(text, p.catalog.path)  # what is committed must load again
    with _disk_errors(p.catalog.path):
        w.stage.stage_catalog(text, p.catalog_bytes)
    return f"{p.catalog.path.name}: webcast {w.slug!r}" + (" replaced" if p.replacing
                                                           else " added")


def database(w: Work) -> str:
    """The rows, written in a transaction that commits at the switch (see staging)."""
    with _derived_errors("database"):
        w.stage.hold_rows(w.library.hold_rows(w.prepared.catalog, w.loaded))
    return f"{sum(len(c) for c in w.tracks.values())} cues stored"


def index(w: Work) -> str:
    """The search documents, made now and written just after the switch."""
    with _derived_errors("search index"):
        update = w.library.index_update(w.prepared.catalog, w.loaded)
    w.stage.stage_index(update)
    if not w.library.is_public(w.webcast):
        return "held back until its captions are reviewed (publish_unreviewed_captions)"
    return "searchable"


PIPELINE = (
    Step("probe", ("request", "slug"), ("prepared",), probe),
    Step("normalize", ("prepared", "stage"), ("media_file",), normalize, background=True,
         cancel=_stop_conversion),
    Step("poster", ("prepared",), ("poster",), poster),
    Step("renditions", ("media_file", "poster"), ("renditions",), renditions, background=True,
         cancel=_stop_renditions),
    Step("captions", ("prepared",), ("tracks", "caption_tracks"), captions),
    Step("chapters", ("prepared", "media_file"), (), chapters),
    Step("transcript", ("prepared", "tracks"), ("transcripts",), transcript),
    Step("catalog", ("media_file", "poster", "caption_tracks"), ("webcast", "loaded"), catalog),
    Step("database", ("loaded",), (), database),
    Step("index", ("loaded",), (), index),
)
STEPS = tuple(step.name for step in PIPELINE)


@contextmanager
def _disk_errors(path: Path) -> Iterator[None]:
    """A full disk (or a file-size limit) becomes an error staff can act on."""
    try:
        yield
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            raise IngestError(path, _FULL) from None
        raise
    except MediaError as exc:
        # ffmpeg says "No space left on device", or dies of SIGXFSZ (status -25) at a size limit.
        if "No space left" in exc.message or "exit status -25" in exc.message:
            raise IngestError(path, _FULL) from None
        raise


_FULL = ("the disk is full (or a file-size limit was reached) while writing this file; nothing "
         "was changed: free some space and run the ingest again")


@contextmanager
def _derived_errors(where: str) -> Iterator[None]:
    """Any failure to write the database or index: the change is rolled back, staff told why."""
    try:
        yield
    except Exception as exc:
        detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise IngestError(where, f"cannot be written ({detail}); nothing was changed") from None
