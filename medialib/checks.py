"""`medialib check`: every catalog entry's files, captions, chapters, database rows and index."""

from __future__ import annotations

import datetime
import errno
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import webvtt
from sqlalchemy import select
from sqlalchemy.orm import Session

from . import models as m
from .captions import CaptionError
from .catalog import Catalog, CatalogError
from .db import schema_ready
from .files import escaping_links
from .library import Library
from .lock import LibraryBusy
from .provenance import overdue_reviews
from .search import SearchUnavailable
from .staging import exclusive, pending
from .store import stored_slugs
from .transcripts import transcript_path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the library, naming where."""

    where: str
    message: str
    warning: bool = False  # worth telling staff, but the library is not wrong because of it

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def check_library(library: Library, say: Callable[[str], None] | None = None) -> list[Problem]:
    """Every problem found; an empty list means the library is whole and in step.

    A change left half-done by an interrupted command (kill -9, a power cut) is first finished
    or rolled back, under the library's lock, exactly as the next ingest would do it. If another
    command holds the lock, its staged work is not part of the library yet and is left alone.
    """
    notify = say or (lambda _message: None)
    try:
        with exclusive(library, "check", notify):
            return _check(library, notify)
    except LibraryBusy as busy:
        notify(f"{busy.holder} is changing the library; checking what is committed so far")
    except OSError as exc:  # a read-only copy of a library: nothing can be recovered here
        if exc.errno not in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise
        for item in pending(library):
            notify(f"not resolved (the library is read-only): {item.describe()}")
    return _check(library, notify)


def _check(library: Library, notify: Callable[[str], None],
           today: datetime.date | None = None) -> list[Problem]:
    try:
        catalog = library.load_catalog()
    except CatalogError as exc:
        return [Problem(exc.path + (f":{exc.line}" if exc.line else ""), exc.message)]
    problems: list[Problem] = []
    cue_counts: dict[str, int] = {}
    for webcast in catalog.webcasts.values():
        problems += _check_files(library, catalog, webcast.slug, cue_counts)
    problems += _check_strays(library, catalog)
    problems += _check_links(library)
    for orphan in orphans(catalog):  # worth a look, but the library is whole without them
        notify(f"note: {orphan}")
    public = {slug for slug, w in catalog.webcasts.items() if library.is_public(w)}
    problems += _check_database(library, catalog, cue_counts, public)
    problems += _check_index(library, catalog, public)
    problems += _check_accessibility(catalog, (today or datetime.date.today()).isoformat())
    return problems


def _check_accessibility(catalog: Catalog, today: str) -> list[Problem]:
    """Webcasts without captions fail WCAG 2.2 success criterion 1.2.2 (captions, prerecorded;
    level A); medical reviews past their `next` date are due again (a warning)."""
    problems = []
    for w in catalog.webcasts.values():
        if not w.captions:
            problems.append(Problem(
                f"{catalog.path}:{w.line or ''}".rstrip(":"),
                f"{w.slug!r} has no captions: fails WCAG 2.2 success criterion 1.2.2 "
                f"(captions, prerecorded); add them with "
                f"`medialib captions {w.slug} --replace FILE`",
            ))
    for w in overdue_reviews(catalog.webcasts.values(), today):
        assert w.medical_review is not None
        problems.append(Problem(
            f"{catalog.path}:{w.line or ''}".rstrip(":"),
            f"{w.slug!r}: its medical review by {w.medical_review.by} was due again on "
            f"{w.medical_review.next}",
            warning=True,
        ))
    return problems


def _check_strays(library: Library, catalog: Catalog) -> list[Problem]:
    """Webcast folders and transcripts the catalog does not know: left over, or a typo."""
    problems = []
    media_dir = library.settings.media_dir
    if media_dir.is_dir():
        for folder in sorted(media_dir.iterdir()):
            if folder.is_dir() and folder.name not in catalog.webcasts:
                problems.append(Problem(str(folder), "a media folder with no catalog entry"))
    transcripts = library.settings.transcripts_dir
    if transcripts.is_dir():
        for path in sorted(transcripts.glob("*.txt")):
            slug, _, lang = path.stem.rpartition(".")
            webcast = catalog.webcasts.get(slug)
            if webcast is None or lang not in {c.lang for c in webcast.captions}:
                problems.append(Problem(str(path), "a transcript with no catalog entry"))
    return problems


def _check_links(library: Library) -> list[Problem]:
    """Symlinks in media/ or transcripts/ that lead out of the library: the web refuses to
    serve them and ingest to write through them, so they are a mistake or an attack."""
    conf = library.settings
    return [
        Problem(str(link), f"a symlink that leads out of the library (to {link.resolve()}); "
                "remove it")
        for folder in (conf.media_dir, conf.transcripts_dir)
        for link in escaping_links(conf.library, folder)
    ]


def orphans(catalog: Catalog) -> list[Problem]:
    """Topics and series with no webcast and no description: what a mistyped --topic or
    --series, or removing the last webcast of an added one, leaves behind. The web shows no
    page for them; one staff described is kept and shown."""
    used_topics = {t for w in catalog.webcasts.values() for t in w.topics}
    used_series = {w.series for w in catalog.webcasts.values() if w.series}
    where = str(catalog.path)
    problems = [
        Problem(where, f"topic {t.id!r} has no webcast and no description (a mistyped "
                "--topic?); remove it, or describe it to keep it")
        for t in catalog.topics.values() if t.id not in used_topics and not t.description.strip()
    ]
    problems += [
        Problem(where, f"series {s.id!r} has no webcast and no description (a mistyped "
                "--series?); remove it, or describe it to keep it")
        for s in catalog.series.values() if s.id not in used_series and not s.description.strip()
    ]
    return problems


def _checksum_problem(path: Path, recorded: str) -> str | None:
    """What is wrong with the file against its recorded checksum, if anything."""
    from .media import file_checksum

    algorithm = recorded.partition(":")[0]
    try:
        actual = file_checksum(path, algorithm)
    except ValueError:
        return f"its recorded checksum {recorded[:20]!r} is of no known kind (blake3, sha256)"
    return None if actual == recorded else "does not match its checksum"


def interoperable_webvtt(path: Path, cue_count: int) -> str | None:
    """What an independent WebVTT reader (webvtt-py, as other players and caption tools read
    files) finds wrong with a published captions file that medialib's reader accepted, if
    anything: the file patients' players get must not depend on our reader's leniency."""
    if path.suffix.lower() != ".vtt":
        return None
    try:
        read = len(webvtt.read(str(path)).captions)
    except Exception as exc:  # webvtt-py raises several unrelated kinds for a malformed file
        return f"a standard WebVTT reader cannot read it ({type(exc).__name__}: {exc})"
    if read != cue_count:
        return f"a standard WebVTT reader finds {read} cues in it, medialib {cue_count}"
    return None


def _check_files(
    library: Library, catalog: Catalog, slug: str, cue_counts: dict[str, int]
) -> list[Problem]:
    webcast = catalog.webcasts[slug]
    folder = library.webcast_dir(slug)
    problems: list[Problem] = []

    def need(name: str | None, digest: str | None, what: str) -> None:
        if not name:
            return
        path = folder / name
        if not path.is_file():
            problems.append(Problem(str(path), f"{what} of {slug!r} is missing"))
        elif digest and (problem := _checksum_problem(path, digest)):
            problems.append(Problem(str(path), f"{what} of {slug!r}: {problem}"))

    need(webcast.media.file, webcast.media.checksum, "media file")
    need(webcast.poster, webcast.poster_checksum, "poster")
    problems += _check_renditions(folder, webcast.media.file, webcast.media.duration)
    for track in webcast.captions:
        need(track.file, track.checksum, f"{track.lang} captions")
    try:
        loaded = library.load_webcast(webcast)
    except CaptionError as exc:
        problems.append(Problem(exc.path + (f":{exc.line}" if exc.line else ""), exc.message))
        return problems
    cue_counts[slug] = sum(len(c) for c in loaded.tracks.values())
    for track in webcast.captions:
        if track.lang in loaded.tracks and (
            problem := interoperable_webvtt(folder / track.file, len(loaded.tracks[track.lang]))
        ):
            problems.append(Problem(str(folder / track.file), f"{track.lang} captions of "
                                    f"{slug!r}: {problem}"))
    for chapter in webcast.chapters:
        if chapter.start < 0 or chapter.start >= loaded.duration > 0:
            problems.append(Problem(
                f"{catalog.path}:{webcast.line or ''}".rstrip(":"),
                f"chapter {chapter.title!r} of {slug!r} starts at {chapter.start:g} s, "
                f"outside the media ({loaded.duration:.1f} s)",
            ))
    for lang in loaded.tracks:
        path = transcript_path(library.settings.transcripts_dir, slug, lang)
        expected = library.transcript_text(catalog, loaded, lang)
        if not path.is_file():
            problems.append(Problem(str(path), "transcript is missing (run `medialib reindex`)"))
        elif path.read_text(encoding="utf-8") != expected:
            problems.append(
                Problem(str(path), "transcript is out of date (run `medialib reindex`)")
            )
    return problems


def _check_renditions(folder: Path, media_file: str, duration: float | None) -> list[Problem]:
    """The HLS renditions, when there are any: playlists parse, every file listed is there
    and matches the manifest's checksum, durations add up, made from this media file."""
    from . import renditions

    hls = folder / renditions.FOLDER
    if not hls.exists():
        return []  # none built yet: the MP4 plays (`medialib renditions` builds them)
    found = [Problem(where, message) for where, _, message in
             (text.partition(": ") for text in renditions.check(hls, duration))]
    if not found and not renditions.is_current(hls, folder / media_file):
        found.append(Problem(str(hls), f"made from another {media_file} (run `medialib "
                                       "renditions`)"))
    return found


