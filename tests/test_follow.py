"""follow: a node's index catches up with the database from the change log, or is rebuilt."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from medialib import models as m
from medialib.config import Settings
from medialib.follow import (
    APPLIED,
    CatchUp,
    IndexFollower,
    applied_generation,
    plan_catch_up,
)
from medialib.library import Library
from medialib.lock import LibraryLock
from medialib.operations import remove_webcast
from medialib.store import LOG_KEPT
from tests.many_library import write_many_library

# ---- the plan, alone --------------------------------------------------------------------------


def test_nothing_to_do_when_the_index_holds_the_current_generation() -> None:
    assert plan_catch_up(7, 7, []) is None


def test_the_webcasts_named_since_the_applied_generation_are_read_again_in_order() -> None:
    changes = [(8, "a", "publish"), (9, "b", "publish"), (10, None, "files"),
               (11, "a", "remove")]
    assert plan_catch_up(7, 11, changes) == CatchUp(11, rebuild=False, slugs=("b", "a"))


def test_changes_logged_after_the_generation_was_read_are_applied_too() -> None:
    assert plan_catch_up(7, 8, [(8, "a", "publish"), (9, "b", "remove")]) == CatchUp(
        9, rebuild=False, slugs=("a", "b"))


def test_a_never_noted_index_replays_a_log_that_reaches_back_to_the_start() -> None:
    assert plan_catch_up(None, 2, [(1, "a", "publish"), (2, "b", "publish")]) == CatchUp(
        2, rebuild=False, slugs=("a", "b"))


@pytest.mark.parametrize("applied, current, changes", [
    (7, 11, [(10, "a", "publish"), (11, "b", "publish")]),  # 8 and 9 pruned: a gap
    (7, 9, [(8, "a", "publish"), (9, None, "reindex")]),  # every row written again
    (None, 3, [(3, "a", "publish")]),  # a new node, the log's start long gone
    (12, 3, [(1, None, "reindex"), (2, "a", "publish"), (3, "b", "publish")]),  # a new database
])
def test_the_index_is_rebuilt_when_the_log_cannot_bring_it_up_to_date(
    applied: int | None, current: int, changes: list[tuple[int, str | None, str]]
) -> None:
    plan = plan_catch_up(applied, current, changes)
    assert plan is not None and plan.rebuild and plan.reach == max(current, changes[-1][0])


# ---- a second node over one library folder and one database --------------------------------------


@pytest.fixture
def nodes(tmp_path: Path, database_url: str | None):
    """Node A, which wrote a library of five webcasts, and node B with its own instance folder
    (database and library folder shared), nothing indexed yet."""
    root = write_many_library(tmp_path / "library", 5, database_url)
    a = Library(Settings(library=root, database_url=database_url))
    b = Library(Settings(library=root, database_url=a.settings.database_url,
                         instance_dir=tmp_path / "node-b"))
    yield a, b
    a.close()
    b.close()


def index_generation(library: Library) -> str:
    """The name of the index generation directory the node's CURRENT points at."""
    pointer = json.loads((library.settings.index_path / "CURRENT").read_text())
    return str(pointer["generation"])


def test_a_node_catches_up_with_changes_made_through_another(nodes) -> None:
    a, b = nodes
    follower = IndexFollower(b)
    first = follower.check()  # never indexed; the log starts with A's reindex
    assert first is not None and first.rebuild
    assert sorted(b.index.slugs()) == [f"talk-{i:05d}" for i in range(5)]
    built = index_generation(b)
    assert follower.check() is None  # in step: one row read, nothing done
    remove_webcast(a, "talk-00002", lambda _m: None)
    done = follower.check()
    assert done == CatchUp(first.reach + 1, rebuild=False, slugs=("talk-00002",))
    assert "talk-00002" not in b.index.slugs() and len(b.index.slugs()) == 4
    assert index_generation(b) == built  # one webcast changed in place, no rebuild
    assert applied_generation(b.settings.index_path) == done.reach
    # The node that made the change updated its own index and noted it: nothing to do there.
    assert IndexFollower(a).check() is None


def test_a_gap_in_the_log_makes_the_node_rebuild_its_index(nodes) -> None:
    a, b = nodes
    follower = IndexFollower(b)
    assert follower.check() is not None
    built = index_generation(b)
    applied = applied_generation(b.settings.index_path)
    for slug in ("talk-00001", "talk-00003"):
        remove_webcast(a, slug, lambda _m: None)
    with a.sessions() as session:  # the first removal's entry pruned, as LOG_KEPT would
        reindexed, first, _ = sorted(session.scalars(select(m.LibraryChange.generation)))
        session.execute(delete(m.LibraryChange).where(m.LibraryChange.generation == first))
        session.commit()
    assert reindexed == applied
    done = follower.check()
    assert done is not None and done.rebuild
    assert sorted(b.index.slugs()) == ["talk-00000", "talk-00002", "talk-00004"]
    assert index_generation(b) != built


def test_only_the_latest_generations_are_logged(nodes) -> None:
    a, _ = nodes
    with a.sessions() as session:
        logged = list(session.execute(select(m.LibraryChange.generation, m.LibraryChange.action)))
    assert [action for _, action in logged] == ["reindex"]  # a reindex drops the log before it
    from medialib import store

    with a.sessions() as session:
        for _ in range(LOG_KEPT + 3):
            store.bump_generation(session, "Many talks", "files")
        session.commit()
        generations = list(session.scalars(select(m.LibraryChange.generation)))
    assert len(generations) == LOG_KEPT and max(generations) == logged[0][0] + LOG_KEPT + 3


def test_one_process_per_node_catches_up_the_others_wait(nodes) -> None:
    a, b = nodes
    index_dir = b.settings.index_path
    index_dir.mkdir(parents=True)
    with LibraryLock(index_dir, "index catch-up"):  # another worker of node B at it
        assert IndexFollower(b).check() is None
        assert not (index_dir / APPLIED).exists()
    with LibraryLock(a.settings.library, "ingest"):  # a command is writing the library
        assert IndexFollower(b).check() is None
    assert IndexFollower(b).check() is not None
