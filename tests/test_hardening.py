"""Hardening of the web: forged hosts, request bodies, static caching, files that point
elsewhere, ids with whitespace and orphaned topics — each as a hostile visitor would try it."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from medialib.config import Settings, settings_help
from medialib.web.hosts import split_host
from medialib.web.security import CSP
from tests.libraries import copy_sample_library, reindexed

TALK = "role-of-radiation-mbc"
SECRET = "SECRET OUTSIDE THE LIBRARY"

# ---- the Host header ---------------------------------------------------------------------------

UNTRUSTED = ["evil.example", "localhost.evil.example", "evil.example:8000", "127.0.0.2"]
MALFORMED = ["a" * 64 + ".example", "exa mple", "[::1", "localhost:99999", "localhost:abc",
             "a..b", "évil.example", "x" * 300, "-bad-.example", "[zz::1]:80", "local\x00host"]


@pytest.mark.parametrize("host", UNTRUSTED + MALFORMED)
@pytest.mark.parametrize("url", ["/", "/feed.xml", f"/webcasts/{TALK}", "/nowhere",
                                 "/static/site.css", "/robots.txt"])
def test_an_untrusted_or_malformed_host_is_a_400_with_the_security_headers(
        client, caplog: pytest.LogCaptureFixture, host: str, url: str) -> None:
    with caplog.at_level(logging.INFO), client.get(url, headers={"Host": host}) as response:
        body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert response.headers["Content-Security-Policy"] == CSP
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "evil" not in body and len(body) < 200
    assert not caplog.records  # no traceback, no log line per forged request


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1:8000", "[::1]:8000", "LOCALHOST.",
                                  "localhost:80"])
def test_loopback_names_are_trusted_by_default(client, host: str) -> None:
    assert client.get("/", headers={"Host": host}).status_code == 200


def test_trusted_hosts_and_the_public_base_url_name_the_hosts_answered(
        make_app, sample_library_dir: Path) -> None:
    app = make_app(Settings(library=sample_library_dir,
                            trusted_hosts="media.example.org, .example.net",
                            public_base_url="https://public.example.com/library"))
    client = app.test_client()
    for host in ("media.example.org", "example.net", "www.example.net:8443",
                 "public.example.com", "localhost"):
        assert client.get("/", headers={"Host": host}).status_code == 200, host
    for host in ("example.org", "evil.example.com", "notexample.net"):
        assert client.get("/", headers={"Host": host}).status_code == 400, host
    # With a public address, links name it whatever trusted host the request came on.
    feed = client.get("/feed.xml", headers={"Host": "media.example.org"})
    assert "media.example.org" not in feed.get_data(as_text=True)
    assert "https://public.example.com/library/" in feed.get_data(as_text=True)
    assert "Host" not in feed.headers.get("Vary", "")


@pytest.mark.parametrize("url", ["/", "/feed.xml", "/sitemap.xml", "/sitemap-1.xml", "/robots.txt",
                                 f"/webcasts/{TALK}", f"/oembed?url=http://localhost/webcasts/{TALK}",
                                 "/topics/radiation-therapy", "/nowhere"])
def test_pages_built_from_the_host_vary_on_it(client, url: str) -> None:
    response = client.get(url)
    assert "Host" in response.headers.get("Vary", ""), url


def test_static_files_do_not_vary_on_the_host(client) -> None:
    with client.get("/static/site.css") as response:
        assert "Host" not in response.headers.get("Vary", "")


def test_split_host() -> None:
    assert split_host("Example.ORG:8000") == "example.org"
    assert split_host("[::1]:80") == "::1"
    assert split_host("192.168.0.1") == "192.168.0.1"
    for bad in MALFORMED + ["", ":80", "host:0"]:
        assert split_host(bad) is None, bad


# ---- request bodies ----------------------------------------------------------------------------


class Unreadable:
    """A request body that fails the test if the app reads it."""

    def read(self, *args: object) -> bytes:
        raise AssertionError("the body was read")

    readline = readlines = read

    def __init__(self, size: int = 2**30) -> None:
        self.size, self.position = size, 0

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = 0) -> int:
        self.position = self.size if whence == 2 else offset
        return self.position


@pytest.mark.parametrize("url", ["/", f"/webcasts/{TALK}", "/search?q=radiation",
                                 "/api/search?q=radiation", "/static/site.css", "/feed.xml"])
@pytest.mark.parametrize(("headers", "size"), [({}, 2**30), ({"Transfer-Encoding": "chunked"}, 0)])
def test_a_request_body_is_a_413_and_never_read(client, url: str, headers: dict,
                                                size: int) -> None:
    with client.get(url, headers=headers, input_stream=Unreadable(size)) as response:
        assert response.status_code == 413
        assert response.headers["Content-Security-Policy"]


def test_a_body_on_a_route_that_takes_no_method_keeps_its_405(client) -> None:
    assert client.post("/", data={"x": "1"}).status_code == 405


# ---- static files ------------------------------------------------------------------------------


def test_versioned_static_files_are_cached_for_a_year(client) -> None:
    home = client.get("/").get_data(as_text=True)
    assert "/static/site.css?v=" in home  # how templates link them
    start = home.index("/static/site.css?v=")
    url = home[start:home.index('"', start)].replace("&amp;", "&")
    with client.get(url) as response:
        cache = response.headers["Cache-Control"]
    assert {p.strip() for p in cache.split(",")} == {"public", "max-age=31536000", "immutable"}


def test_unversioned_static_files_are_revalidated(client) -> None:
    with client.get("/static/site.css") as response:
        assert "no-cache" in response.headers["Cache-Control"]
        assert "immutable" not in response.headers["Cache-Control"]
        etag = response.headers["ETag"]
    with client.get("/static/site.css", headers={"If-None-Match": etag}) as response:
        assert response.status_code == 304


# ---- ids with whitespace -----------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/topics/%20radiation-therapy", "/topics/radiation-therapy%20",
                                 "/topics/radiation-therapy%09", "/speakers/%20nancy-lin",
                                 "/series/%20breast-cancer-brain",
                                 "/topics/%20radiation-therapy/feed.xml"])
def test_ids_with_whitespace_are_404(client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert "%20" not in response.get_data(as_text=True).split("canonical", 1)[-1][:200]


def test_the_ids_themselves_still_answer(client) -> None:
    for url in ("/topics/radiation-therapy", "/series/breast-cancer-brain"):
        assert client.get(url).status_code == 200, url


# ---- files that point out of the library -------------------------------------------------------


@pytest.fixture(scope="module")
def linked_library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample library, indexed, then its transcript, captions and poster of TALK replaced by
    symlinks to a file outside it (read only: the tests of this module share it)."""
    folder = tmp_path_factory.mktemp("linked")
    library = reindexed(copy_sample_library(folder / "library"))
    secret = folder / "outside" / "shadow"
    secret.parent.mkdir()
    secret.write_text(f"WEBVTT\n\n00:00.000 --> 00:01.000\n{SECRET}\n", encoding="utf-8")
    transcript = library / "transcripts" / f"{TALK}.en.txt"
    transcript.unlink()
    transcript.symlink_to(secret)
    captions = library / "media" / TALK / "captions.en.vtt"
    captions.unlink()
    captions.symlink_to(secret)
    (library / "media" / TALK / "poster.jpg").symlink_to(secret)
    return library