def _check_database(
    library: Library, catalog: Catalog, cue_counts: dict[str, int], public: set[str]
) -> list[Problem]:
    where = "database"
    try:
        if not schema_ready(library.engine):
            return [Problem(where, "missing or incomplete (run `medialib reindex`)")]
        with library.sessions() as session:
            stored = stored_slugs(session)
            stale = _stale_rows(session, catalog)
    except Exception as exc:  # any driver error means the same thing to staff: rebuild it
        return [Problem(where, f"cannot be read ({type(exc).__name__}); run `medialib reindex`")]
    problems = [
        Problem(where, f"{slug!r} differs from the catalog ({what}); run `medialib reindex`")
        for slug, what in stale
    ]
    for slug in sorted(public - set(stored)):
        problems.append(Problem(where, f"{slug!r} is in the catalog but not in the database"))
    for slug in sorted(set(stored) - set(catalog.webcasts)):
        problems.append(Problem(where, f"{slug!r} is in the database but not in the catalog"))
    for slug in sorted(set(stored) & (set(catalog.webcasts) - public)):
        problems.append(Problem(where, f"{slug!r} is held back until its captions are reviewed "
                                "but is in the database; run `medialib reindex`"))
    for slug, count in cue_counts.items():
        if slug in stored and stored[slug] != count:
            problems.append(Problem(
                where, f"{slug!r} has {stored[slug]} cues stored but {count} in its captions"
            ))
    return problems


