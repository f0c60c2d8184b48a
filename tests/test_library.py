"""Library: derived state of one webcast at a time (publish, unpublish, refresh) and reindex."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from medialib import models as m
from medialib.config import Settings
from medialib.db import StoreUnavailable
from medialib.library import Library
from tests.ingest_support import published_template

SLUG = "existing-talk"


@pytest.fixture
def library(tmp_path_factory: pytest.TempPathFactory, tiny_video: Path, tmp_path: Path,
            database_url: str | None):
    """A copy of a published library (one webcast), its database (SQLite, then PostgreSQL)
    and index built."""
    root = tmp_path / "library"
    shutil.copytree(published_template(tmp_path_factory, tiny_video), root)
    lib = Library(Settings(library=root, database_url=database_url))
    if database_url:
        lib.reindex()
    yield lib
    lib.close()


def count(lib: Library, model: type) -> int:
    with lib.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_publish_replaces_one_webcast_in_place(library: Library) -> None:
    catalog = library.load_catalog()
    cues_before = count(library, m.Cue)
    documents = library.index.slugs()
    loaded = library.load_webcast(catalog.webcasts[SLUG])
    library.publish(catalog, loaded)
    library.publish(catalog, loaded)  # idempotent: no duplicate rows or documents
    assert count(library, m.Cue) == cues_before == 2
    assert count(library, m.Webcast) == 1
    assert library.index.slugs() == documents
    with library.sessions() as session:
        row = session.get(m.Webcast, SLUG)
        assert row is not None and [c.title for c in row.chapters] == ["Welcome", "Questions"]


def test_unpublish_and_refresh_follow_the_catalog(library: Library) -> None:
    catalog = library.load_catalog()
    catalog.remove_webcast(SLUG)
    library.unpublish(catalog, SLUG)
    assert SLUG not in library.index.slugs()
    with library.sessions() as session:
        assert session.get(m.Webcast, SLUG) is None
        assert session.get(m.Speaker, "nancy-lin") is not None  # the catalog still lists her
    library.refresh([SLUG])  # the catalog on disk still lists the webcast: published again
    assert SLUG in library.index.slugs()
    with library.sessions() as session:
        assert session.get(m.Webcast, SLUG) is not None


@pytest.mark.parametrize("database_url", [None])  # a file of garbage is a SQLite matter
def test_reindex_replaces_a_corrupt_database_file(library: Library) -> None:
    assert library.engine.url.get_backend_name() == "sqlite"
    path = library.settings.instance / "medialib.sqlite3"
    library.close()
    for extra in library.settings.instance.glob("medialib.sqlite3-*"):
        extra.unlink()
    path.write_bytes(b"garbage, not SQLite " * 200)
    with pytest.raises(StoreUnavailable, match="medialib reindex"):
        library.ensure_schema()
    messages: list[str] = []
    assert library.reindex(messages.append) == 1
    assert "the database file was damaged: replaced it" in messages
    assert count(library, m.Webcast) == 1


def test_reindex_brings_an_older_database_to_the_current_columns(library: Library) -> None:
    with library.engine.begin() as connection:  # as an older version left it: a renamed column
        connection.exec_driver_sql("ALTER TABLE media_files RENAME COLUMN checksum TO sha256")
    assert library.database_outdated()
    assert library.reindex() == 1
    with library.sessions() as session:
        row = session.scalars(select(m.MediaFile)).one()
        assert row.checksum == library.load_catalog().webcasts[SLUG].media.checksum


def test_a_catalog_written_before_checksums_named_their_algorithm(library: Library) -> None:
    """`sha256: <hex>` entries still load and still verify."""
    from medialib.checks import check_library
    from medialib.media import file_checksum

    path = library.settings.catalog_path
    webcast = library.load_catalog().webcasts[SLUG]
    legacy = file_checksum(library.webcast_dir(SLUG) / webcast.media.file, "sha256")
    text = path.read_text().replace(f"checksum: {webcast.media.checksum}",
                                    f"sha256: {legacy.partition(':')[2]}")
    path.write_text(text)
    assert library.load_catalog().webcasts[SLUG].media.checksum == legacy
    assert check_library(library, lambda _m: None) == []
    path.write_text(text.replace(legacy.partition(":")[2], "0" * 64))
    assert [p.message for p in check_library(library, lambda _m: None)] == [
        f"media file of {SLUG!r}: does not match its checksum"]


def test_a_database_from_before_the_generation_is_rebuilt(library: Library) -> None:
    """A database an older medialib made has no library_state: outdated, then made again."""
    with library.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE library_state")
    assert library.database_outdated() and library.generation() is None
    assert library.reindex() == 1
    assert not library.database_outdated()
    generation = library.generation()
    assert generation is not None and generation[0] >= 1
