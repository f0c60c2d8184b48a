"""The embeddable player inside a partner's page, and the share buttons, in Debian's chromium.

The partner page is served from another origin (http://localhost on a second port, while the
library is on http://127.0.0.1): only /embed/<slug> may be framed there, and it plays with its
chapters and transcript, with no Content-Security-Policy violation and no request elsewhere.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.web_fixtures import BROWSER_ITEMS, LiveServer

pytestmark = pytest.mark.browser

VIDEO = BROWSER_ITEMS[0]


@pytest.fixture(scope="module")
def partner(live_server: LiveServer) -> Iterator[str]:
    """A partner site on another origin: /?src=PATH frames PATH of the library."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the http.server API)
            path = parse_qs(urlsplit(self.path).query).get("src", ["/"])[0]
            body = (
                '<!doctype html><html lang="en"><head><meta charset="utf-8">'
                "<title>Partner</title></head><body><h1>A partner organization</h1>"
                f'<iframe src="{live_server.url}{path}" width="640" height="640" '
                'title="Webcast" allow="fullscreen"></iframe></body></html>'
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:  # no access log in the test output
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, name="partner", daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_address[1]}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


@pytest.fixture
def partner_page(browser: Any, live_server: LiveServer, partner: str) -> Iterator[Any]:
    """A page of the partner site; the test's messages and outside requests are collected."""
    context = browser.new_context(viewport={"width": 900, "height": 900})
    outside: list[str] = []
    context.on("request", lambda r: None if r.url.startswith(
        (live_server.url + "/", partner + "/", "data:")) else outside.append(r.url))
    page = context.new_page()
    page.messages = []  # type: ignore[attr-defined]
    page.on("console", lambda msg: page.messages.append(msg.text))  # type: ignore[attr-defined]
    page.on("pageerror", lambda exc: page.messages.append(f"error: {exc}"))  # type: ignore
    page.set_default_timeout(10_000)
    yield page
    context.close()
    assert not outside, f"requests left the two origins: {outside}"


def test_embed_plays_inside_a_page_of_another_origin(partner_page, live_server, partner) -> None:
    page = partner_page
    page.goto(f"{partner}/?src=/embed/{VIDEO}?t=20")
    frame = page.frame_locator("iframe")
    frame.locator("video#player").wait_for()
    embedded = next(f for f in page.frames if f.url.startswith(f"{live_server.url}/embed/"))
    embedded.wait_for_function("() => document.getElementById('player').readyState >= 1")
    embedded.evaluate("document.getElementById('player').muted = true")
    # ?t= starts there, the transcript follows and playback runs.
    embedded.wait_for_function(
        "() => Math.abs(document.getElementById('player').currentTime - 20) < 1")
    embedded.evaluate("document.getElementById('player').play()")
    embedded.wait_for_function("() => document.getElementById('player').currentTime > 21")
    embedded.evaluate("document.getElementById('player').pause()")
    assert frame.locator("#transcript .cue[aria-current=true]").count() == 1
    # A chapter seeks and becomes the current one; captions are showing.
    chapter = frame.locator("nav[aria-label=Chapters] a").nth(2)
    start = float(chapter.get_attribute("data-start") or 0)
    chapter.click()
    embedded.wait_for_function(
        f"() => Math.abs(document.getElementById('player').currentTime - {start}) < 1")
    assert chapter.get_attribute("aria-current") == "true"
    assert embedded.evaluate("""[...document.getElementById('player').textTracks]
        .find(t => t.kind === 'captions').mode""") == "showing"
    assert embedded.url.startswith(f"{live_server.url}/embed/{VIDEO}")
    embedded.evaluate("console.log('heard from the frame')")  # the frame's console is heard
    page.wait_for_function("() => true")
    assert "heard from the frame" in page.messages  # type: ignore[attr-defined]
    problems = [m for m in page.messages  # type: ignore[attr-defined]
                if "Content Security Policy" in m or "Refused" in m or m.startswith("error")]
    assert not problems, problems


def test_other_pages_refuse_to_be_framed(partner_page, live_server, partner) -> None:
    page = partner_page
    page.goto(f"{partner}/?src=/webcasts/{VIDEO}")
    page.wait_for_function("() => document.querySelector('iframe') !== null")
    page.wait_for_timeout(300)
    framed = [f for f in page.frames if f is not page.main_frame]
    assert framed and not any(f.url.startswith(f"{live_server.url}/webcasts/") and
                              f.locator("#player").count() for f in framed)
    assert any("frame-ancestors" in m for m in page.messages)  # type: ignore[attr-defined]


def test_copy_link_at_this_moment(page, live_server) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"],
                                   origin=live_server.url)
    page.goto(f"{live_server.url}/webcasts/{VIDEO}", wait_until="domcontentloaded")
    page.wait_for_function("() => document.getElementById('player').readyState >= 1")
    page.evaluate("document.getElementById('player').currentTime = 42.7")
    page.wait_for_function(
        "() => Math.abs(document.getElementById('player').currentTime - 42.7) < 0.5")
    page.click("#copy-link")
    status = page.locator("#share-status")
    page.wait_for_function("() => document.getElementById('share-status').textContent !== ''")
    assert "00:42" in status.inner_text()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == f"{live_server.url}/webcasts/{VIDEO}?t=42"
    page.click("button[data-share=page]")
    page.wait_for_function("() => document.getElementById('share-status').textContent"
                           " === 'Link copied.'")
    assert page.evaluate("navigator.clipboard.readText()") == f"{live_server.url}/webcasts/{VIDEO}"
    # The plain links for browsers without JavaScript are hidden; email stays a link.
    assert page.locator(".share a.no-js-only").first.is_hidden()
    assert (page.locator(".share a[href^='mailto:']").get_attribute("href") or "").startswith(
        "mailto:?subject=")
