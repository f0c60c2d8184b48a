"""HLS and listen only in Debian's chromium: the master playlist plays, listen only carries on
from the same moment with the transcript following, and axe finds nothing on such a page.

The library is one ingested 640x360 talk with its renditions (tests/hls_support.py), served by
the app on 127.0.0.1.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.hls_support import SLUG, make_hls_library
from tests.web_fixtures import AXE, served_library

pytestmark = pytest.mark.browser
HLS = "application/vnd.apple.mpegurl"


@pytest.fixture(scope="module")
def hls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served_library(make_hls_library(tmp_path_factory.mktemp("hls-br") / "library")) as live:
        yield live.url


@pytest.fixture
def hls_page(browser: Any, hls_server: str) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_default_timeout(15_000)
    yield page
    context.close()
    assert not errors, f"JavaScript errors: {errors}"


def hls_supported(page: Any) -> None:
    answer = page.evaluate(f"document.createElement('video').canPlayType('{HLS}')")
    assert answer in ("maybe", "probably"), f"this chromium cannot play HLS natively ({answer!r})"


def play_until(page: Any, seconds: float) -> None:
    page.evaluate("() => { const m = document.getElementById('player'); m.muted = true; "
                  "return m.play(); }")
    page.wait_for_function(f"() => document.getElementById('player').currentTime > {seconds}")


def test_the_master_playlist_plays(hls_page: Any, hls_server: str) -> None:
    hls_page.goto(f"{hls_server}/webcasts/{SLUG}", wait_until="domcontentloaded")
    hls_supported(hls_page)
    hls_page.wait_for_function("() => document.getElementById('player').readyState >= 1")
    src = hls_page.evaluate("document.getElementById('player').currentSrc")
    assert "/hls/master.m3u8?v=" in src
    play_until(hls_page, 1.5)
    frames = hls_page.evaluate("document.getElementById('player').getVideoPlaybackQuality()"
                               ".totalVideoFrames")
    assert frames > 0


def test_listen_only_carries_on_from_the_same_moment_with_the_transcript(
        hls_page: Any, hls_server: str) -> None:
    hls_page.goto(f"{hls_server}/webcasts/{SLUG}?t=8", wait_until="domcontentloaded")
    hls_supported(hls_page)
    hls_page.select_option("#speed", "1.5")
    play_until(hls_page, 9)
    hls_page.click("#listen-only")
    hls_page.wait_for_function("() => document.getElementById('player').currentSrc"
                               ".includes('/hls/audio/index.m3u8')")
    hls_page.wait_for_function("() => !document.getElementById('player').paused && "
                               "document.getElementById('player').currentTime > 10")
    state = hls_page.evaluate("""() => { const m = document.getElementById('player');
        return {t: m.currentTime, rate: m.playbackRate, w: m.videoWidth,
                listen: localStorage.getItem('medialib:listen'),
                watchShown: !document.getElementById('watch-video').hidden}; }""")
    assert 9 < state["t"] < 20, state  # the same moment, not the start
    assert state["rate"] == 1.5 and state["w"] == 0 and state["listen"] == "1"
    assert state["watchShown"]
    hls_page.wait_for_function("""() => {
        const t = document.getElementById('player').currentTime;
        const cue = document.querySelector('#transcript .cue[aria-current="true"]');
        return cue && Math.abs(parseFloat(cue.dataset.start) - t) < 2.5; }""")
    # Remembered in this browser: the next page load listens from the start.
    hls_page.reload(wait_until="domcontentloaded")
    hls_page.wait_for_function("() => document.getElementById('player').currentSrc"
                               ".includes('/hls/audio/index.m3u8')")
    hls_page.click("#watch-video")
    hls_page.wait_for_function("() => document.getElementById('player').currentSrc"
                               ".includes('/hls/master.m3u8')")


def test_without_javascript_both_sources_and_the_listen_link(browser: Any,
                                                             hls_server: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{hls_server}/webcasts/{SLUG}", wait_until="domcontentloaded")
        types = page.eval_on_selector_all("video source", "els => els.map(e => e.type)")
        assert types == [HLS, "video/mp4"]
        page.click("#listen-only")
        page.wait_for_url(f"**/webcasts/{SLUG}?listen=1")
        types = page.eval_on_selector_all("audio source", "els => els.map(e => e.type)")
        assert types == [HLS, "audio/mp4"]
    finally:
        context.close()


def test_axe_finds_no_violations_with_renditions(browser: Any, hls_server: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    problems = {}
    try:
        page = context.new_page()
        for path in (f"/webcasts/{SLUG}", f"/webcasts/{SLUG}?listen=1"):
            page.goto(hls_server + path, wait_until="domcontentloaded")
            page.add_script_tag(path=str(Path(AXE)))
            violations = page.evaluate("""async () => (await axe.run(document, {
                resultTypes: ['violations'],
                runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                                 'wcag22aa', 'best-practice']},
            })).violations.map(v => ({id: v.id, nodes: v.nodes.slice(0, 3).map(
                n => n.target.join(' '))}))""")
            if violations:
                problems[path] = violations
    finally:
        context.close()
    assert not problems, json.dumps(problems, indent=1)
