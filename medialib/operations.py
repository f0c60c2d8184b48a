"""The library's operations, one per command that changes or lists it: the command line parses,
calls one of these (or ingest, check_library, serve, build_demo) and prints what it returns.

Every writing operation takes the library's lock through staging.exclusive, which first resolves
what a killed command left behind.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .catalog import Catalog, CatalogError
from .errors import MedialibError
from .ingest.runner import Reporter
from .journal import pause_point
from .library import Library
from .lock import LibraryBusy
from .provenance import provenance_json
from .staging import Staging, exclusive

Say = Callable[[str], None]
# A full index rebuild writes webcasts and passages side by side when there are two cores.
INDEX_PROCESSES = min(2, os.cpu_count() or 1)
GITIGNORE = "/instance/\n/.staging/\n/.medialib.lock\n"


def init_library(root: Path, title: str) -> Path:
    """An empty library (catalog.yaml, media/, transcripts/) in `root`; the folder, resolved."""
    root = root.resolve()
    catalog_path = root / "catalog.yaml"
    if catalog_path.exists():
        raise CatalogError(catalog_path, "a library already exists here")
    (root / "media").mkdir(parents=True, exist_ok=True)
    (root / "transcripts").mkdir(exist_ok=True)
    Catalog.empty(catalog_path, title).save()
    gitignore = root / ".gitignore"
    if not gitignore.exists():
        gitignore.write_text(GITIGNORE, encoding="utf-8")
    return root


def list_webcasts(library: Library) -> list[dict[str, Any]]:
    """One row per webcast of the catalog, in catalog order (`medialib list`, `--json`)."""
    catalog = library.load_catalog()
    return [
        {
            "slug": w.slug,
            "title": w.title,
            "kind": w.kind,
            "speakers": [catalog.speakers[s].display for s in w.speakers],
            "topics": list(w.topics),
            "series": w.series,
            "part": w.part,
            "recorded": w.recorded,
            "duration": w.media.duration,
            "chapters": len(w.chapters),
            "url": f"/webcasts/{w.slug}",
            "public": library.is_public(w),
            **provenance_json(w),
        }
        for w in catalog.webcasts.values()
    ]


def remove_webcast(library: Library, slug: str, say: Say) -> None:
    """Delete a webcast's entry, files, transcripts, rows and index documents, all or nothing."""
    with exclusive(library, "remove", say):
        catalog_path = library.settings.catalog_path
        before = catalog_path.read_bytes() if catalog_path.exists() else b""
        catalog = library.load_catalog()
        catalog.remove_webcast(slug)  # CatalogError naming the file when the slug is unknown
        stage = Staging.create(library, "remove", slug)

        def steps() -> None:
            stage.stage_catalog(catalog.dump(), before)
            stage.hold_rows(library.hold_removal(catalog, slug))
            stage.stage_index(library.index_removal(slug))

        stage.run(steps, say)


def reindex_library(library: Library, say: Say) -> int:
    """Rebuild transcripts, database and index from the catalog and files; webcasts indexed."""
    with exclusive(library, "reindex", say, refresh=False):
        return library.reindex(progress=say, procs=INDEX_PROCESSES)


def prepare_to_serve(library: Library, say: Say) -> None:
    """Before serving: finish or roll back a change a killed command left behind and rebuild a
    database an older medialib made, if nobody is writing. A read-only copy or a broken
    catalog is served as it is (staff are told why)."""
    try:
        with exclusive(library, "serve", say):
            if library.database_outdated():  # derived state: made again from the files
                say("the database was made by an older medialib: rebuilding it (reindex)")
                library.reindex(progress=say, procs=INDEX_PROCESSES)
            elif library.drafts_out_of_step():
                say("publish_unreviewed_captions changed since the last reindex: "
                    "rebuilding the database and index (reindex)")
                library.reindex(progress=say, procs=INDEX_PROCESSES)
    except LibraryBusy:
        pass  # the command that is writing resolves its own work
    except (MedialibError, OSError) as exc:
        say(f"note: {exc}")


class SayReporter(Reporter):
    """Step lines and notices as plain lines through `say` (no progress bar)."""

    def __init__(self, say: Callable[[str], None]):
        self.say = say

    def step(self, name: str, message: str) -> None:
        self.say(f"{name}: {message}")

    def notice(self, message: str) -> None:
        self.say(message)


def build_renditions(library: Library, slugs: Sequence[str], reporter: Reporter,
                     ) -> tuple[list[str], list[str]]:
    """HLS renditions for the webcasts `slugs` (every webcast when empty) that have none or
    outdated ones, one webcast at a time, each under the lock; (built, already there).

    A command killed on the way leaves a staging folder the next command deletes, and that
    webcast plays its MP4 as before; run again, it carries on with the webcasts not done yet.
    """
    catalog = library.load_catalog()
    for slug in slugs:
        if slug not in catalog.webcasts:
            raise CatalogError(catalog.path, f"no webcast {slug!r} in the catalog")
    built: list[str] = []
    kept: list[str] = []
    for slug in slugs or list(catalog.webcasts):
        with exclusive(library, "renditions", reporter.notice, refresh=False):
            made = renditions_of(library, slug, reporter)
        if made is not None:
            (built if made else kept).append(slug)
    return built, kept


def renditions_of(library: Library, slug: str, reporter: Reporter) -> bool | None:
    """Build webcast `slug`'s renditions unless they are there and current (the caller holds
    the lock); built? (None: no such webcast any more).

    The set is made in a staging folder and renamed into media/<slug>/hls/ whole."""
    from . import renditions

    catalog = library.load_catalog()
    webcast = catalog.webcasts.get(slug)
    if webcast is None:
        return None
    folder = library.webcast_dir(slug)
    target, source = folder / renditions.FOLDER, folder / webcast.media.file
    if renditions.is_current(target, source):
        return False
    stage = Staging.create(library, "renditions", slug)
    try:
        poster = folder / webcast.poster if webcast.poster else None
        with reporter.progress(slug, webcast.media.duration or 0.0) as update:
            manifest = renditions.build(source, stage.work / renditions.FOLDER, poster, update)
        pause_point("renditions-built")
        if target.exists():  # outdated: out of the way first (the MP4 plays meanwhile)
            target.rename(stage.work / "outdated")
        (stage.work / renditions.FOLDER).rename(target)
        library.mark_changed(catalog.title)  # its pages now offer them: cached copies are old
    finally:
        stage.finish()
    reporter.step("renditions", f"{slug}: " + ", ".join(r["name"] for r in manifest["renditions"]))
    return True