def _stale_rows(session: Session, catalog: Catalog) -> list[tuple[str, str]]:
    """(slug, what differs) for rows that no longer match their catalog entry (a hand edit)."""
    stale = []
    for row in session.scalars(select(m.Webcast)):
        w = catalog.webcasts.get(row.slug)
        if w is None:
            continue
        differs = [
            name for name, ours, theirs in (
                ("title", row.title, w.title),
                ("summary", row.summary or "", w.summary),
                ("speakers", [s.speaker_id for s in row.speaker_links], list(w.speakers)),
                ("topics", [t.topic_id for t in row.topic_links], list(w.topics)),
                ("series", (row.series_id, row.part), (w.series, w.part)),
                ("chapters", [(round(c.start, 3), c.title) for c in row.chapters],
                 [(round(c.start, 3), c.title) for c in w.chapters]),
            ) if ours != theirs
        ]
        if differs:
            stale.append((row.slug, ", ".join(differs)))
    return stale


def _check_index(library: Library, catalog: Catalog, public: set[str]) -> list[Problem]:
    where = "search index"
    try:
        indexed = library.index.slugs()
    except SearchUnavailable as exc:
        return [Problem(where, f"{exc} (run `medialib reindex`)")]
    problems = []
    for slug in sorted(public - set(indexed)):
        problems.append(Problem(where, f"{slug!r} is in the catalog but not in the index"))
    for slug in sorted(set(indexed) - set(catalog.webcasts)):
        problems.append(Problem(where, f"{slug!r} is in the index but not in the catalog"))
    for slug in sorted(set(indexed) & (set(catalog.webcasts) - public)):
        problems.append(Problem(where, f"{slug!r} is held back until its captions are reviewed "
                                "but is in the index; run `medialib reindex`"))
    return problems
