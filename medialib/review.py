"""The staff review loop: swap a webcast's caption track for a checked one, all or nothing, and
list the machine drafts still waiting for a person (`medialib captions`, `list --needs-review`).

A replacement goes through the library-wide staging and journal (see staging) like an ingest:
the new normalized WebVTT file beside hard links to every other file of the webcast, its
transcripts, the new catalog, the rows held open and the index update are all staged first;
a command killed before the journal is written leaves the library as it was.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from .captions import cues_to_webvtt, load_captions, parse_captions
from .catalog import CaptionTrack, Catalog, CatalogError
from .errors import LocatedError
from .journal import carry_over, pause_point
from .library import Library, LoadedWebcast
from .media import file_checksum
from .provenance import HUMAN, MACHINE, MACHINE_REVIEWED, ReviewDue, review_queue
from .staging import Staging, exclusive
from .transcripts import transcript_path

Say = Callable[[str], None]
# Where `medialib captions --replace` can be paused (MEDIALIB_TEST_PAUSE_AT) with everything
# staged and nothing committed; the commit's own points follow (journal.COMMIT_POINTS).
STAGED_POINT = "captions-staged"


class ReviewError(LocatedError):
    """A caption replacement that cannot be right; the message names the file at fault."""


@dataclass(frozen=True)
class Replaced:
    """What `medialib captions --replace` did."""

    slug: str
    lang: str
    cues: int
    before: str | None  # the old track's source (None: there was no track in that language)
    after: CaptionTrack


def reviewed_track(old: CaptionTrack | None, lang: str, file: str, label: str,
                   reviewed_by: str | None, reviewed_on: str | None) -> CaptionTrack:
    """The new track's provenance: a corrected machine draft signed by a reviewer is
    `machine-reviewed`; any other replacement is a person's file, `human` (with the reviewer,
    when given)."""
    was_machine = old is not None and old.source in (MACHINE, MACHINE_REVIEWED)
    if reviewed_by:
        source = MACHINE_REVIEWED if was_machine else HUMAN
        on = reviewed_on or datetime.date.today().isoformat()
        return CaptionTrack(lang, file, label, source=source, reviewed_by=reviewed_by,
                            reviewed_on=on)
    return CaptionTrack(lang, file, label, source=HUMAN)


def replace_captions(library: Library, slug: str, lang: str, source: Path,
                     reviewed_by: str | None, reviewed_on: str | None, say: Say) -> Replaced:
    """Swap webcast `slug`'s `lang` caption track for the file `source` (WebVTT or SRT),
    normalized, with its transcript, rows, index documents and checksum: all or nothing."""
    if reviewed_on and not reviewed_by:
        raise ReviewError(source, "--reviewed-on needs --reviewed-by (who checked the captions)")
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise ReviewError(source, f"cannot read the caption file: {exc.strerror or exc}") from None
    cues = parse_captions(data, str(source))  # CaptionError lists every problem, with lines
    with exclusive(library, "captions", say):
        catalog_path = library.settings.catalog_path
        before = catalog_path.read_bytes()
        catalog = library.load_catalog()
        webcast = catalog.webcasts.get(slug)
        if webcast is None:
            raise CatalogError(catalog_path, f"no webcast {slug!r} in the catalog")
        old = next((t for t in webcast.captions if t.lang == lang), None)
        from .ingest.inputs import language_label

        track = reviewed_track(old, lang, old.file if old else f"captions.{lang}.vtt",
                               old.label if old else language_label(lang), reviewed_by,
                               reviewed_on)
        stage = Staging.create(library, "captions", slug)
        outcome: list[Replaced] = []

        def steps() -> None:
            stage.new_media.mkdir(parents=True)
            path = stage.new_media / track.file
            path.write_text(cues_to_webvtt(cues), encoding="utf-8")
            written = replace(track, checksum=file_checksum(path))
            # Every other file of the webcast stays: hard links, so nothing is taken out after.
            carry_over(library.webcast_dir(slug), stage.new_media)
            tracks = [written if t.lang == lang else t for t in webcast.captions]
            new = replace(webcast, captions=tuple(tracks if old else [*tracks, written]))
            catalog.put_webcast(new)
            text = catalog.dump()
            Catalog.from_text(text, catalog.path)  # what is committed must load again
            stage.stage_catalog(text, before)
            loaded = LoadedWebcast(
                new, {t.lang: load_captions(stage.new_media / t.file) for t in new.captions},
                library.duration_of(new, {}),
            )
            stage.new_transcripts.mkdir(parents=True)
            for each in loaded.tracks:
                transcript_path(stage.new_transcripts, slug, each).write_text(
                    library.transcript_text(catalog, loaded, each), encoding="utf-8")
            stage.hold_rows(library.hold_rows(catalog, loaded))
            stage.stage_index(library.index_update(catalog, loaded))
            outcome.append(Replaced(slug, lang, len(cues), old.source if old else None,
                                    written))
            pause_point(STAGED_POINT)

        stage.run(steps, say)
    return outcome[0]


def needing_review(library: Library) -> list[ReviewDue]:
    """Machine caption tracks nobody has checked yet, oldest draft first."""
    catalog = library.load_catalog()

    def made_on(webcast_slug: str, file: str) -> str:
        try:
            stamp = (library.webcast_dir(webcast_slug) / file).stat().st_mtime
        except OSError:
            return ""
        return datetime.datetime.fromtimestamp(stamp, datetime.UTC).isoformat(timespec="seconds")

    return review_queue(catalog.webcasts.values(), lambda w, t: made_on(w.slug, t.file))
