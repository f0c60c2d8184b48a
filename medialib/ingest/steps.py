"""The steps of an ingest after the probe: normalize -> poster -> captions -> chapters ->
transcript -> catalog -> database -> index, each writing into the staging folder.

`ingest.ingest` runs them between creating the staging folder and committing it; any error here
leaves the library untouched (see ingest_commit).
"""

from __future__ import annotations

import errno
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from . import media
from .captions import Cue, cues_to_webvtt, load_captions
from .catalog import CaptionTrack, Catalog, MediaFile, Webcast
from .chapters import validate_chapters
from .ingest_commit import Staging, pause_point
from .ingest_inputs import IngestError
from .ingest_poster import POSTER, make_title_card
from .ingest_prepare import Prepared, prepare
from .library import Library, LoadedWebcast
from .media import MediaError, Plan, Probe
from .transcripts import transcript_path

if TYPE_CHECKING:
    from .ingest import IngestRequest, Reporter


def run_steps(
    library: Library, request: IngestRequest, probe: Probe, plan: Plan, stage: Staging,
    conversion: media.Conversion, reporter: Reporter,
) -> tuple[Prepared, Webcast, dict[str, int]]:
    """Run every step after the probe into `stage`, while `conversion` (ffmpeg, writing the
    web file into it) runs: what was prepared, the webcast, and its cue count per language.

    While ffmpeg runs, every other input is read and checked (an error stops ffmpeg at once),
    the poster of a remux is taken from the source (its frames are the same), and the captions
    and transcript are written. The output's checksum is then taken while it is probed. Step
    lines still come in their named order, and each step fails under its name.
    """
    folder = stage.new_media
    final = library.webcast_dir(stage.slug)  # errors name where files go, not the scratch folder
    output = Path(conversion.dest)
    held: dict[str, str] = {}  # step lines of work done beside ffmpeg, printed in step order
    try:
        p = prepare(library, request, probe)
        reporter.step("probe", describe_probe(probe))
        for notice in p.notices:
            reporter.notice(notice)
        for added in p.added:
            reporter.notice(f"adding {added}")
        poster_path = folder / POSTER
        poster_at = request.poster_at if request.poster_at is not None else probe.duration * 0.1
        poster_at = min(poster_at, max(probe.duration - 0.1, 0.0))
        pause_point("poster")
        if plan.action == "remux" and probe.video is not None:
            with _disk_errors(final / POSTER):
                media.make_poster(request.media, poster_path, poster_at)
        pause_point("captions")
        tracks, caption_tracks = _write_captions(library, p, folder)
        held["captions"] = ", ".join(
            f"{lang}: {len(cues)} cues" for lang, cues in tracks.items()) or "none"
        pause_point("transcript")
        _write_transcripts(library, p, stage, LoadedWebcast(p.draft, tracks, probe.duration))
        held["transcript"] = ", ".join(
            f"transcripts/{p.slug}.{lang}.txt" for lang in tracks) or "none (no captions)"
        with _disk_errors(final / plan.output), \
                reporter.progress(plan.action, probe.duration) as update:
            first = [True]

            def progress(done: float) -> None:
                update(done)
                if first[0]:
                    first[0] = False
                    pause_point("transcode")

            conversion.follow(progress)
    except BaseException:
        conversion.cancel()
        raise

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest") as beside:
        digest = beside.submit(media.file_checksum, output)
        out = media.probe(output)
        media_file = MediaFile(
            file=plan.output, type=plan.mime, duration=round(out.duration, 3), size=out.size,
            width=out.video.width if out.video else None,
            height=out.video.height if out.video else None,
            video_codec=out.video.codec if out.video else None,
            audio_codec=out.audio.codec if out.audio else None,
        )
        reporter.step("normalize", f"{plan.output}: {plan.description} "
                      f"({'remuxed' if plan.action == 'remux' else 'transcoded'}, "
                      f"{megabytes(out.size)})")

        with _disk_errors(final / POSTER):
            if poster_path.exists():
                poster_note = f"{POSTER}: the frame at {clock(poster_at)}"
            elif out.video is not None:
                media.make_poster(output, poster_path, at_seconds=poster_at)
                poster_note = f"{POSTER}: the frame at {clock(poster_at)}"
            else:
                speakers = [p.catalog.speakers[s].display for s in p.draft.speakers]
                poster_note = make_title_card(p.draft.title, speakers, poster_path, stage.work)
        poster = POSTER if poster_path.exists() else None
        reporter.step("poster", poster_note)
        reporter.step("captions", held["captions"])

        pause_point("chapters")
        source = p.chapters_source or str(request.media)
        validate_chapters(p.chapters, media_file.duration, source)
        reporter.step("chapters", f"{len(p.chapters)} from {p.chapters_source}" if p.chapters
                      else "none")
        reporter.step("transcript", held["transcript"])
        with _disk_errors(final / plan.output):
            media_file = replace(media_file, checksum=digest.result())
    webcast = replace(p.draft, media=media_file, poster=poster,
                      poster_checksum=media.file_checksum(poster_path) if poster else None,
                      captions=caption_tracks)
    loaded = LoadedWebcast(webcast, tracks, media_file.duration or 0.0)

    pause_point("catalog")
    p.catalog.put_webcast(webcast)
    text = p.catalog.dump()
    Catalog.from_text(text, p.catalog.path)  # what is committed must load again
    with _disk_errors(p.catalog.path):
        stage.stage_catalog(text, p.catalog_bytes)
    reporter.step("catalog", f"{p.catalog.path.name}: webcast {p.slug!r}"
                  + (" replaced" if p.replacing else " added"))

    pause_point("database")
    with _derived_errors("database"):
        stage.publish(lambda: library.publish_rows(p.catalog, loaded))
    reporter.step("database", f"{sum(len(c) for c in tracks.values())} cues stored")

    pause_point("index")
    with _derived_errors("search index"):
        library.index.add(library.indexed(p.catalog, loaded))
    reporter.step("index", "searchable")
    return p, webcast, {lang: len(cues) for lang, cues in tracks.items()}