@pytest.fixture
def linked_client(make_app, linked_library: Path) -> FlaskClient:
    return make_app(Settings(library=linked_library)).test_client()


@pytest.mark.parametrize("url", [f"/webcasts/{TALK}/transcript.txt",
                                 f"/webcasts/{TALK}/transcript.vtt",
                                 f"/webcasts/{TALK}/transcript.vtt?download=1",
                                 f"/media/{TALK}/captions.en.vtt", f"/media/{TALK}/poster.jpg",
                                 f"/webcasts/{TALK}", f"/webcasts/{TALK}/transcript",
                                 f"/embed/{TALK}", "/feed.xml", "/sitemap.xml",
                                 "/sitemap-1.xml"])
def test_no_route_reads_a_file_through_a_link_out_of_the_library(linked_client,
                                                                 url: str) -> None:
    response = linked_client.get(url)
    assert response.status_code in (200, 404), url
    assert SECRET not in response.get_data(as_text=True), url


def test_transcript_downloads_are_rebuilt_from_the_database_instead(linked_client) -> None:
    txt = linked_client.get(f"/webcasts/{TALK}/transcript.txt").get_data(as_text=True)
    vtt = linked_client.get(f"/webcasts/{TALK}/transcript.vtt").get_data(as_text=True)
    assert "radiation" in txt.lower() and vtt.startswith("WEBVTT") and "-->" in vtt
    player = linked_client.get(f"/webcasts/{TALK}").get_data(as_text=True)
    assert f"/media/{TALK}/poster.jpg" not in player


# ---- topics and series nobody described and nothing uses ---------------------------------------


@pytest.fixture
def orphan_client(make_app, fresh_library: Path) -> FlaskClient:
    catalog = fresh_library / "catalog.yaml"
    text = catalog.read_text(encoding="utf-8")
    text = text.replace("topics:\n", "topics:\n  radiaton-therapy:\n    name: Radiaton therapy\n"
                        "    description: ''\n  staff-topic:\n    name: Staff topic\n"
                        "    description: Talks to come.\n", 1)
    text = text.replace("series:\n", "series:\n  typo-series:\n    title: Typo series\n", 1)
    catalog.write_text(text, encoding="utf-8")
    return make_app(Settings(library=reindexed(fresh_library))).test_client()


def test_an_undescribed_topic_or_series_with_no_webcast_has_no_page(orphan_client) -> None:
    for url in ("/topics/radiaton-therapy", "/topics/radiaton-therapy/feed.xml",
                "/series/typo-series", "/series/typo-series/feed.xml"):
        assert orphan_client.get(url).status_code == 404, url
    for url in ("/", "/sitemap-1.xml"):
        body = orphan_client.get(url).get_data(as_text=True)
        assert "radiaton-therapy" not in body and "typo-series" not in body, url
    # A topic staff described is kept, even before it has webcasts.
    assert orphan_client.get("/topics/staff-topic").status_code == 200


def test_every_setting_has_help_and_a_row_in_the_readme() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for name, _default, text in settings_help():
        assert len(text) > 20, name
        assert f"| `{name}` |" in readme, name
