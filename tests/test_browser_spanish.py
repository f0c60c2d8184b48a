"""The Spanish transcript in Debian's chromium: it follows playback, its captions show by
default, and the link to the English transcript keeps the moment playing.

The served library is tests/spanish_library.py with a 20-second video rendered by ffmpeg.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.media_fixtures import AAC, H264, ffmpeg
from tests.spanish_library import (
    BILINGUAL,
    ENGLISH,
    ENGLISH_LINES,
    SECONDS,
    SPANISH,
    SPANISH_LINES,
    write_spanish_library,
)
from tests.test_browser import CURRENT_CUE_CONTAINS_TIME, open_player
from tests.web_fixtures import LiveServer, axe_problems, checked_page, served_library

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def spanish_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The two-language library, with a real video, on 127.0.0.1."""
    folder = tmp_path_factory.mktemp("spanish-served")
    video = folder / "video.mp4"
    ffmpeg("-f", "lavfi", "-i", f"testsrc=s=160x120:r=10:d={SECONDS}",
           "-f", "lavfi", "-i", f"sine=f=440:r=44100:d={SECONDS}",
           *H264, *AAC, "-movflags", "+faststart", video)
    with served_library(write_spanish_library(folder / "library", media=video)) as live:
        yield live


@pytest.fixture
def spanish_page(browser: Any, spanish_server: LiveServer) -> Iterator[Any]:
    with checked_page(browser, spanish_server.url) as page:
        yield page


def showing_captions(page: Any) -> list[str]:
    return page.evaluate("""() => [...document.getElementById('player').textTracks]
        .filter(t => t.kind === 'captions' && t.mode === 'showing').map(t => t.language)""")


def test_the_spanish_transcript_follows_playback(spanish_page, spanish_server: LiveServer) -> None:
    page = spanish_page
    open_player(page, spanish_server.url, f"/webcasts/{BILINGUAL}?lang=es")
    assert page.locator("#transcript-body").get_attribute("lang") == "es"
    assert page.locator("#transcript .cue").count() == len(SPANISH_LINES)
    page.wait_for_function("() => [...document.getElementById('player').textTracks]"
                           ".some(t => t.mode === 'showing')")
    assert showing_captions(page) == ["es"]

    page.evaluate("document.getElementById('player').play()")
    page.wait_for_function("() => document.getElementById('player').currentTime > 4.5")
    page.evaluate("document.getElementById('player').pause()")
    page.wait_for_function(f"() => ({CURRENT_CUE_CONTAINS_TIME})() === 'ok'")
    current = page.locator('#transcript .cue[aria-current="true"]')
    assert current.get_attribute("lang") == "es"
    line = int(page.evaluate("document.getElementById('player').currentTime") // 2)
    assert SPANISH_LINES[line] in current.inner_text()
    # The chapter playing is marked in the chapter list (in the page's language); the
    # transcript's own headings are in Spanish.
    chapter = page.locator('nav[aria-label=Chapters] a[aria-current="true"]')
    assert chapter.inner_text().endswith("What radiation does")
    assert page.locator("#transcript .chapter-heading").first.inner_text().startswith(
        "Lo que hace la radiación")

    # A transcript line seeks there, in Spanish.
    page.locator("#transcript .cue").nth(7).click()
    page.wait_for_function("() => Math.abs(document.getElementById('player').currentTime - 14)"
                           " < 1")
    page.evaluate("document.getElementById('player').pause()")
    page.wait_for_function(f"() => ({CURRENT_CUE_CONTAINS_TIME})() === 'ok'")
    assert SPANISH_LINES[7] in page.locator('#transcript .cue[aria-current="true"]').inner_text()


def test_the_english_link_keeps_the_moment(spanish_page, spanish_server: LiveServer) -> None:
    page = spanish_page
    open_player(page, spanish_server.url, f"/webcasts/{BILINGUAL}?lang=es&t=12")
    page.wait_for_function("() => document.getElementById('player').currentTime > 11")
    page.locator('.transcript-langs a[hreflang="en"]').click()
    page.wait_for_url(f"**/webcasts/{BILINGUAL}?t=12#transcript")
    page.wait_for_function("() => document.getElementById('player').readyState >= 1")
    assert page.locator("#transcript-body").get_attribute("lang") == "en"
    page.wait_for_function(f"() => ({CURRENT_CUE_CONTAINS_TIME})() === 'ok'")
    assert ENGLISH_LINES[6] in page.locator('#transcript .cue[aria-current="true"]').inner_text()


def test_spanish_search_in_the_talk_keeps_the_language(spanish_page,
                                                       spanish_server: LiveServer) -> None:
    page = spanish_page
    open_player(page, spanish_server.url, f"/webcasts/{BILINGUAL}?lang=es")
    page.fill("#talk-q", "medicamentos")
    page.press("#talk-q", "Enter")
    page.wait_for_function("() => location.search.includes('q=medicamentos')")
    assert "lang=es" in page.url
    assert page.locator("#transcript-body").get_attribute("lang") == "es"



# Pages where text in one language sits in a page of another, each part marked with lang.
MIXED_PAGES = [f"/webcasts/{BILINGUAL}?lang=es", f"/es/webcasts/{BILINGUAL}?lang=en",
               f"/es/webcasts/{ENGLISH}", f"/es/webcasts/{BILINGUAL}/transcript?lang=en", "/es/",
               f"/webcasts/{SPANISH}", "/es/series/basics", f"/embed/{BILINGUAL}?lang=es"]


def test_axe_finds_no_violations_where_languages_mix(browser, spanish_server: LiveServer) -> None:
    """axe-core (WCAG 2.2 A and AA, best practices) on the pages that mix languages."""
    problems = axe_problems(browser, spanish_server.url, MIXED_PAGES)
    assert not problems, json.dumps(problems, indent=1)
