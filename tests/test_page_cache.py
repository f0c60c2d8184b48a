"""The page cache: rendered public responses kept until the library changes, with 304s."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from medialib.app import create_app
from medialib.config import Settings
from medialib.library import Library

TALK = "healthcare-proxy-advanced-cancer"


def cache_of(app):
    return app.wsgi_app


@pytest.fixture
def changing(fresh_library: Path) -> Iterator[tuple]:
    """An app over a writable library, and a second Library (as a command would hold)."""
    settings = Settings(library=fresh_library)
    staff = Library(settings)
    staff.reindex()
    app = create_app(settings)
    yield app, staff
    app.extensions["medialib"].close()
    staff.close()


def test_a_second_request_is_served_from_memory_with_validators(app) -> None:
    client = app.test_client()
    first = client.get("/")
    before = cache_of(app).stats()
    second = client.get("/")
    after = cache_of(app).stats()
    assert after["hits"] == before["hits"] + 1 and after["misses"] == before["misses"]
    assert first.data == second.data and first.status_code == 200
    etag = second.headers["ETag"]
    assert etag.startswith('"') and second.headers["Last-Modified"].endswith("GMT")
    assert second.headers["Cache-Control"] == "no-cache"
    assert second.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
    again = client.get("/", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    since = client.get("/", headers={"If-Modified-Since": second.headers["Last-Modified"]})
    assert since.status_code == 304
    other = client.get("/", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.data == first.data
    zipped = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"  # its own entry, its own ETag
    assert zipped.headers["ETag"] != etag


def test_a_publish_or_remove_is_seen_by_the_next_request(changing) -> None:
    app, staff = changing
    client = app.test_client()
    assert f'href="/webcasts/{TALK}"' in client.get("/").get_data(as_text=True)
    found = client.get("/api/search?q=health+care+proxy").get_json()
    assert TALK in [r["slug"] for r in found["results"]]
    etag = client.get("/").headers["ETag"]
    catalog = staff.load_catalog()
    catalog.remove_webcast(TALK)
    staff.unpublish(catalog, TALK)
    home = client.get("/", headers={"If-None-Match": etag})
    assert home.status_code == 200 and f'href="/webcasts/{TALK}"' not in home.get_data(True)
    assert client.get(f"/webcasts/{TALK}").status_code == 404
    found = client.get("/api/search?q=health+care+proxy").get_json()
    assert TALK not in [r["slug"] for r in found["results"]]
    staff.refresh([TALK])  # the catalog on disk still lists it: published again
    assert f'href="/webcasts/{TALK}"' in client.get("/").get_data(as_text=True)


def test_an_index_change_alone_is_seen(changing) -> None:
    """The key follows the index's pointer too (a search between a database commit and the
    index write it is paired with must not be kept for the new state)."""
    app, staff = changing
    client = app.test_client()
    url = "/api/search?q=health+care+proxy"
    assert TALK in [r["slug"] for r in client.get(url).get_json()["results"]]
    staff.index.remove(TALK)
    assert TALK not in [r["slug"] for r in client.get(url).get_json()["results"]]


def test_the_cache_is_bounded(settings: Settings) -> None:
    app = create_app(settings.with_(page_cache_entries=3))
    try:
        client = app.test_client()
        for url in ("/", "/feed.xml", "/sitemap.xml", "/sitemap-1.xml", "/search?q=fatigue"):
            assert client.get(url).status_code == 200
        assert cache_of(app).stats()["entries"] == 3
    finally:
        app.extensions["medialib"].close()
    app = create_app(settings.with_(page_cache_mb=0))
    try:
        app.test_client().get("/")
        assert cache_of(app).stats()["entries"] == 0  # a page larger than the budget
    finally:
        app.extensions["medialib"].close()


def test_hosts_errors_media_and_bodies_are_not_shared(app) -> None:
    client = app.test_client()
    local = client.get("/feed.xml", headers={"Host": "localhost"}).get_data(as_text=True)
    loop = client.get("/feed.xml", headers={"Host": "127.0.0.1"}).get_data(as_text=True)
    assert "http://localhost/" in local and "http://127.0.0.1/" in loop
    assert client.get("/feed.xml", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/nowhere").status_code == 404
    entries = cache_of(app).stats()["entries"]
    assert client.get("/nowhere").status_code == 404
    assert client.get("/", data=b"x" * 10).status_code == 413
    client.get(f"/media/{TALK}/captions.en.vtt")
    assert cache_of(app).stats()["entries"] == entries