def _write_transcripts(library: Library, p: Prepared, stage: Staging,
                       loaded: LoadedWebcast) -> None:
    """The transcript of each caption language, staged (its header is the draft entry's)."""
    stage.new_transcripts.mkdir(parents=True)
    for lang in loaded.tracks:
        path = transcript_path(stage.new_transcripts, p.slug, lang)
        with _disk_errors(transcript_path(library.settings.transcripts_dir, p.slug, lang)):
            path.write_text(library.transcript_text(p.catalog, loaded, lang), encoding="utf-8")


def _write_captions(
    library: Library, p: Prepared, folder: Path
) -> tuple[dict[str, list[Cue]], tuple[CaptionTrack, ...]]:
    """Normalized WebVTT per language, read back so every later step sees exactly those cues."""
    tracks: dict[str, list[Cue]] = {}
    written = []
    for track in p.draft.captions:
        path = folder / track.file
        with _disk_errors(library.webcast_dir(p.slug) / track.file):
            if p.captions:
                cues = next(c.cues for c in p.captions if c.lang == track.lang)
                path.write_text(cues_to_webvtt(cues), encoding="utf-8")
            else:  # re-ingest without captions: the existing normalized files carry over
                shutil.copyfile(library.webcast_dir(p.slug) / track.file, path)
        tracks[track.lang] = load_captions(path)
        written.append(replace(track, checksum=media.file_checksum(path)))
    return tracks, tuple(written)


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


# ---- words for people ------------------------------------------------------------------------


def clock(seconds: float) -> str:
    """ "4:05", or "1:02:03" past an hour."""
    total = max(0, int(round(seconds)))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def megabytes(size: int) -> str:
    """ "12.3 MB" (or GB for the very large)."""
    return f"{size / 2**20:.1f} MB" if size < 10 * 2**30 else f"{size / 2**30:.1f} GB"


def describe_probe(probe: media.Probe) -> str:
    """ "talk.mov: 1:02:03, h264 1280x720, aac audio" for the probe step line."""
    parts = [f"{Path(probe.path).name}: {clock(probe.duration)}"]
    if probe.video:
        parts.append(f"{probe.video.codec} {probe.video.width}x{probe.video.height}")
    if probe.audio:
        parts.append(f"{probe.audio.codec} audio")
    if probe.subtitles:
        parts.append(f"{len(probe.subtitles)} subtitle stream(s)")
    if probe.chapters:
        parts.append(f"{len(probe.chapters)} chapters")
    return ", ".join(parts)


def describe_media(webcast: Webcast) -> str:
    """ "H.264 1280x720, AAC" for the summary."""
    m = webcast.media
    names = {"h264": "H.264", "aac": "AAC"}
    parts = []
    if m.video_codec:
        parts.append(f"{names.get(m.video_codec, m.video_codec)} {m.width}x{m.height}")
    if m.audio_codec:
        parts.append(names.get(m.audio_codec, m.audio_codec))
    return ", ".join(parts)
