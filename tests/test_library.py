"""Library: derived state of one webcast at a time (publish, unpublish, refresh) and reindex."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from medialib import models as m
from medialib.config import Settings
from medialib.db import StoreUnavailable
from medialib.library import Library


@pytest.fixture
def library(fresh_library: Path):
    lib = Library(Settings(library=fresh_library))
    lib.reindex()
    yield lib
    lib.close()


def count(lib: Library, model: type) -> int:
    with lib.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_publish_replaces_one_webcast_in_place(library: Library) -> None:
    catalog = library.load_catalog()
    slug = "role-of-radiation-mbc"
    cues_before = count(library, m.Cue)
    loaded = library.load_webcast(catalog.webcasts[slug])
    library.publish(catalog, loaded)
    library.publish(catalog, loaded)  # idempotent: no duplicate rows or documents
    assert count(library, m.Cue) == cues_before
    assert count(library, m.Webcast) == len(catalog.webcasts)
    assert sorted(library.index.slugs()) == sorted(catalog.webcasts)
    with library.sessions() as session:
        row = session.get(m.Webcast, slug)
        assert row is not None and row.position == list(catalog.webcasts).index(slug)


def test_unpublish_and_refresh_follow_the_catalog(library: Library) -> None:
    catalog = library.load_catalog()
    slug = "cognitive-changes-mbc"
    catalog.remove_webcast(slug)
    library.unpublish(catalog, slug)
    assert slug not in library.index.slugs()
    with library.sessions() as session:
        assert session.get(m.Webcast, slug) is None
    library.refresh([slug])  # the catalog on disk still lists it: published again
    assert slug in library.index.slugs()
    with library.sessions() as session:
        assert session.get(m.Webcast, slug) is not None


def test_reindex_replaces_a_corrupt_database_file(library: Library) -> None:
    path = library.settings.instance / "medialib.sqlite3"
    library.close()
    for extra in library.settings.instance.glob("medialib.sqlite3-*"):
        extra.unlink()
    path.write_bytes(b"garbage, not SQLite " * 200)
    with pytest.raises(StoreUnavailable, match="medialib reindex"):
        library.ensure_schema()
    messages: list[str] = []
    assert library.reindex(messages.append) == len(library.load_catalog().webcasts)
    assert "the database file was damaged: replaced it" in messages
    assert count(library, m.Webcast) == len(library.load_catalog().webcasts)
