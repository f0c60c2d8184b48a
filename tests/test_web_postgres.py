"""Every page renders the same from PostgreSQL as from the default SQLite file.

The sample library is written into a fresh database of the session's throwaway PostgreSQL
cluster (tests/postgres.py); the same URLs are fetched from an app on each store, byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from sqlalchemy import event

from medialib.app import create_app
from medialib.catalog import Catalog
from medialib.config import Settings
from medialib.library import Library
from tests.libraries import REPO
from tests.postgres import PostgresServer

CATALOG = Catalog.load(REPO / "catalog.yaml")
PAGES = [
    "/", "/feed.xml", "/sitemap.xml", "/search?q=whole+brain+radiation",
    "/api/search?q=health+care+proxy",
    *(f"/topics/{t}" for t in CATALOG.topics),
    *(f"/speakers/{s}" for s in CATALOG.speakers),
    *(f"/series/{s}" for s in CATALOG.series),
    *(f"/webcasts/{w}" for w in CATALOG.webcasts),
    *(f"/webcasts/{w}/transcript" for w in CATALOG.webcasts),
]


def pages(settings: Settings) -> dict[str, tuple[int, bytes]]:
    app = create_app(settings)
    try:
        client = app.test_client()
        return {url: (r.status_code, r.get_data()) for url in PAGES
                for r in [client.get(url)]}
    finally:
        app.extensions["medialib"].close()


def test_every_page_is_the_same_on_postgresql(
    sample_library_dir: Path, postgres_server: PostgresServer
) -> None:
    on_sqlite = Settings(library=sample_library_dir)
    on_postgres = on_sqlite.with_(database_url=postgres_server.new_database("pages"))
    builder = Library(on_postgres)
    try:
        assert builder.reindex() == len(CATALOG.webcasts)
        assert builder.engine.url.get_backend_name() == "postgresql"
    finally:
        builder.close()
    expected, got = pages(on_sqlite), pages(on_postgres)
    assert [u for u, (status, _) in expected.items() if status != 200] == []
    assert len(expected) > 20
    for url in PAGES:
        assert got[url] == expected[url], url


SEARCHES = ("/api/search?q=health+care+proxy", "/api/search?q=whole+brain+radiaton",
            "/api/search?q=radiation&topic=brain-metastases")


@contextmanager
def recorded_statements(app: Flask) -> Iterator[list[str]]:
    """Every SQL statement the app's engine sends while the block runs."""
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:  # noqa: ANN001
        statements.append(statement)

    engine = app.extensions["medialib"].engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_a_search_reads_no_database_rows(make_app, settings: Settings) -> None:
    """Search speed cannot depend on the store (SQLite or PostgreSQL): it reads no rows of it.
    The one statement a request runs is the page cache's look at the library's generation."""
    app = make_app(settings)  # its own page cache: "/" is rendered below, not remembered
    client = app.test_client()
    with recorded_statements(app) as statements:
        for url in SEARCHES[:2]:
            assert client.get(url).get_json()["results"], url
        assert statements and all("FROM library_state" in s for s in statements)
        statements.clear()
        assert client.get("/").status_code == 200
        assert any("FROM webcasts" in s for s in statements)  # the pages' SQL is seen


def test_a_search_sends_no_statement_to_either_database(
    make_app, fresh_library: Path, database_url: str | None
) -> None:
    """With the page cache off, searching sends the database nothing at all, on SQLite as on
    PostgreSQL: what bench/search_bench.py measures on both is the index alone."""
    settings = Settings(library=fresh_library, database_url=database_url, page_cache_entries=0)
    with Library(settings) as builder:
        assert builder.reindex() == len(CATALOG.webcasts)
    app = make_app(settings)
    client = app.test_client()
    with recorded_statements(app) as statements:
        for url in SEARCHES:
            assert client.get(url).get_json()["results"], url
        assert statements == []
        assert client.get("/topics/brain-metastases").status_code == 200
        assert statements  # a page's SQL is seen: the counting works
