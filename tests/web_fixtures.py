"""Fixtures for the web tests: a hostile library, a served library with rendered media, a browser.

A pytest plugin (`pytest_plugins = [..., "tests.web_fixtures"]` in tests/conftest.py).
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from medialib.app import create_app
from medialib.config import Settings

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
# axe-core's WCAG 2.2 A and AA rules plus best practices: each violation, where (three places).
AXE_RUN = """async () => (await axe.run(document, {
    resultTypes: ['violations'],
    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa',
                                     'best-practice']},
})).violations.map(v => ({id: v.id, impact: v.impact,
                         nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"""

# ---- a library whose every text field tries to become markup ---------------------------------

EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>'
HOSTILE_CATALOG = """\
library:
  title: "Library <b>bold</b> & co"
speakers:
  mallory:
    name: "Mallory <script>alert('name')</script>"
    credentials: 'MD" onmouseover="alert(1)'
topics:
  evil-topic:
    name: "Topic <img src=x onerror=alert('topic')>"
    description: "Description </p><script>alert('desc')</script>"
series:
  evil-series:
    title: "Series <iframe src=//evil.example>"
    description: "</textarea><script>alert('series')</script>"
webcasts:
  evil-talk:
    title: "Talk <script>alert('title')</script> \\"quoted\\" & 'single'"
    summary: "Summary <a href=javascript:alert(1)>click</a> {{ 7*7 }}"
    kind: video
    speakers: [mallory]
    topics: [evil-topic]
    series: evil-series
    part: 1
    recorded: "2024-02-30<script>"
    media: {file: video.mp4, type: video/mp4, duration: 30}
    poster: poster.jpg
    captions: [{lang: en, file: captions.en.vtt}]
    chapters:
      - {start: 0, title: "Chapter <script>alert('chapter')</script>"}
      - {start: 10, title: "Second </h3><img src=x onerror=alert(2)>"}
    resources:
      - title: "Resource <b>one</b>"
        url: "javascript:alert('res')"
        description: "<script>x</script>"
      - {title: "Safe resource", url: "https://example.org/?a=1&b=<2>"}
  plain-audio:
    title: Plain audio item
    kind: audio
    speakers: [mallory]
    media: {file: audio.m4a, type: audio/mp4, duration: 20}
    captions: [{lang: en, file: captions.en.vtt}]
"""

HOSTILE_VTT = """\
WEBVTT

00:00:00.000 --> 00:00:04.000
<v Eve <b>Evil</b>>Hello &lt;script&gt;alert("cue")&lt;/script&gt; world</v>

00:00:04.500 --> 00:00:09.000
<v Eve>An &lt;img src=x onerror=alert(3)&gt; tag and a " quote ' and &amp; sign.</v>

00:00:10.000 --> 00:00:15.000
<v Narrator>Plain words about radiation therapy for the second chapter.</v>

00:00:15.500 --> 00:00:20.000
Curly {{ 7*7 }} and {% raw %} jinja-looking text.
"""

PLAIN_VTT = """\
WEBVTT

00:00:00.000 --> 00:00:05.000
An audio item about living with cancer.

00:00:05.500 --> 00:00:10.000
It has captions and a transcript too.
"""

MEDIA_BYTES = bytes(range(256)) * 40  # 10,240 bytes with a recognizable pattern


def write_hostile_library(root: Path) -> Path:
    """A small library whose catalog and captions hold markup, plus files that must never leak."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "catalog.yaml").write_text(HOSTILE_CATALOG, encoding="utf-8")
    talk = root / "media" / "evil-talk"
    talk.mkdir(parents=True)
    (talk / "captions.en.vtt").write_text(HOSTILE_VTT, encoding="utf-8")
    (talk / "video.mp4").write_bytes(MEDIA_BYTES)
    (talk / "poster.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\0" * 60)
    (talk / ".hidden.mp4").write_bytes(b"a dotfile must not be served")
    (talk / "notes.txt").write_text("not a media type", encoding="utf-8")
    audio = root / "media" / "plain-audio"
    audio.mkdir(parents=True)
    (audio / "captions.en.vtt").write_text(PLAIN_VTT, encoding="utf-8")
    (audio / "audio.m4a").write_bytes(MEDIA_BYTES[:5000])
    (root / "media" / ".staging").mkdir()
    (root / "media" / ".staging" / "video.mp4").write_bytes(b"staged")
    outside = root / "secret.mp4"
    outside.write_bytes(b"SECRET OUTSIDE THE MEDIA FOLDER")
    (talk / "escape.mp4").symlink_to(outside)
    (talk / "escape-dir").symlink_to(root)
    (talk / "inside.mp4").symlink_to(talk / "video.mp4")
    return root


@pytest.fixture(scope="session")
def hostile_library_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hostile library, reindexed once (database, index, transcripts)."""
    from tests.libraries import reindexed

    return reindexed(write_hostile_library(tmp_path_factory.mktemp("hostile") / "library"))


@pytest.fixture(scope="session")
def hostile_app(make_shared_app, hostile_library_dir: Path):
    return make_shared_app(Settings(library=hostile_library_dir))


@pytest.fixture
def hostile_client(hostile_app):
    return hostile_app.test_client()


# ---- the sample library with stand-in media files, for the test client ---------------------


@pytest.fixture(scope="session")
def web_library_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample library with small stand-in media and posters (the player needs files)."""
    from medialib.catalog import Catalog
    from tests.libraries import copy_sample_library, reindexed

    root = copy_sample_library(tmp_path_factory.mktemp("web") / "library")
    for webcast in Catalog.load(root / "catalog.yaml").webcasts.values():
        folder = root / "media" / webcast.slug
        (folder / webcast.media.file).write_bytes(MEDIA_BYTES)
        if webcast.poster:
            (folder / webcast.poster).write_bytes(b"\xff\xd8\xff\xe0" + b"\0" * 60)
    return reindexed(root)


@pytest.fixture
def web_settings(web_library_dir: Path) -> Settings:
    return Settings(library=web_library_dir)


@pytest.fixture(scope="session")
def web_app(make_shared_app, web_library_dir: Path):
    return make_shared_app(Settings(library=web_library_dir))


@pytest.fixture
def web_client(web_app):
    return web_app.test_client()


# ---- a library in two languages (tests/spanish_library.py), for the test client -------------


@pytest.fixture(scope="session")
def spanish_library_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.spanish_library import write_spanish_library

    return write_spanish_library(tmp_path_factory.mktemp("spanish") / "library")


@pytest.fixture(scope="session")
def spanish_app(make_shared_app, spanish_library_dir: Path):
    return make_shared_app(Settings(library=spanish_library_dir))


@pytest.fixture
def spanish_client(spanish_app):
    return spanish_app.test_client()


# ---- a served library with real rendered media, for the browser ------------------------------

BROWSER_ITEMS = ("choosing-a-clinical-trial-webchat", "living-with-mbc-podcast")


@dataclass(frozen=True)
class LiveServer:
    url: str
    library: Path
    settings: Settings


KEEP_SECONDS = 110.0  # the first minutes of each item: enough to seek around, quick to render


def _shorten_captions(text: str, limit: float) -> str:
    """The WebVTT text without the cues that end after `limit` seconds."""
    from medialib.captions import parse_timestamp

    blocks = text.strip().split("\n\n")
    kept = [blocks[0]]
    for block in blocks[1:]:
        timing = next((line for line in block.splitlines() if " --> " in line), None)
        if timing is None:
            kept.append(block)
            continue
        end = parse_timestamp(timing.split(" --> ")[1].split()[0])
        if end <= limit:
            kept.append(block)
    return "\n\n".join(kept) + "\n"


def _render_library(root: Path) -> Path:
    """BROWSER_ITEMS of the sample library, cut to their first KEEP_SECONDS, rendered by demo."""
    from dataclasses import replace

    from medialib.catalog import Catalog
    from medialib.demo import render_demo
    from tests.libraries import reindexed

    root.mkdir(parents=True, exist_ok=True)
    shutil.copy2(REPO / "catalog.yaml", root / "catalog.yaml")
    catalog = Catalog.load(root / "catalog.yaml")
    for slug in list(catalog.webcasts):
        if slug not in BROWSER_ITEMS:
            catalog.remove_webcast(slug)
            continue
        webcast = catalog.webcasts[slug]
        chapters = tuple(c for c in webcast.chapters if c.start < KEEP_SECONDS - 10)
        catalog.put_webcast(replace(webcast, chapters=chapters))
        folder = root / "media" / slug
        folder.mkdir(parents=True, exist_ok=True)
        for vtt in (REPO / "media" / slug).glob("*.vtt"):
            text = _shorten_captions(vtt.read_text(encoding="utf-8"), KEEP_SECONDS)
            (folder / vtt.name).write_text(text, encoding="utf-8")
    catalog.save()
    render_demo(root, Catalog.load(root / "catalog.yaml"), jobs=2)
    return reindexed(root)


@contextmanager
def served_library(root: Path) -> Iterator[LiveServer]:
    """The app over the library `root`, on 127.0.0.1 on a thread, until the block ends."""
    import logging

    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no access log in the test output
    settings = Settings(library=root)
    app = create_app(settings)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", root, settings)
    finally:
        server.shutdown()
        thread.join(timeout=5)
        app.extensions["medialib"].close()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app over a library with one rendered video and the audio podcast, on 127.0.0.1."""
    with served_library(_render_library(tmp_path_factory.mktemp("served") / "library")) as live:
        yield live


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's chromium, headless, through Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs it (Debian package chromium)")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """A fresh browser context (empty localStorage); fails the test on any request to another
    origin, any JavaScript error and any Content-Security-Policy violation."""
    with checked_page(browser, live_server.url) as page:
        yield page


def axe_problems(browser: Any, origin: str, paths: list[str]) -> dict[str, Any]:
    """axe-core's violations on each of these pages of `origin` (those with any)."""
    assert AXE.exists(), "run `npm install` (make test does) to get axe-core"
    # axe is injected as an inline script, which the page's CSP rightly refuses: bypass it here.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    problems = {}
    try:
        page = context.new_page()
        for path in paths:
            page.goto(origin + path, wait_until="domcontentloaded")
            page.add_script_tag(path=str(AXE))
            if violations := page.evaluate(AXE_RUN):
                problems[path] = violations
    finally:
        context.close()
    return problems


@contextmanager
def checked_page(browser: Any, origin: str) -> Iterator[Any]:
    """A page in a fresh browser context that fails the test, when the block ends, on any
    request to another origin than `origin`, any JavaScript error and any CSP violation."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    outside: list[str] = []

    def check(request: Any) -> None:
        if not (request.url.startswith(origin + "/") or request.url.startswith("data:")):
            outside.append(request.url)

    context.on("request", check)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text)
            if "Content Security Policy" in msg.text or "Refused to" in msg.text else None)
    page.set_default_timeout(10_000)
    try:
        yield page
    finally:
        context.close()
    assert not outside, f"requests left the app's origin: {outside}"
    assert not errors, f"JavaScript errors or policy violations: {errors}"
