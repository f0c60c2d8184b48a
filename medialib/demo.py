"""Render the sample library's media from its committed captions: slides, narration and posters.

Media are never committed. Each webcast is narrated by espeak-ng from its own WebVTT captions
(its first track: each cue spoken at the cue's start, one voice per speaker, in the voices of the
track's language; medialib.narration), so what is heard is what the captions and transcript say.
Video items show the title, the presenters and the current chapter on calm slides; audio items
become an AAC M4A with a title-card poster; both worded in the track's language. Outputs are
written under temporary names and renamed into place, so an interrupted run never leaves a half
file that looks done. A rendered file carries a fingerprint of its captions, title and chapters,
so it is reused while they are unchanged and re-rendered when they change; a file without one (a
real recording ingested in its place) is never overwritten unless forced.

An item whose caption track is marked `source: machine` is narrated from its script
(narration.<lang>.vtt) instead, and its captions are then recognized from the rendered narration
(asr.draft), so the sample library shows automatic captions as staff would get them. Without a
speech recognition model only that step is skipped: the committed captions stay.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import textwrap
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ffmpeg

from . import media
from .asr.draft import recognize_sample
from .captions import CaptionError, Cue, parse_captions
from .catalog import Catalog, Webcast
from .chapters import Chapter
from .i18n import N_, gettext
from .ingest.poster import (
    ACCENT,
    BACKGROUND,
    FONT_DIR,
    INK,
    MUTED,
    make_title_card,
    quote_option,
)
from .library import Library
from .narration import write_narration
from .operations import INDEX_PROCESSES, SayReporter, renditions_of
from .staging import exclusive
from .transcripts import clock

RENDERER = "medialib-demo 1"  # bump to re-render every sample item after a design change
FOOTER = N_("Sample narration \u2014 demonstration library")  # in the narrated track's language
# Slides change rarely: 2 frames a second with a keyframe every 5 s (and at each chapter start)
# keep seeking instant at a small encoding cost.
WIDTH, HEIGHT, FPS, GOP = 1280, 720, 2, 10
TAIL = 1.0  # seconds of silence after the last cue
COLORS = {"bg": BACKGROUND, "ink": INK, "muted": MUTED, "accent": ACCENT}  # the title card's


class DemoError(media.MediaError):
    """The sample library cannot be rendered; the message names the file or webcast at fault.

    A MediaError, so the command line reports it like any other media problem.
    """


@dataclass(frozen=True)
class _Item:
    slug: str
    kind: str
    title: str
    presenters: str
    lang: str  # of the narrated track: its voices, and the slides' words
    chapters: tuple[Chapter, ...]
    cues: tuple[Cue, ...]
    duration: float
    media_path: Path
    poster_path: Path
    fingerprint: str
    need_media: bool
    recognized: Path | None = None  # the captions to recognize from the rendered narration


def render_demo(
    library: Path,
    catalog: Catalog,
    *,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
    jobs: int = 2,
    asr_model: str = "",
) -> list[str]:
    """Render missing or outdated (with `force`, all) sample media and posters; slugs rendered."""
    say = progress or (lambda message: None)
    for tool in ("espeak-ng", "ffmpeg", "ffprobe"):
        if catalog.webcasts and shutil.which(tool) is None:
            raise DemoError(tool, "not installed (Debian: apt-get install ffmpeg espeak-ng)")
    items = []
    for webcast in catalog.webcasts.values():
        item = _plan_item(Path(library), catalog, webcast, force)
        if item is not None:
            items.append(item)
    for item in items:
        if item.need_media:
            say(f"{item.slug}: rendering {item.kind} ({clock(item.duration)}, "
                f"{len(item.cues)} cues)")
        else:
            say(f"{item.slug}: making the poster")
    # Threads are enough: the work happens in espeak-ng and ffmpeg child processes.
    with ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="demo") as pool:
        futures = {pool.submit(_render, item): item for item in items}
        try:
            for future in as_completed(futures):
                item = futures[future]
                seconds = future.result()  # the first failure cancels the items not started
                files = [item.media_path.name] if item.need_media else []
                say(f"{item.slug}: {', '.join([*files, item.poster_path.name])} "
                    f"in {seconds:.1f} s")
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    for item in items:
        if item.need_media and item.recognized is not None:
            recognize_sample(item.slug, item.media_path, item.recognized, asr_model, say)
    return [item.slug for item in items]


def read_cues(path: Path) -> list[Cue]:
    """The cues of a caption file as plain text with their speakers, in order: read by
    medialib.captions, as ingest and reindex read them, so the narration says what the
    transcript shows."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise DemoError(path, "caption file not found") from None
    except OSError as exc:
        raise DemoError(path, f"cannot read captions ({exc.strerror or exc})") from None
    try:
        cues = parse_captions(data, str(path))
    except CaptionError as exc:
        where = f"line {exc.line}: " if exc.line else ""
        raise DemoError(path, f"cannot read captions ({where}{exc.message})") from None
    return sorted(cues, key=lambda c: c.start)


# ---- planning ------------------------------------------------------------------------------


