"""`medialib ingest`: a recording and its captions become a published webcast, all or nothing.

The pipeline reads like this docstring: probe -> normalize -> poster -> captions -> chapters ->
transcript -> catalog -> database -> index, each a named step. ffmpeg is the long pole, so it
starts as soon as the probe has planned the conversion, and everything that does not need its
output runs beside it: the catalog, captions and chapters are read and checked (`prepare`, which
is all `--dry-run` does, so a wrong caption line still fails in a second, not after an hour of
transcoding), the poster taken, the captions and transcript written. The modules for the
database and the search index load in the background while the recording is probed.

The steps write into LIBRARY/.staging/<id>/ and the change is committed at once (see
ingest_commit): a failure or kill -9 at any moment leaves the library as it was before or as it
is after, never in between.

Test hook: MEDIALIB_TEST_PAUSE_AT=<point> makes the command wait forever at that point (a step
name, "transcode" inside the transcode, "commit", "commit-media", "commit-catalog") so the fault
tests can kill it there. See ingest_commit.pause_point.
"""

from __future__ import annotations

import importlib
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import media
from .ingest_commit import Staging, exclusive, pause_point
from .ingest_inputs import CaptionSource, IngestError, require_file
from .slugs import SLUG_RE, slugify

if TYPE_CHECKING:
    from .catalog import Webcast
    from .ingest_prepare import Prepared
    from .library import Library

STEPS = ("probe", "normalize", "poster", "captions", "chapters", "transcript", "catalog",
         "database", "index")
# What the steps after the probe import: loaded on a thread while ffprobe reads the recording.
LATER_MODULES = ("medialib.ingest_steps", "medialib.ingest_prepare", "medialib.library",
                 "medialib.store", "medialib.search")

__all__ = ["CaptionSource", "IngestError", "IngestRequest", "Reporter", "ingest"]


@dataclass(frozen=True)
class IngestRequest:
    """What staff asked for: the recording, its captions and chapters, and its catalog entry."""

    media: Path
    title: str
    slug: str | None = None
    speakers: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    captions: tuple[CaptionSource, ...] = ()
    chapters: Path | None = None
    summary: str | None = None
    series: str | None = None
    part: int | None = None
    recorded: str | None = None
    poster_at: float | None = None


class Reporter:
    """What the pipeline tells the person running it; the command line prints it."""

    def step(self, name: str, message: str) -> None:
        """A step is done (or starting), with a one-line account of it."""

    def notice(self, message: str) -> None:
        """Something staff should know that is not an error (a new topic, a skipped stream)."""

    @contextmanager
    def progress(self, label: str, total: float) -> Iterator[Callable[[float], None]]:
        """A long step: yields a function taking seconds done out of `total`."""
        yield lambda _done: None


@dataclass(frozen=True)
class IngestResult:
    """A published webcast and what staff want to read about it."""

    webcast: Webcast
    prepared: Prepared
    cue_counts: dict[str, int]
    seconds: float

    @property
    def url(self) -> str:
        return f"/webcasts/{self.webcast.slug}"


def ingest(library: Library, request: IngestRequest, reporter: Reporter) -> IngestResult:
    """Ingest one recording under the library's lock; the library changes all at once or not."""
    started = time.monotonic()
    check_request(request)
    loading = _load_in_background(LATER_MODULES)
    with exclusive(library, "ingest", reporter.notice):
        pause_point("probe")
        probe = media.probe(request.media)
        plan = media.plan(probe)
        slug = request.slug or slugify(request.title)
        if not slug:
            raise IngestError(request.media, "the title has no letters or digits for a slug; "
                              "give one with --slug")
        check_disk_space(library, probe, plan)
        stage = Staging.create(library, "ingest", slug)
        done: list[tuple[Prepared, Webcast, dict[str, int]]] = []

        def steps() -> None:
            stage.new_media.mkdir(parents=True)
            pause_point("normalize")
            conversion = media.Conversion.start(request.media, stage.new_media / plan.output,
                                                plan, probe.duration)
            try:
                loading.join()
                from .ingest_steps import run_steps
            except BaseException:
                conversion.cancel()
                raise
            done.append(run_steps(library, request, probe, plan, stage, conversion, reporter))

        stage.run(steps, reporter.notice)
    prepared, webcast, counts = done[0]
    return IngestResult(webcast, prepared, counts, time.monotonic() - started)


def check_request(request: IngestRequest) -> None:
    """IngestError for a request that cannot be right whatever the files hold."""
    require_file(request.media, "recording")
    if request.slug is not None and not SLUG_RE.match(request.slug):
        raise IngestError(request.media, f"--slug {request.slug!r}: a slug is lowercase letters, "
                          "digits and dashes, such as managing-fatigue")
    if not request.title.strip():
        raise IngestError(request.media, "--title is empty")


def _load_in_background(names: tuple[str, ...]) -> threading.Thread:
    """Import `names` on a thread (the main one waits on ffprobe meanwhile). An import error
    is left for the main thread's own import to raise."""

    def load() -> None:
        for name in names:
            try:
                importlib.import_module(name)
            except Exception:
                return

    thread = threading.Thread(target=load, name="ingest-imports", daemon=True)
    thread.start()
    return thread


def check_disk_space(library: Library, probe: media.Probe, plan: media.Plan) -> None:
    """Refuse early when the library's disk surely cannot hold the result."""
    root = library.settings.library
    free = shutil.disk_usage(root).free
    need = probe.size + 20 * 1024 * 1024
    if free < need:
        raise IngestError(root, f"not enough disk space: about {need // 2**20} MB needed for "
                          f"{plan.output}, {free // 2**20} MB free")
