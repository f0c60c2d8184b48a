"""Staging, the journal and recovery: how every command that writes changes a library at once.

Ingest, remove, reindex, demo and serve take the library's lock through `exclusive`, which first
resolves whatever a killed command left behind. A change (an ingest or a removal) is prepared in
LIBRARY/.staging/<id>/ under the lock:

    intent.json       what is being done (operation, slug), written first
    new/media/        the complete new media/<slug>/ folder (ingest only)
    new/transcripts/  the new transcripts/<slug>.<lang>.txt files (ingest only)
    catalog.yaml      the complete new catalog
    journal.json      written last, atomically: the commit point

Everything that can fail on bad data or a full disk happens before the commit point: the files
are staged and the database rows written in a transaction held open (`hold_rows`), which
readers do not see. After it, in this order:

1. bring in: the new media folder takes the old one's place in one rename (RENAME_EXCHANGE, so
   media/<slug>/ is never missing), still holding, hard-linked, the files only the old version
   had; new transcripts replace old ones; the catalog is replaced;
2. the switch: the rows' transaction commits. It is the one step at which readers (the site)
   see the change, and every file either version's page names is in place on both sides of it;
3. the search index follows (a search may lag a page by that long, never lead it);
4. take out: the files only the old version had, a removed webcast's folder, stale transcripts.

A command that dies at any moment, kill -9 included, leaves a staging folder that the next
command resolves under the lock. Without a journal nothing in the library was touched (the held
transaction died with the process): the folder is deleted (rolled back). With one, steps 1-4
are run again (rolled forward), the rows and documents derived again from the catalog. Every
step is idempotent, so recovery can itself be interrupted and run again.

Test hook: MEDIALIB_TEST_PAUSE_AT=<point> makes a command wait forever at that point so the
fault tests can kill it there: an ingest step's name (the ingest runner pauses before each
step), "transcode", "captions-staged" (`medialib captions --replace`, everything staged and
nothing committed; see review), or one of COMMIT_POINTS below.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from .errors import MedialibError
from .files import write_atomic
from .journal import (
    bring_in,
    carry_over,
    fsync_dir,
    no_pause,
    pause_point,
    read_json,
    take_out,
)
from .lock import LibraryLock

if TYPE_CHECKING:
    from .library import Library

STAGING = ".staging"
Say = Callable[[str], None]
class CommitError(MedialibError):
    """A change could not be committed or recovered; the message names the file and what to do."""

    def __init__(self, path: Path | str, message: str):
        self.path = str(path)
        self.message = message
        super().__init__(f"{self.path}: {message}")


class HeldRows(Protocol):
    """A database transaction written and left open until the switch (a SQLAlchemy Session)."""

    def commit(self) -> None: ...

    def close(self) -> None: ...


def staging_root(library: Library) -> Path:
    return library.settings.library / STAGING


@dataclass
class Staging:
    """One change being prepared in LIBRARY/.staging/<id>/."""

    library: Library
    folder: Path
    op: str
    slug: str
    committed: bool = False  # the journal exists: the change will happen
    based_on: bytes | None = None  # catalog.yaml as read when the new one was made
    rows: HeldRows | None = None  # the rows' open transaction, committed at the switch
    index_update: Callable[[], None] | None = None  # the search index's part, after the switch

    @classmethod
    def create(cls, library: Library, op: str, slug: str) -> Staging:
        """A new staging folder whose intent is recorded before anything else is written."""
        stamp = time.strftime("%Y%m%d-%H%M%S")
        folder = staging_root(library) / f"{stamp}-{op}-{slug}-{uuid.uuid4().hex[:8]}"
        folder.mkdir(parents=True)
        write_atomic(folder / "intent.json", _dump({
            "op": op, "slug": slug, "pid": os.getpid(), "started": stamp,
        }))
        return cls(library, folder, op, slug)

    @property
    def new_media(self) -> Path:
        return self.folder / "new" / "media"

    @property
    def new_transcripts(self) -> Path:
        return self.folder / "new" / "transcripts"

    @property
    def work(self) -> Path:
        """Scratch space for intermediate files that are never moved into the library."""
        path = self.folder / "work"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def stage_catalog(self, text: str, based_on: bytes) -> None:
        """Stage the new catalog.yaml, made from `based_on` (the file's bytes as read): if the
        file is edited in the meantime, the commit refuses rather than overwrite the edit."""
        write_atomic(self.folder / "catalog.yaml", text.encode("utf-8"))
        self.based_on = based_on

    def hold_rows(self, rows: HeldRows) -> None:
        """Keep the rows' transaction (written, not committed) for the switch."""
        self.rows = rows

    def stage_index(self, update: Callable[[], None]) -> None:
        """What the search index does once the rows are committed."""
        self.index_update = update

    def commit(self) -> None:
        """Write the journal (the commit point), then bring in, switch and take out.

        If catalog.yaml was edited since it was read (see stage_catalog), nothing is committed
        rather than silently overwriting the edit.
        """
        settings = self.library.settings
        try:
            current = settings.catalog_path.read_bytes()
        except OSError:
            current = b""
        if self.based_on is not None and current != self.based_on:
            raise CommitError(
                settings.catalog_path,
                "was edited while this command ran; nothing was changed, run it again",
            )
        journal: dict[str, Any] = {
            "op": self.op, "slug": self.slug,
            "transcripts": sorted(p.name for p in self.new_transcripts.glob("*.txt")),
        }
        if self.new_media.is_dir():
            journal["media_inode"] = self.new_media.stat().st_ino
            journal["leftovers"] = carry_over(settings.media_dir / self.slug, self.new_media)
        write_atomic(self.folder / "journal.json", _dump(journal))
        fsync_dir(self.folder)
        self.committed = True
        pause_point("commit")
        bring_in(settings, self.folder, journal, pause_point)
        if self.rows is not None:
            rows, self.rows = self.rows, None
            try:
                rows.commit()  # the switch: what readers see changes here, at once
            finally:
                rows.close()
        pause_point("commit-database")
        if self.index_update is not None:
            self.index_update()
        pause_point("commit-index")
        take_out(settings, self.folder, journal, pause_point)

    def finish(self) -> None:
        """Delete the staging folder (and the old files moved aside into it)."""
        _remove_tree(self.folder)

    def abandon(self, say: Say) -> bool:
        """After a failure: roll back (or forward, once committed) and clean up; tidied up?

        If even that fails, the folder stays for the next command to resolve, and the caller's
        error stands; `medialib check` tells staff what is pending.
        """
        if self.rows is not None:
            rows, self.rows = self.rows, None
            rows.close()  # rolls the uncommitted rows back
        try:
            if self.committed:
                journal = read_json(self.folder / "journal.json") or {}
                roll_forward(self.library, self.folder, journal)
        except Exception as exc:  # the original error is what staff need to see first
            say(f"could not tidy up yet ({exc}); the next medialib command will finish it")
            return False
        self.finish()
        return True

    def run(self, steps: Callable[[], None], say: Say) -> None:
        """Run `steps` (which stage files and hold rows), then commit; all or nothing.

        A failure before the commit point rolls everything back and re-raises. A failure after
        it (Ctrl-C while files move, say) finishes the change instead: it then did happen, so
        nothing is raised unless it could not be finished.
        """
        try:
            steps()
            self.commit()
        except BaseException as exc:
            tidied = self.abandon(say)
            if not self.committed:
                raise
            if not tidied:
                raise CommitError(
                    self.folder, f"the {self.op} of {self.slug!r} is committed but not tidied "
                    "up; run `medialib check` to finish it",
                ) from exc
            say(f"the {self.op} of {self.slug!r} was already committed: finished it")
            return
        self.finish()


def _dump(data: dict[str, Any]) -> bytes:
    return (json.dumps(data, indent=2) + "\n").encode("utf-8")


def _remove_tree(folder: Path) -> None:
    # Rename first, so an interrupted delete never leaves a half-deleted folder that still looks
    # like a staged change (its journal already gone while the new files are still there).
    trash = folder.with_name(f"{folder.name}.deleting")
    try:
        folder.rename(trash)
    except FileNotFoundError:
        return
    shutil.rmtree(trash, ignore_errors=True)
    try:
        folder.parent.rmdir()  # .staging itself, when empty
    except OSError:
        pass


def roll_forward(library: Library, folder: Path, journal: dict[str, Any],
                 refresh: bool = True) -> None:
    """Finish a committed change: bring in, derive the slug's rows and documents, take out."""
    bring_in(library.settings, folder, journal, no_pause)
    if refresh:
        library.refresh([str(journal["slug"])])
    take_out(library.settings, folder, journal, no_pause)


@dataclass(frozen=True)
class Pending:
    """A change left in the staging area by a command that did not finish."""

    folder: Path
    op: str
    slug: str
    committed: bool

    def describe(self) -> str:
        state = "committed, not yet tidied up" if self.committed else "never committed"
        return f"an interrupted {self.op} of {self.slug!r} ({state}) in {self.folder}"


def pending(library: Library) -> list[Pending]:
    """Changes left in LIBRARY/.staging by commands that stopped before finishing."""
    root = staging_root(library)
    if not root.is_dir():
        return []
    found = []
    for folder in sorted(root.iterdir()):
        if not folder.is_dir() or folder.name.endswith(".deleting"):
            found.append(Pending(folder, "cleanup", "?", False))
            continue
        journal = read_json(folder / "journal.json")
        intent = read_json(folder / "intent.json") or {}
        info = journal or intent
        found.append(Pending(
            folder, str(info.get("op") or "change"), str(info.get("slug") or "?"),
            journal is not None,
        ))
    return found


def recover(library: Library, say: Say, refresh: bool = True) -> list[str]:
    """Resolve every change left in the staging area (the caller holds the lock); slugs touched.

    Uncommitted changes are rolled back, committed ones rolled forward; the database rows and
    index documents of each slug are derived again from the catalog and files (unless the
    caller rebuilds them all anyway). The files always come first: if the database or index
    cannot be written, they are left for `medialib reindex` and staff are told so.
    """
    slugs = []
    for item in pending(library):
        if item.op == "cleanup":
            if item.folder.is_dir():
                shutil.rmtree(item.folder, ignore_errors=True)
            else:
                item.folder.unlink(missing_ok=True)
            continue
        journal = read_json(item.folder / "journal.json") if item.committed else None
        if journal is not None:
            bring_in(library.settings, item.folder, journal, no_pause)
        outcome = "finished" if item.committed else "rolled back"
        say(f"{outcome} an interrupted {item.op} of {item.slug!r}")
        if item.slug != "?":
            slugs.append(item.slug)
            if refresh:
                try:
                    library.refresh([item.slug])
                except Exception as exc:  # derived state only: the files are already whole
                    say(f"the database or search index could not follow ({exc}); "
                        "run `medialib reindex`")
        if journal is not None:
            take_out(library.settings, item.folder, journal, no_pause)
        _remove_tree(item.folder)
    try:
        staging_root(library).rmdir()
    except OSError:
        pass
    return slugs


@contextmanager
def exclusive(
    library: Library, command: str, say: Say, refresh: bool = True
) -> Iterator[LibraryLock]:
    """Hold the library's lock (LibraryBusy if taken) after resolving any interrupted change."""
    if not library.settings.catalog_path.is_file():
        library.load_catalog()  # CatalogError: "no catalog here (run `medialib init` first)"
    with LibraryLock(library.settings.library, command) as lock:
        recover(library, say, refresh=refresh)
        yield lock