def _plan_item(library: Path, catalog: Catalog, webcast: Webcast, force: bool) -> _Item | None:
    folder = library / "media" / webcast.slug
    media_path = folder / webcast.media.file
    poster_path = folder / (webcast.poster or "poster.jpg")
    if not webcast.captions:
        if media_path.exists() and poster_path.exists():
            return None
        raise DemoError(catalog.path, f"webcast {webcast.slug!r}: no captions to narrate")
    track = webcast.captions[0]
    script = folder / f"narration.{track.lang}.vtt"
    machine = track.source == "machine" and script.exists()
    cues = tuple(read_cues(script if machine else folder / track.file))
    speakers = [catalog.speakers[s].display for s in webcast.speakers if s in catalog.speakers]
    duration = round(cues[-1].end + TAIL, 3)
    chapters = tuple(c for c in webcast.chapters if c.start < duration)
    facts = [RENDERER, webcast.kind, webcast.title, speakers,
             [[c.start, c.title] for c in chapters],
             [[c.start, c.end, c.text, c.speaker] for c in cues]]
    if track.lang != "en":  # English items keep the fingerprints they were rendered with
        facts.append(track.lang)
    fingerprint = hashlib.sha256(json.dumps(facts).encode()).hexdigest()[:16]
    need_media = force or _stale(media_path, fingerprint)
    if not need_media and poster_path.exists():
        return None
    _remove_stale_parts(folder)
    return _Item(webcast.slug, webcast.kind, webcast.title, " \u00b7 ".join(speakers),
                 track.lang, chapters, cues, duration, media_path, poster_path, fingerprint,
                 need_media, folder / track.file if machine else None)


def _stale(path: Path, fingerprint: str) -> bool:
    """Missing, or rendered by the demo from other captions (a real recording is kept)."""
    if not path.exists():
        return True
    try:
        tags = ffmpeg.probe(str(path.resolve()), v="error").get("format", {}).get("tags", {})
    except ffmpeg.Error:
        return True  # unreadable: a leftover to replace
    comment = str({k.lower(): v for k, v in tags.items()}.get("comment", ""))
    return comment.startswith("medialib-demo ") and comment != f"medialib-demo {fingerprint}"


def _remove_stale_parts(folder: Path, older_than: float = 600.0) -> None:
    """Temporary files an interrupted run left behind (not those of a run still going)."""
    for part in folder.glob(".*.part-*"):
        if time.time() - part.stat().st_mtime > older_than:
            part.unlink(missing_ok=True)


# ---- rendering (one item, in a worker thread) ----------------------------------------------


def _render(item: _Item) -> float:
    started = time.perf_counter()
    tag = uuid.uuid4().hex[:8]
    folder = item.media_path.parent
    part_media = folder / f".{item.media_path.stem}.part-{tag}{item.media_path.suffix}"
    part_poster = folder / f".{item.poster_path.stem}.part-{tag}{item.poster_path.suffix}"
    try:
        with tempfile.TemporaryDirectory(prefix="medialib-demo-") as tmp:
            work = Path(tmp)
            if item.need_media:
                wav = work / "narration.wav"
                write_narration(item.cues, item.duration, item.lang, wav)
                _encode(item, wav, work, part_media)
            if item.kind == "video":
                source = part_media if item.need_media else item.media_path
                media.make_poster(source, part_poster, at_seconds=item.duration * 0.1)
            else:
                note = make_title_card(item.title, [item.presenters] if item.presenters else [],
                                       part_poster, work, footer=gettext(item.lang, FOOTER))
                if not part_poster.exists():
                    raise DemoError(item.slug, f"no title card: {note}")
        if item.need_media:
            os.replace(part_media, item.media_path)
        os.replace(part_poster, item.poster_path)
    finally:
        part_media.unlink(missing_ok=True)
        part_poster.unlink(missing_ok=True)
    return time.perf_counter() - started


def _encode(item: _Item, wav: Path, work: Path, dest: Path) -> None:
    """Slides (video) or nothing (audio) plus the narration as AAC, fast start, fingerprinted."""
    audio = ffmpeg.input(str(wav))
    opts: dict[str, Any] = {
        # Narration stays at espeak's 22.05 kHz, and the "fast" AAC coder is ~3x quicker than
        # the default: both transparent for synthetic speech, and half the demo's audio time.
        "c:a": "aac", "aac_coder": "fast", "b:a": "48k", "ac": 1, "f": "mp4",
        "movflags": "+faststart", "metadata": f"comment=medialib-demo {item.fingerprint}",
    }
    if item.kind == "video":
        slides = ffmpeg.input(f"color=c={COLORS['bg']}:s={WIDTH}x{HEIGHT}:r={FPS}"
                              f":d={item.duration}", f="lavfi")
        keys = ",".join(f"{c.start:.3f}" for c in item.chapters if c.start > 0)
        # ultrafast halves x264's time on these flat slides; text stays crisp, files ~1 MB/min.
        opts.update({"vf": _slide_filter(item, work), "c:v": "libx264", "preset": "ultrafast",
                     "crf": 28, "pix_fmt": "yuv420p", "g": GOP})
        if keys:
            opts["force_key_frames"] = keys  # each chapter starts on a keyframe
        output = ffmpeg.output(slides["0"], audio["0"], str(dest), **opts)
    else:
        output = ffmpeg.output(audio["0"], str(dest), **opts)
    _ffmpeg(output.compile(cmd="ffmpeg", overwrite_output=True), item.slug)


