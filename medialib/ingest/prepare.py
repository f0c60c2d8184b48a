"""What an ingest will do, worked out before anything is written: the recording probed, every input
read and checked, the catalog entry drafted in memory. `--dry-run` prints it; `ingest` runs it.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field, replace

from .. import media
from ..captions import check_cues_fit
from ..catalog import CaptionTrack, Catalog, MediaFile, Webcast, parse_speaker
from ..chapters import Chapter
from ..library import Library
from ..media import Plan, Probe
from ..translated import WebcastTranslation
from .inputs import (
    CaptionInput,
    captions_past_end,
    read_caption_files,
    read_chapters,
    read_embedded_captions,
)
from .poster import POSTER
from .request import IngestError, IngestRequest, check_request, spoken_language


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


def prepare(library: Library, request: IngestRequest, slug: str | None = None) -> Prepared:
    """Probe the recording, read and check every input, edit the catalog in memory; writes
    nothing. It is all the dry run does, and the ingest's probe step.

    `slug` is the request's, when the ingest already checked it (check_request).
    """
    if slug is None:
        slug = check_request(request)
    catalog_path = library.settings.catalog_path
    catalog_bytes = catalog_path.read_bytes() if catalog_path.exists() else b""
    catalog = library.load_catalog()
    replacing = catalog.webcasts.get(slug)
    if replacing is not None and request.slug is None:
        raise IngestError(
            catalog_path,
            f"a webcast {slug!r} already exists ({replacing.title!r}); to replace it, run again "
            f"with --slug {slug}; to add another, choose a different --slug",
            replacing.line,
        )
    notices: list[str] = []
    probe = media.probe(request.media)
    plan = media.plan(probe)
    check_disk_space(library, probe, plan)
    spoken = spoken_language(request, replacing.language if replacing else None)
    if request.captions:
        captions = read_caption_files(request.captions, spoken)
    else:
        captions = read_embedded_captions(probe, notices, spoken)
    chapters, chapters_source = read_chapters(request.chapters, probe)
    kept_captions: tuple[CaptionTrack, ...] = ()
    if replacing is not None:
        notices.append(f"replacing the existing webcast {slug!r} ({replacing.title!r})")
        if not captions and replacing.captions and not request.transcribe:
            kept_captions = replacing.captions
            notices.append(f"keeping its {len(kept_captions)} caption track(s)")
        if not chapters and replacing.chapters:
            kept = [c for c in replacing.chapters if c.start < probe.duration]
            if kept:
                chapters, chapters_source = kept, "the existing entry"
    if request.transcribe:
        kept_captions = ()  # a new recording: the captions come from its speech
        notices.append("captions will be recognized from the recording's speech (setting "
                       "asr_model) and marked as automatic captions not yet checked by staff")
    elif not captions and not kept_captions:
        notices.append("no captions: the webcast will have no captions, transcript or search "
                       "(add them later by ingesting again with --captions)")
    for item in captions:  # 355,000 cues on a six-second clip is the wrong file
        check_cues_fit(item.cues, probe.duration, item.source)
    notices += captions_past_end(captions, probe.duration)
    prepared = Prepared(
        request, slug, catalog, catalog_bytes, replacing, probe, plan, captions, kept_captions,
        chapters, chapters_source, draft=_placeholder(slug), notices=notices,
    )
    prepared.draft = _draft_webcast(prepared)
    return prepared


def check_disk_space(library: Library, probe: Probe, plan: Plan) -> None:
    """Refuse early when the library's disk surely cannot hold the result."""
    root = library.settings.library
    free = shutil.disk_usage(root).free
    need = probe.size + 20 * 1024 * 1024
    if free < need:
        raise IngestError(root, f"not enough disk space: about {need // 2**20} MB needed for "
                          f"{plan.output}, {free // 2**20} MB free")


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
        medical_review=r.medical_review or (old.medical_review if old else None),
        language=spoken_language(r, old.language if old else None),
        translations=_kept_translations(p, old),
    )


def _kept_translations(p: Prepared, old: Webcast | None) -> tuple[WebcastTranslation, ...]:
    """A replaced webcast's translations; their chapter titles only while the chapters still
    number the same (a notice says which were dropped)."""
    if old is None:
        return ()
    kept = []
    for t in old.translations:
        if t.chapters and len(t.chapters) != len(p.chapters):
            p.notices.append(f"the {t.lang} chapter titles no longer match the "
                             f"{len(p.chapters)} chapters; translate them again in "
                             f"{p.catalog.path.name}")
            t = replace(t, chapters=())
        kept.append(t)
    return tuple(kept)
