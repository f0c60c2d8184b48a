"""Hostile requests: escaping, security headers, 404/405, odd parameters — never a 5xx."""

from __future__ import annotations

import json
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from medialib.config import Settings
from medialib.library import Library
from medialib.web.security import CSP
from tests.web_fixtures import write_hostile_library

HOSTILE_PAGES = [
    "/", "/webcasts/evil-talk", "/webcasts/evil-talk/transcript", "/webcasts/plain-audio",
    "/topics/evil-topic", "/speakers/mallory", "/series/evil-series",
    "/search?q=radiation", "/search?q=hello", "/search?q=<script>alert(1)</script>",
    "/search?q=%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&topic=%22%3E%3Cb%3E",
    "/webcasts/evil-talk?q=hello+img+tag", "/webcasts/evil-talk?q=<script>alert(1)</script>",
    "/webcasts/evil-talk?q=%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&t=%22%3E",
]
INJECTED_TAGS = {"iframe", "b", "img"}  # what the hostile catalog and captions try to add


class Markup(HTMLParser):
    """Every start tag of a page with its attributes."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


@pytest.mark.parametrize("url", HOSTILE_PAGES)
def test_catalog_and_caption_text_is_escaped(hostile_client, url: str) -> None:
    response = hostile_client.get(url)
    assert response.status_code == 200, url
    html = response.get_data(as_text=True)
    tags = Markup(html).tags
    scripts = [attrs for tag, attrs in tags if tag == "script"
               and attrs.get("type") != "application/ld+json"]  # JSON-LD is data, never run
    assert len(scripts) == 1 and (scripts[0]["src"] or "").startswith("/static/site.js")
    for tag, attrs in tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert not (attrs.get("href") or "").lower().startswith("javascript:"), attrs
        if tag == "img":
            assert (attrs.get("src") or "").startswith("/media/"), attrs
        else:
            assert tag not in INJECTED_TAGS, (tag, attrs)
    assert ">49<" not in html and "49 " not in html  # template-looking text stays text


def test_escaped_text_is_still_shown(hostile_client) -> None:
    html = hostile_client.get("/webcasts/evil-talk").get_data(as_text=True)
    assert "Talk &lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt; &#34;quoted&#34;" in html
    assert "Hello &lt;script&gt;alert(&#34;cue&#34;)&lt;/script&gt; world" in html
    assert "{{ 7*7 }}" in html
    # The javascript: resource is shown as text, the https one as a link.
    assert "Resource &lt;b&gt;one&lt;/b&gt;" in html
    assert 'href="https://example.org/?a=1&amp;b=&lt;2&gt;"' in html


def test_transcript_downloads_keep_text_as_text(hostile_client) -> None:
    vtt = hostile_client.get("/webcasts/evil-talk/chapters.vtt").get_data(as_text=True)
    assert "<script>" not in vtt and "&lt;script&gt;" in vtt
    txt = hostile_client.get("/webcasts/evil-talk/transcript.txt")
    assert txt.mimetype == "text/plain" and txt.headers["X-Content-Type-Options"] == "nosniff"


def test_api_search_json_is_data(hostile_client) -> None:
    response = hostile_client.get("/api/search?q=hello")
    assert response.mimetype == "application/json"
    document = response.get_json()
    assert document["results"] and document["results"][0]["slug"] == "evil-talk"
    assert "<script>" in json.dumps(document)  # JSON carries the text; it is never HTML


# ---- headers -----------------------------------------------------------------------------------

EVERY_KIND = [
    ("get", "/"), ("get", "/webcasts/evil-talk"), ("get", "/search?q=x"),
    ("get", "/api/search?q=x"), ("get", "/media/evil-talk/video.mp4"),
    ("get", "/webcasts/evil-talk/transcript.txt"), ("get", "/webcasts/evil-talk/chapters.vtt"),
    ("get", "/static/site.css"), ("get", "/nope"), ("get", "/media/../catalog.yaml"),
    ("post", "/"), ("delete", "/media/evil-talk/video.mp4"), ("head", "/"),
]


@pytest.mark.parametrize(("method", "url"), EVERY_KIND)
def test_security_headers_on_every_response(hostile_client, method: str, url: str) -> None:
    headers = {"Range": "bytes=999999-"} if url.startswith("/media/evil") else {}
    with getattr(hostile_client, method)(url, headers=headers) as response:
        h = response.headers
        assert h["Content-Security-Policy"] == CSP
        assert "unsafe-inline" not in CSP and "unsafe-eval" not in CSP
        for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'",
                          "img-src 'self' data:", "media-src 'self'", "object-src 'none'",
                          "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'"):
            assert directive in CSP
        assert h["X-Content-Type-Options"] == "nosniff"
        assert h["Referrer-Policy"] in ("same-origin", "no-referrer")
        assert "camera=()" in h["Permissions-Policy"]
        assert "interest-cohort=()" in h["Permissions-Policy"]
        assert h["Cross-Origin-Opener-Policy"] == "same-origin"
        assert "Strict-Transport-Security" not in h


def test_hsts_only_over_https(make_app, hostile_library_dir: Path) -> None:
    app = make_app(Settings(library=hostile_library_dir, https=True))
    for url in ("/", "/nope", "/media/evil-talk/video.mp4"):
        with app.test_client().get(url) as response:
            assert response.headers["Strict-Transport-Security"].startswith("max-age=")


# ---- methods and paths ---------------------------------------------------------------------

PUBLIC_ROUTES = [
    "/", "/webcasts/evil-talk", "/webcasts/evil-talk/transcript",
    "/webcasts/evil-talk/transcript.txt", "/webcasts/evil-talk/transcript.vtt",
    "/webcasts/evil-talk/chapters.vtt", "/search", "/api/search", "/topics/evil-topic",
    "/speakers/mallory", "/series/evil-series", "/media/evil-talk/video.mp4", "/static/site.css",
]


@pytest.mark.parametrize("url", PUBLIC_ROUTES)
@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_writes_are_405(hostile_client, url: str, method: str) -> None:
    response = getattr(hostile_client, method)(url, data={"x": "1"})
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"] and "POST" not in response.headers["Allow"]
    if not url.startswith(("/media/", "/api/")):
        assert "<h1>" in response.get_data(as_text=True)


def test_api_errors_are_json(hostile_client) -> None:
    response = hostile_client.post("/api/search?q=x")
    assert response.status_code == 405 and response.get_json()["status"] == 405


HOSTILE_PATHS = [
    "/webcasts/..%2f..%2fcatalog.yaml", "/webcasts/%2e%2e/catalog.yaml",
    "/webcasts/evil-talk/..%2f..%2fcatalog.yaml", "/webcasts/%00", "/webcasts/evil-talk%00",
    "/webcasts/" + "a" * 5000, "/topics/" + "b" * 5000, "/speakers/%00%00", "/series/..",
    "/topics/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/static/../catalog.yaml",
    "/static/%2e%2e/%2e%2e/catalog.yaml", "/static/..%2f..%2fcatalog.yaml", "//etc/passwd",
    "/webcasts//evil-talk", "/webcasts/evil-talk//transcript", "/instance/medialib.sqlite3",
    "/catalog.yaml", "/transcripts/evil-talk.en.txt", "/webcasts/evil-talk/transcript.txt%00",
    "/%ff%fe", "/webcasts/%ff", "/topics/%C0%AE%C0%AE", "/webcasts/ev%il", "/search/",
]


@pytest.mark.parametrize("url", HOSTILE_PATHS)
def test_hostile_paths_are_4xx_and_leak_nothing(hostile_client, url: str) -> None:
    with hostile_client.get(url) as response:
        assert 400 <= response.status_code < 500, (url, response.status_code)
        body = response.data
    assert b"webcasts:" not in body and b"root:" not in body and b"SQLite format" not in body


@pytest.mark.parametrize(
    "query",
    [
        "title:evil", "speaker:*", "(((", ")))", '"unbalanced', "a AND OR NOT b", "*", "?",
        "x" * 6000, "caf\u00e9 \U0001f600 \u4e2d\u6587 \u05e2\u05d1\u05e8\u05d9\u05ea",
        "nul\x00byte", "%00", "\u202etext", "{{7*7}}", "<script>", "' OR 1=1 --",
        "radiation~2", "rad*", "[a TO z]", "\\", "",
    ],
)
def test_hostile_queries_answer(hostile_client, query: str) -> None:
    # How fast they answer is the search benchmark's to measure, not a timed assertion here.
    for url in ("/search", "/api/search"):
        response = hostile_client.get(url, query_string={"q": query})
        assert response.status_code == 200, (url, query)
    assert "<script>" not in hostile_client.get(
        "/search", query_string={"q": query}).get_data(as_text=True)


@pytest.mark.parametrize(
    "args",
    [
        {"q": "hello", "page": "-1"}, {"q": "hello", "page": "abc"}, {"q": "hello", "page": "0"},
        {"q": "hello", "page": "9" * 40}, {"q": "hello", "page": "1e9"},
        {"q": "hello", "topic": "nope"}, {"q": "hello", "topic": "x" * 5000},
        {"q": "hello", "speaker": "\x00"}, {"q": "hello", "kind": "film"},
        {"q": "hello", "series": "<b>"}, {"q": ["a", "b"]},
    ],
)
def test_hostile_search_parameters(hostile_client, args: dict) -> None:
    for url in ("/search", "/api/search"):
        assert hostile_client.get(url, query_string=args).status_code == 200


@pytest.mark.parametrize("t", ["nan", "-inf", "1e400", "abc", "-1", "%00", "1h2m3s", "9" * 500])
def test_hostile_start_times(hostile_client, t: str) -> None:
    assert hostile_client.get(f"/webcasts/evil-talk?t={t}").status_code == 200


def test_hostile_headers(hostile_client) -> None:
    for headers in ({"If-Modified-Since": "\x00"}, {"If-None-Match": '"' * 5000},
                    {"Accept-Encoding": "gzip;q=" + "9" * 5000}, {"If-Range": "garbage"},
                    {"Range": "bytes=0-0," * 2000}):
        with hostile_client.get("/media/evil-talk/video.mp4", headers=headers) as response:
            assert response.status_code in (200, 206, 304, 412, 416)
        assert hostile_client.get("/", headers=headers).status_code == 200


# ---- a broken index or database: a clear message, never a 500 ---------------------------------


@pytest.fixture
def broken_library(tmp_path: Path) -> Path:
    root = write_hostile_library(tmp_path / "library")
    lib = Library(Settings(library=root))
    lib.reindex()
    lib.close()
    return root


def test_missing_index_degrades_search_only(make_app, broken_library: Path) -> None:
    settings = Settings(library=broken_library)
    shutil.rmtree(settings.index_path)
    app = make_app(settings)
    client = app.test_client()
    page = client.get("/search?q=hello")
    assert page.status_code == 503
    assert "Search is being rebuilt" in page.get_data(as_text=True)
    api = client.get("/api/search?q=hello")
    assert api.status_code == 503 and "rebuilt" in api.get_json()["error"]
    assert client.get("/").status_code == 200
    assert client.get("/webcasts/evil-talk").status_code == 200
    talk = client.get("/webcasts/evil-talk?q=hello")  # the player plays on
    assert talk.status_code == 200 and "Search is being rebuilt" in talk.get_data(as_text=True)


def test_corrupt_index_degrades_search_only(make_app, broken_library: Path) -> None:
    settings = Settings(library=broken_library)
    for path in settings.index_path.rglob("*"):
        if path.is_file():
            path.write_bytes(b"\x00garbage" * 10)
    app = make_app(settings)
    client = app.test_client()
    assert client.get("/search?q=hello").status_code == 503
    assert client.get("/api/search?q=hello").status_code == 503
    assert client.get("/webcasts/evil-talk").status_code == 200
    assert client.get("/webcasts/evil-talk?q=hello").status_code == 200


def test_missing_database_is_a_friendly_503(make_app, broken_library: Path) -> None:
    settings = Settings(library=broken_library)
    for path in settings.instance.glob("medialib.sqlite3*"):
        path.unlink()
    app = make_app(settings)
    client = app.test_client()
    for url in ("/", "/webcasts/evil-talk", "/topics/evil-topic"):
        response = client.get(url)
        assert response.status_code == 503, url
        assert "being updated" in response.get_data(as_text=True)


def test_transcript_txt_is_rebuilt_when_the_file_is_gone(make_app, broken_library: Path) -> None:
    settings = Settings(library=broken_library)
    (settings.transcripts_dir / "evil-talk.en.txt").unlink()
    (settings.media_dir / "evil-talk" / "captions.en.vtt").unlink()
    app = make_app(settings)
    client = app.test_client()
    text = client.get("/webcasts/evil-talk/transcript.txt").get_data(as_text=True)
    assert text.startswith("Talk <script>") and "Plain words about radiation" in text
    vtt = client.get("/webcasts/evil-talk/transcript.vtt").get_data(as_text=True)
    assert vtt.startswith("WEBVTT") and "&lt;script&gt;" in vtt
    html = client.get("/webcasts/evil-talk").get_data(as_text=True)
    assert 'src="/webcasts/evil-talk/transcript.vtt" default' in html  # from the stored cues