def _ffmpeg(args: list[str], slug: str) -> None:
    args[1:1] = ["-hide_banner", "-nostdin", "-v", "error"]
    result = subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True)
    if result.returncode != 0:
        tail = result.stderr.decode("utf-8", "replace").strip()[-1500:]
        raise DemoError(slug, f"ffmpeg failed: {tail}")


# ---- slides ---------------------------------------------------------------------------------


def _slide_filter(item: _Item, work: Path) -> str:
    """A video's slides: drawtext filters for the title, presenters, each chapter in its time
    span, and a footer (an audio item's poster is ingest's title card).

    Text goes through files (textfile=, expansion=none), so apostrophes, colons, commas and
    percent signs in titles need no escaping; only the file paths are quoted.
    """
    regular, bold = _font("DejaVuSans.ttf"), _font("DejaVuSans-Bold.ttf")
    filters = [f"drawbox=x=96:y=104:w=120:h=8:color={COLORS['accent']}:t=fill"]
    # Wrap widths assume DejaVu's average glyph (~0.6 em bold), leaving the 96 px side margins.
    title = _wrap(item.title, 38, 3)
    filters.append(_drawtext(work, "title", title, bold, 48, "ink", 96, 150))
    y = 150 + _lines_height(title, 48) + 14
    if item.presenters:
        presenters = _wrap(item.presenters, 60, 2)
        filters.append(_drawtext(work, "presenters", presenters, regular, 30, "muted", 96, y))
        y += _lines_height(presenters, 30)
    y = max(440, y + 24)  # the chapter block; at most 3 + 2 lines above keep it off the footer
    for n, chapter in enumerate(item.chapters):
        end = item.chapters[n + 1].start if n + 1 < len(item.chapters) else item.duration + 1
        when = f"gte(t,{chapter.start:.3f})*lt(t,{end:.3f})"
        label = gettext(item.lang, "Chapter {number} of {count}").format(
            number=n + 1, count=len(item.chapters))
        filters.append(_drawtext(work, f"label{n}", label, regular, 28, "muted", 96, y, when))
        filters.append(_drawtext(work, f"chapter{n}", _wrap(chapter.title, 44, 2), bold, 40,
                                 "accent", 96, y + 42, when))
    footer = gettext(item.lang, FOOTER)
    filters.append(_drawtext(work, "footer", footer, regular, 24, "muted", 96, HEIGHT - 72))
    return ",".join(filters)


def _drawtext(work: Path, name: str, text: str, font: str, size: int, color: str, x: int, y: int,
              enable: str | None = None) -> str:
    path = work / f"{name}.txt"
    path.write_text(text, encoding="utf-8")
    parts = [font, f"textfile={quote_option(str(path))}", "expansion=none", f"fontsize={size}",
             f"fontcolor={COLORS[color]}", f"x={x}", f"y={y}", f"line_spacing={size // 4}"]
    if enable:
        parts.append(f"enable='{enable}'")
    return "drawtext=" + ":".join(parts)


def _lines_height(text: str, size: int) -> int:
    """The height drawtext gives `text` with line_spacing of a quarter em (measured: ~1.2 em)."""
    return round(size * 1.2) * (text.count("\n") + 1)


def _font(name: str) -> str:
    path = FONT_DIR / name
    if path.exists():
        return f"fontfile={quote_option(str(path))}"
    return "font='DejaVu Sans" + (":style=Bold'" if "Bold" in name else "'")


def _wrap(text: str, width: int, lines: int) -> str:
    wrapped = textwrap.wrap(text, width) or [""]
    if len(wrapped) > lines:
        rest = " ".join(wrapped[lines - 1 :])
        wrapped = [*wrapped[: lines - 1], textwrap.shorten(rest, width, placeholder=" \u2026")]
    return "\n".join(wrapped)


@dataclass(frozen=True)
class DemoBuilt:
    """What `medialib demo` did: items rendered and reused, webcasts indexed."""

    rendered: int
    reused: int
    webcasts: int


def build_demo(library: Library, force: bool, say: Callable[[str], None]) -> DemoBuilt:
    """Render the sample library's missing or outdated media (all with `force`), then reindex,
    under the library's lock."""
    with exclusive(library, "demo", say, refresh=False):
        catalog = library.load_catalog()
        rendered = render_demo(library.settings.library, catalog, force=force, progress=say,
                               asr_model=library.settings.asr_model)
        for slug in catalog.webcasts:  # HLS and listen only, as ingest makes them
            renditions_of(library, slug, SayReporter(say))
        count = library.reindex(progress=say, procs=INDEX_PROCESSES)
    return DemoBuilt(len(rendered), len(catalog.webcasts) - len(rendered), count)
