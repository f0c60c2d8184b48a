"""A serving node's search index follows the database, whichever node made the change.

Several `medialib serve` nodes may share one PostgreSQL database and one library folder
(catalog.yaml, media/, transcripts/), each with its own instance folder and search index. Every
write of rows bumps the database's generation and logs what changed (models.LibraryChange) in
the same transaction. Each server process reads the generation at most once every
CHECK_SECONDS (one row); when it has moved past the generation this node's index was last
brought to (APPLIED, in the index folder), one process of the node catches up: whoever takes the
node's lock (lock.LibraryLock on the index folder). The others carry on serving, and their open
index refreshes by itself when its CURRENT pointer changes.

Catching up reads the change log after the applied generation: each webcast named there is read
again from the library folder and added to the index if the database has its rows (the database
says what is published), else removed from it; each is one atomic index commit. When the log no
longer reaches back that far, or names a reindex, the index is rebuilt instead (a new index
generation, swapped in whole). APPLIED then records the generation reached. Nothing is done
while a command holds the library's lock (it is still writing); a command updates the index of
its own node itself and notes it (note_applied), so that node does not do the work twice.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .files import write_atomic
from .lock import LibraryBusy, LibraryLock, lock_holder

if TYPE_CHECKING:
    from .library import Library

APPLIED = "APPLIED"
CHECK_SECONDS = 1.0
Change = tuple[int, "str | None", str]  # (generation, slug, action), as store.read_changes


def applied_generation(index_dir: Path) -> int | None:
    """The database generation this index was last brought to, or None if never noted."""
    try:
        return int(json.loads((index_dir / APPLIED).read_bytes())["generation"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def record_applied(index_dir: Path, generation: int) -> None:
    write_atomic(index_dir / APPLIED, json.dumps({"generation": generation}).encode())


def note_applied(index_dir: Path, generation: int, whole: bool = False) -> None:
    """A command changed this node's index to match `generation` (`whole`: rebuilt it): noted
    when the index was one generation behind (or rebuilt), so nothing is applied twice and
    nothing skipped."""
    if whole or (applied_generation(index_dir) or 0) == generation - 1:
        record_applied(index_dir, generation)


@dataclass(frozen=True)
class CatchUp:
    """What a node does to bring its index from one generation to another."""

    reach: int  # the generation the index then holds
    rebuild: bool  # the whole index, from every published webcast
    slugs: tuple[str, ...] = ()  # else: these webcasts read again, in the order they changed


def plan_catch_up(applied: int | None, current: int, changes: Sequence[Change]
                  ) -> CatchUp | None:
    """From generation `applied` (None: never) to `current` given the logged changes after
    `applied`: None when there is nothing to do."""
    start = applied or 0
    if start == current:
        return None
    reach = max([current, *(g for g, _, _ in changes)])
    contiguous = [g for g, _, _ in changes] == list(range(start + 1, reach + 1))
    if start > current or not contiguous or any(a == "reindex" for _, _, a in changes):
        return CatchUp(reach, rebuild=True)  # a newer database, a log pruned, or a reindex
    order: dict[str, None] = {}
    for _, slug, _ in changes:
        if slug is not None:
            order.pop(slug, None)
            order[slug] = None
    return CatchUp(reach, rebuild=False, slugs=tuple(order))


class IndexFollower:
    """Keeps one node's index in step with the database's generation, from one process."""

    def __init__(self, library: Library, say: Callable[[str], None] | None = None,
                 interval: float = CHECK_SECONDS):
        self.library = library
        self.say = say or (lambda _message: None)
        self.interval = interval
        self._stop = threading.Event()
        self._last_error = ""

    def check(self) -> CatchUp | None:
        """One look at the generation and, if it moved and this process takes the node's lock,
        the catch-up; what was done."""
        settings = self.library.settings
        state = self.library.generation()
        index_dir = settings.index_path
        if state is None or applied_generation(index_dir) == state[0]:
            return None
        if lock_holder(settings.library) is not None:
            return None  # a command is writing: look again when it has finished
        index_dir.mkdir(parents=True, exist_ok=True)
        try:
            with LibraryLock(index_dir, "index catch-up"):
                return self._catch_up(index_dir, state[0])
        except LibraryBusy:
            return None  # another process of this node is at it

    def _catch_up(self, index_dir: Path, current: int) -> CatchUp | None:
        from .store import read_changes

        applied = applied_generation(index_dir)  # again: another process may have done it
        with self.library.sessions() as session:
            changes = read_changes(session, applied or 0)
        plan = plan_catch_up(applied, current, changes)
        if plan is not None:
            self.apply(plan)
            record_applied(index_dir, plan.reach)
        return plan

    def apply(self, plan: CatchUp) -> None:
        """Read the webcasts of `plan` from the library folder into this node's index."""
        from .store import published_slugs

        library = self.library
        with library.sessions() as session:
            public = published_slugs(session, None if plan.rebuild else plan.slugs)
        catalog = library.load_catalog()
        if plan.rebuild:
            library.index.rebuild(
                document for slug, w in catalog.webcasts.items() if slug in public
                for document in library.indexed_languages(catalog, library.load_webcast(w))
            )
            return
        for slug in plan.slugs:
            webcast = catalog.webcasts.get(slug)
            if webcast is not None and slug in public:
                library.index.add(
                    library.indexed_languages(catalog, library.load_webcast(webcast)))
            else:
                library.index.remove(slug)

    def round(self) -> None:
        """check(), telling staff (once per distinct problem) what stopped it."""
        try:
            done = self.check()
        except Exception as exc:  # derived state: the next round tries again
            message = f"the search index could not catch up with the database: {exc}"
            if message != self._last_error:
                self.say(f"warning: {message}")
            self._last_error = message
            return
        self._last_error = ""
        if done is not None and done.rebuild:
            self.say(f"search index rebuilt for generation {done.reach} of the database")

    def start(self) -> None:
        """Check now, then every `interval` seconds, on a daemon thread of this process."""
        threading.Thread(target=self._run, name="index-follower", daemon=True).start()

    def _run(self) -> None:
        self.round()
        while not self._stop.wait(self.interval):
            self.round()

    def stop(self) -> None:
        self._stop.set()
