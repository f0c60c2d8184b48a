"""Staging and the all-or-nothing commit of one change to a library, and recovery after a crash.

A change (an ingest or a removal) is prepared in LIBRARY/.staging/<id>/ while the library is
locked:

    intent.json       what is being done (operation, slug), written first
    new/media/        the complete new media/<slug>/ folder (ingest only)
    new/transcripts/  the new transcripts/<slug>.<lang>.txt files (ingest only)
    catalog.yaml      the complete new catalog
    journal.json      written last, atomically: the commit point
    old/              where the replaced media folder and stale transcripts are moved aside

The database rows and index documents are written just before the journal (`Library.publish`):
everything that can run out of disk or fail on bad data happens before the commit point. After
it, only renames within one file system remain. A command that dies at any moment, kill -9
included, leaves a staging folder that the next command resolves under the lock:

- no journal: the library's files were never touched; the folder is deleted (rolled back);
- a journal: every new file is staged, so the moves are finished (rolled forward).

Either way the slug's rows and index documents are then derived again from the catalog as it
now stands, so the database and the index follow the files whichever way it went. Every move
is idempotent, so recovery can itself be interrupted and run again.
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
from typing import TYPE_CHECKING, Any

from .files import write_atomic
from .lock import LibraryLock

if TYPE_CHECKING:  # the database and index modules load beside ffmpeg, not before it
    from .library import Library

STAGING = ".staging"
Say = Callable[[str], None]
PAUSE_VARIABLE = "MEDIALIB_TEST_PAUSE_AT"


def pause_point(point: str) -> None:
    """Test hook: wait forever at `point` when MEDIALIB_TEST_PAUSE_AT names it.

    The fault tests run the real command line in a subprocess with this variable set, wait for
    the "paused at" line on stderr, then kill -9 the process there. Unset, it does nothing.
    """
    if os.environ.get(PAUSE_VARIABLE) != point:
        return
    os.write(2, f"medialib: paused at {point} (test hook {PAUSE_VARIABLE})\n".encode())
    while True:
        time.sleep(60)


class CommitError(Exception):
    """A change could not be committed or recovered; the message names the file and what to do."""

    def __init__(self, path: Path | str, message: str):
        self.path = str(path)
        self.message = message
        super().__init__(f"{self.path}: {message}")


def staging_root(library: Library) -> Path:
    return library.settings.library / STAGING


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@dataclass
class Staging:
    """One change being prepared in LIBRARY/.staging/<id>/."""

    library: Library
    folder: Path
    op: str
    slug: str
    published: bool = False  # the rows were written: a failure must derive them again
    committed: bool = False  # the journal exists: the change will happen
    based_on: bytes | None = None  # catalog.yaml as read when the new one was made

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

    def publish(self, action: Callable[[], None]) -> None:
        """Write rows before the commit point, in one transaction: a failure changes nothing.

        Once it succeeded, a later failure (the index, the commit) makes `abandon` derive the
        slug's rows and documents again from the catalog as it stands.
        """
        action()
        self.published = True

    def commit(self) -> None:
        """Write the journal (the commit point), then move everything into place.

        If catalog.yaml was edited since it was read (see stage_catalog), nothing is committed
        rather than silently overwriting the edit.
        """
        catalog_path = self.library.settings.catalog_path
        try:
            current = catalog_path.read_bytes()
        except OSError:
            current = b""
        if self.based_on is not None and current != self.based_on:
            raise CommitError(
                catalog_path,
                "was edited while this command ran; nothing was changed, run it again",
            )
        names = sorted(p.name for p in self.new_transcripts.glob("*.txt"))
        journal = {"op": self.op, "slug": self.slug, "transcripts": names}
        write_atomic(self.folder / "journal.json", _dump(journal))
        _fsync_dir(self.folder)
        self.committed = True
        pause_point("commit")
        apply_journal(self.library, self.folder, journal, pause_point)

    def finish(self) -> None:
        """Delete the staging folder (and the old files moved aside into it)."""
        _remove_tree(self.folder)

    def abandon(self, say: Say) -> bool:
        """After a failure: roll back (or forward, once committed) and clean up; tidied up?

        If even that fails, the folder stays for the next command to resolve, and the caller's
        error stands; `medialib check` tells staff what is pending.
        """
        try:
            if self.committed:
                journal = _read_json(self.folder / "journal.json") or {}
                apply_journal(self.library, self.folder, journal, lambda _point: None)
            if self.published or self.committed:
                self.library.refresh([self.slug])
        except Exception as exc:  # the original error is what staff need to see first
            say(f"could not tidy up yet ({exc}); the next medialib command will finish it")
            return False
        self.finish()
        return True

    def run(self, steps: Callable[[], None], say: Say) -> None:
        """Run `steps` (which stage and publish), then commit; all or nothing.

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


def apply_journal(
    library: Library, folder: Path, journal: dict[str, Any], pause: Callable[[str], None]
) -> None:
    """Perform (or finish) the moves of a committed change; safe to run again at any point."""
    settings = library.settings
    slug = str(journal["slug"])
    new_names = set(journal.get("transcripts") or [])
    staged_media = folder / "new" / "media"
    target = settings.media_dir / slug
    old = folder / "old"
    old.mkdir(exist_ok=True)
    # 1. The old media folder goes aside, unless the new one is already in its place.
    if target.exists() and (journal["op"] == "remove" or staged_media.exists()):
        if (old / "media").exists():
            shutil.rmtree(old / "media")
        target.rename(old / "media")
    # 2. The new media folder moves in.
    if staged_media.exists():
        settings.media_dir.mkdir(parents=True, exist_ok=True)
        staged_media.rename(target)
    _fsync_dir(settings.media_dir)
    pause("commit-media")
    # 3. Transcripts of languages the webcast no longer has go aside; new ones replace old.
    transcripts = settings.transcripts_dir
    (old / "transcripts").mkdir(exist_ok=True)
    for path in sorted(transcripts.glob(f"{slug}.*.txt")):
        if path.name not in new_names and path.name.count(".") == 2:
            os.replace(path, old / "transcripts" / path.name)
    for name in sorted(new_names):
        staged = folder / "new" / "transcripts" / name
        if staged.exists():
            transcripts.mkdir(parents=True, exist_ok=True)
            os.replace(staged, transcripts / name)
    _fsync_dir(transcripts)
    # 4. The catalog, atomically.
    staged_catalog = folder / "catalog.yaml"
    if staged_catalog.exists():
        os.replace(staged_catalog, settings.catalog_path)
        _fsync_dir(settings.library)
    pause("commit-catalog")


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
        journal = _read_json(folder / "journal.json")
        intent = _read_json(folder / "intent.json") or {}
        info = journal or intent
        found.append(Pending(
            folder, str(info.get("op") or "change"), str(info.get("slug") or "?"),
            journal is not None,
        ))
    return found


def recover(library: Library, say: Say, refresh: bool = True) -> list[str]:
    """Resolve every change left in the staging area (the caller holds the lock); slugs touched.

    Uncommitted changes are rolled back, committed ones rolled forward; then the database rows
    and index documents of each slug are derived again from the catalog and files (unless the
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
        if item.committed:
            journal = _read_json(item.folder / "journal.json") or {}
            apply_journal(library, item.folder, journal, lambda _point: None)
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
            stage.publish(lambda: library.unpublish(catalog, slug))

        stage.run(steps, say)
