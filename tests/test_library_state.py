"""The library_state row: the publish_unreviewed_captions setting the rows were written with, read
at every serve start instead of the catalog, and how a database without it is brought up to date."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from medialib import models as m
from medialib.config import Settings
from medialib.library import Library
from medialib.operations import prepare_to_serve
from tests.many_library import write_many_library


@pytest.fixture
def root(tmp_path: Path, database_url: str | None) -> Path:
    return write_many_library(tmp_path / "library", 3, database_url)


def opened(root: Path, database_url: str | None, publish: bool = True) -> Library:
    return Library(Settings(library=root, database_url=database_url,
                            publish_unreviewed_captions=publish))


def recorded(library: Library) -> bool | None:
    with library.sessions() as session:
        return session.scalar(select(m.LibraryState.publish_unreviewed_captions))


def test_the_serve_start_check_reads_the_recorded_setting_not_the_catalog(
    root: Path, database_url: str | None
) -> None:
    with opened(root, database_url) as library:
        assert recorded(library) is True  # as the reindex wrote the rows
        (root / "catalog.yaml").write_text("webcasts: [not, a, catalog\n", encoding="utf-8")
        assert library.drafts_out_of_step() is False  # one row read: the catalog is never parsed


def test_a_changed_setting_without_drafts_is_recorded_once(
    root: Path, database_url: str | None
) -> None:
    with opened(root, database_url, publish=False) as library:
        assert library.drafts_out_of_step() is False  # compared in full: no drafts at all
        assert recorded(library) is False  # so the next start reads one row again
        (root / "catalog.yaml").write_text("webcasts: [not, a, catalog\n", encoding="utf-8")
        assert library.drafts_out_of_step() is False


def test_a_write_under_the_other_setting_marks_the_rows_mixed(
    root: Path, database_url: str | None
) -> None:
    with opened(root, database_url, publish=False) as library:
        catalog = library.load_catalog()
        library.publish(catalog, library.load_webcast(catalog.webcasts["talk-00001"]))
        assert recorded(library) is None
        assert library.drafts_out_of_step() is False  # no drafts: in step after all
        assert recorded(library) is False


def test_a_database_without_the_recorded_setting_is_rebuilt_and_keeps_counting(
    root: Path, database_url: str | None
) -> None:
    with opened(root, database_url) as library:
        before = library.generation()
        assert before is not None
        with library.engine.begin() as connection:  # as the previous version made it
            connection.exec_driver_sql(
                "ALTER TABLE library_state DROP COLUMN publish_unreviewed_captions")
            connection.exec_driver_sql("DROP TABLE library_changes")
        assert library.database_outdated()
        said: list[str] = []
        prepare_to_serve(library, said.append)
        assert any("older medialib" in line for line in said)
        assert not library.database_outdated() and recorded(library) is True
        after = library.generation()
        assert after is not None and after[0] == before[0] + 1  # no node mistakes it for old
        assert sorted(library.index.slugs()) == ["talk-00000", "talk-00001", "talk-00002"]
