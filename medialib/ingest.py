"""`medialib ingest`: a recording and its captions become a published webcast, all or nothing.

The pipeline reads like this docstring: probe -> normalize -> poster -> captions -> chapters ->
transcript -> catalog -> database -> index, each a named step. Every input is read and checked
first (`prepare`, which is all `--dry-run` does), so a wrong caption line fails in a second, not
after an hour of transcoding. The steps then write into LIBRARY/.staging/<id>/ and the change is
committed at once (see ingest_commit): a failure or kill -9 at any moment leaves the library as
it was before or as it is after, never in between.

Test hook: MEDIALIB_TEST_PAUSE_AT=<point> makes the command wait forever at that point (a step
name, "transcode" inside the transcode, "commit", "commit-media", "commit-catalog") so the fault
tests can kill it there. See ingest_commit.pause_point.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from . import media
from .catalog import (
    SLUG_RE,
    CaptionTrack,
    Catalog,
    MediaFile,
    Webcast,
    parse_speaker,
    slugify,
)
from .chapters import Chapter
from .ingest_commit import Staging, exclusive, pause_point
from .ingest_inputs import (
    CaptionInput,
    CaptionSource,
    IngestError,
    captions_past_end,
    read_caption_files,
    read_chapters,
    read_embedded_captions,
    require_file,
)
from .ingest_poster import POSTER
from .ingest_steps import run_steps
from .library import Library, LoadedWebcast
from .media import Plan, Probe

STEPS = ("probe", "normalize", "poster", "captions", "chapters", "transcript", "catalog",
         "database", "index")

__all__ = ["CaptionSource", "IngestError", "IngestRequest", "Reporter", "ingest", "prepare"]


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


@dataclass
class Prepared:
    """Every input read and checked, and the catalog edited in memory: the plan of an ingest."""

    request: IngestRequest
    slug: str
    catalog: Catalog
    catalog_bytes: bytes
    replacing: Webcast | None
    probe: Probe
    plan: Plan
    captions: list[CaptionInput]
    kept_captions: tuple[CaptionTrack, ...]
    chapters: list[Chapter]
    chapters_source: str
    draft: Webcast
    added: list[str] = field(default_factory=list)  # "speaker 'jane-doe' (Jane Doe, RN)"
    notices: list[str] = field(default_factory=list)


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
    _check_request(request)
    say = reporter.notice
    with exclusive(library, "ingest", say):
        prepared = prepare(library, request)
        for notice in prepared.notices:
            say(notice)
        for added in prepared.added:
            say(f"adding {added}")
        stage = Staging.create(library, "ingest", prepared.slug)
        done: list[tuple[Webcast, LoadedWebcast]] = []
        stage.run(lambda: done.append(run_steps(library, prepared, stage, reporter)),
                  prepared.catalog_bytes, say)
    webcast, loaded = done[0]
    counts = {lang: len(cues) for lang, cues in loaded.tracks.items()}
    return IngestResult(webcast, prepared, counts, time.monotonic() - started)


def _check_request(request: IngestRequest) -> None:
    require_file(request.media, "recording")
    if request.slug is not None and not SLUG_RE.match(request.slug):
        raise IngestError(request.media, f"--slug {request.slug!r}: a slug is lowercase letters, "
                          "digits and dashes, such as managing-fatigue")
    if not request.title.strip():
        raise IngestError(request.media, "--title is empty")


def prepare(library: Library, request: IngestRequest) -> Prepared:
    """Read and check every input, edit the catalog in memory; writes nothing (the dry run)."""
    _check_request(request)
    catalog_path = library.settings.catalog_path
    catalog_bytes = catalog_path.read_bytes() if catalog_path.exists() else b""
    catalog = library.load_catalog()
    slug = request.slug or slugify(request.title)
    if not slug:
        raise IngestError(request.media, "the title has no letters or digits for a slug; "
                          "give one with --slug")
    replacing = catalog.webcasts.get(slug)
    if replacing is not None and request.slug is None:
        raise IngestError(
            catalog_path,
            f"a webcast {slug!r} already exists ({replacing.title!r}); to replace it, run again "
            f"with --slug {slug}; to add another, choose a different --slug",
            replacing.line,
        )
    notices: list[str] = []
    pause_point("probe")
    probe = media.probe(request.media)
    plan = media.plan(probe)
    if request.captions:
        captions = read_caption_files(request.captions)
    else:
        captions = read_embedded_captions(probe, notices)
    chapters, chapters_source = read_chapters(request.chapters, probe)
    kept_captions: tuple[CaptionTrack, ...] = ()
    if replacing is not None:
        notices.append(f"replacing the existing webcast {slug!r} ({replacing.title!r})")
        if not captions and replacing.captions:
            kept_captions = replacing.captions
            notices.append(f"keeping its {len(kept_captions)} caption track(s)")
        if not chapters and replacing.chapters:
            kept = [c for c in replacing.chapters if c.start < probe.duration]
            if kept:
                chapters, chapters_source = kept, "the existing entry"
    if not captions and not kept_captions:
        notices.append("no captions: the webcast will have no captions, transcript or search "
                       "(add them later by ingesting again with --captions)")
    notices += captions_past_end(captions, probe.duration)
    prepared = Prepared(
        request, slug, catalog, catalog_bytes, replacing, probe, plan, captions, kept_captions,
        chapters, chapters_source, draft=_placeholder(slug), notices=notices,
    )
    prepared.draft = _draft_webcast(prepared)
    _check_disk_space(library, probe, plan)
    return prepared


def _placeholder(slug: str) -> Webcast:
    return Webcast(slug=slug, title="", media=MediaFile(file="", type=""))


def _draft_webcast(p: Prepared) -> Webcast:
    """The catalog entry without checksums; new speakers, topics and series added to the catalog."""
    r, old, catalog = p.request, p.replacing, p.catalog
    speakers = []
    for text in r.speakers:
        speaker, added = catalog.ensure_speaker(text)
        credentials = parse_speaker(text)[1]
        if added:
            p.added.append(f"speaker {speaker.id!r} ({speaker.display})")
        elif credentials and credentials != speaker.credentials:
            p.notices.append(f"speaker {speaker.id!r} is in {catalog.path.name} as "
                             f"{speaker.display!r}; edit it there to change the credentials")
        speakers.append(speaker.id)
    topics = []
    for topic_id in r.topics:
        topic, added = catalog.ensure_topic(topic_id)
        if added:
            p.added.append(f"topic {topic.id!r} ({topic.name}): give it a description and "
                           f"plain-language synonyms in {catalog.path.name}")
        topics.append(topic.id)
    series, part = r.series, r.part
    if series is not None:
        found, added = catalog.ensure_series(series)
        series = found.id
        if added:
            p.added.append(f"series {found.id!r} ({found.title}): check its title in "
                           f"{catalog.path.name}")
        if part is None:
            parts = [w.part or 0 for w in catalog.webcasts_in_series(series) if w.slug != p.slug]
            part = max(parts, default=0) + 1
            p.notices.append(f"part {part} of series {series!r}")
        clash = [w.slug for w in catalog.webcasts_in_series(series)
                 if w.part == part and w.slug != p.slug]
        if clash:
            p.notices.append(f"{clash[0]!r} is also part {part} of series {series!r}")
    elif old is not None:
        series, part = old.series, old.part
    kind = p.plan.kind
    return Webcast(
        slug=p.slug,
        title=r.title.strip(),
        media=MediaFile(file=p.plan.output, type=p.plan.mime, duration=round(p.probe.duration, 3)),
        kind=kind,
        summary=r.summary if r.summary is not None else (old.summary if old else ""),
        speakers=tuple(dict.fromkeys(speakers)) or (old.speakers if old else ()),
        topics=tuple(dict.fromkeys(topics)) or (old.topics if old else ()),
        series=series,
        part=part,
        recorded=r.recorded or (old.recorded if old else None),
        poster=POSTER,
        captions=tuple(
            CaptionTrack(c.lang, f"captions.{c.lang}.vtt", c.label) for c in p.captions
        ) or p.kept_captions,
        chapters=tuple(p.chapters),
        resources=old.resources if old else (),
    )


def _check_disk_space(library: Library, probe: Probe, plan: Plan) -> None:
    """Refuse early when the library's disk surely cannot hold the result."""
    root = library.settings.library
    free = shutil.disk_usage(root).free
    need = probe.size + 20 * 1024 * 1024
    if free < need:
        raise IngestError(root, f"not enough disk space: about {need // 2**20} MB needed for "
                          f"{plan.output}, {free // 2**20} MB free")
