"""The player in a real browser: Debian's chromium driven by Playwright over rendered media.

The served library holds two items rendered by `medialib.demo` (the two-speaker webchat video and
the audio podcast, cut to their first minutes). Every page must make requests to the app's own
origin only, raise no JavaScript error and break no Content-Security-Policy rule (checked by the
`page` fixture).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.web_fixtures import BROWSER_ITEMS, CHROMIUM_ARGS, axe_problems  # noqa: F401

pytestmark = pytest.mark.browser

VIDEO, AUDIO = BROWSER_ITEMS


def open_player(page: Any, base: str, path: str) -> None:
    """Load a player page and wait for the media's metadata; mute it for the tests."""
    page.goto(base + path, wait_until="domcontentloaded")  # "load" waits for the first frame
    page.wait_for_function("() => document.getElementById('player').readyState >= 1")
    page.evaluate("document.getElementById('player').muted = true")


def current_time(page: Any) -> float:
    return float(page.evaluate("document.getElementById('player').currentTime"))


def wait_time_near(page: Any, seconds: float, tolerance: float = 1.0) -> None:
    page.wait_for_function(
        f"() => Math.abs(document.getElementById('player').currentTime - {seconds}) < {tolerance}"
    )


CURRENT_CUE_CONTAINS_TIME = """() => {
  const media = document.getElementById('player');
  const current = [...document.querySelectorAll('#transcript .cue[aria-current="true"]')];
  if (current.length !== 1) return 'cues marked: ' + current.length;
  const all = [...document.querySelectorAll('#transcript .cue')];
  const i = all.indexOf(current[0]);
  const t = media.currentTime;
  const start = parseFloat(current[0].dataset.start);
  const next = i + 1 < all.length ? parseFloat(all[i + 1].dataset.start) : Infinity;
  if (!(start <= t + 0.05 && t < next)) return `t=${t} outside [${start}, ${next})`;
  const visible = getComputedStyle(current[0]).fontWeight;
  if (parseInt(visible, 10) < 600) return 'current cue is not bold: ' + visible;
  if (!current[0].textContent.includes('now playing')) return 'no "now playing" text';
  return 'ok';
}"""


@pytest.mark.parametrize("slug", [VIDEO, AUDIO])
def test_plays_and_the_transcript_follows(page, live_server, slug: str) -> None:
    open_player(page, live_server.url, f"/webcasts/{slug}")
    tag = page.evaluate("document.getElementById('player').tagName")
    assert tag == ("AUDIO" if slug == AUDIO else "VIDEO")
    page.wait_for_function("""() => {
        const tracks = [...document.getElementById('player').textTracks];
        const chapters = tracks.find(t => t.kind === 'chapters');
        return chapters && chapters.cues && chapters.cues.length > 0;
    }""")
    chapter_cues = page.evaluate("""() => [...document.getElementById('player').textTracks]
        .find(t => t.kind === 'chapters').cues.length""")
    assert chapter_cues == page.locator("nav[aria-label=Chapters] a").count()

    page.evaluate("document.getElementById('player').play()")
    page.wait_for_function("() => document.getElementById('player').currentTime > 1.0")
    page.evaluate("document.getElementById('player').pause()")
    page.wait_for_function(f"() => ({CURRENT_CUE_CONTAINS_TIME})() === 'ok'")
    assert page.evaluate(CURRENT_CUE_CONTAINS_TIME) == "ok"
    first_chapter = page.locator("nav[aria-label=Chapters] a").first
    assert first_chapter.get_attribute("aria-current") == "true"

    # A transcript line seeks there and becomes the current line.
    cue = page.locator("#transcript .cue").nth(6)
    start = float(cue.get_attribute("data-start") or 0)
    cue.click()
    wait_time_near(page, start)
    page.evaluate("document.getElementById('player').pause()")
    page.wait_for_function(f"() => ({CURRENT_CUE_CONTAINS_TIME})() === 'ok'")
    assert page.evaluate(CURRENT_CUE_CONTAINS_TIME) == "ok"

    # Scrolling the transcript by hand pauses auto-scroll; one button brings it back.
    follow = page.locator("#follow")
    assert follow.is_hidden()
    page.locator("#transcript-body").hover()
    page.mouse.wheel(0, 400)
    follow.wait_for(state="visible")
    follow.click()
    assert follow.is_hidden()


def test_chapter_click_seeks_and_marks_the_chapter(page, live_server) -> None:
    open_player(page, live_server.url, f"/webcasts/{VIDEO}")
    chapter = page.locator("nav[aria-label=Chapters] a").nth(2)
    start = float(chapter.get_attribute("data-start") or 0)
    chapter.click()
    wait_time_near(page, start)
    page.wait_for_function(
        "() => document.querySelectorAll('nav[aria-label=Chapters] a')[2]"
        ".getAttribute('aria-current') === 'true'"
    )
    assert page.locator("nav[aria-label=Chapters] a[aria-current=true]").count() == 1
    heading = page.locator("#transcript h3.chapter-heading").nth(2)
    assert heading.inner_text().startswith(chapter.locator(".chapter-title").inner_text())


@pytest.mark.parametrize(("suffix", "seconds"), [("?t=75", 75), ("#t=1m30s", 90)])
def test_start_time_in_the_address(page, live_server, suffix: str, seconds: float) -> None:
    open_player(page, live_server.url, f"/webcasts/{VIDEO}{suffix}")
    wait_time_near(page, seconds)
    page.wait_for_function(
        "() => document.querySelector('#transcript .cue[aria-current=true]') !== null")
    current = page.locator("#transcript .cue[aria-current=true]")
    assert float(current.get_attribute("data-start") or 0) <= seconds + 0.05


def test_resume_offer_after_reload(page, live_server) -> None:
    open_player(page, live_server.url, f"/webcasts/{VIDEO}")
    assert page.locator("#resume").is_hidden()
    cue = page.locator("#transcript .cue").nth(8)
    start = float(cue.get_attribute("data-start") or 0)
    assert start > 20
    cue.click()
    wait_time_near(page, start)
    page.evaluate("document.getElementById('player').pause()")
    page.wait_for_function(
        "() => JSON.parse(localStorage.getItem('medialib:positions') || '{}')"
        f"['{VIDEO}'] !== undefined"
    )
    saved = json.loads(page.evaluate("localStorage.getItem('medialib:positions')"))[VIDEO]
    assert saved["url"] == f"/webcasts/{VIDEO}" and abs(saved["t"] - start) < 2

    open_player(page, live_server.url, f"/webcasts/{VIDEO}")
    offer = page.locator("#resume-yes")
    offer.wait_for(state="visible")
    minutes, seconds = divmod(int(saved["t"]), 60)
    assert f"Resume from {minutes:02d}:{seconds:02d}" in " ".join(offer.inner_text().split())
    offer.click()
    wait_time_near(page, saved["t"], 1.5)
    assert page.locator("#resume").is_hidden()

    # The home page offers to continue, from the same browser data.
    page.goto(live_server.url + "/")
    row = page.locator("#continue")
    row.wait_for(state="visible")
    assert row.locator(f'a[href^="/webcasts/{VIDEO}?t="]').count() == 1


def test_speed_change_applies_and_is_remembered(page, live_server) -> None:
    open_player(page, live_server.url, f"/webcasts/{VIDEO}")
    page.select_option("#speed", "1.5")
    assert page.evaluate("document.getElementById('player').playbackRate") == 1.5
    assert "1.5" in page.locator("#status").inner_text()
    open_player(page, live_server.url, f"/webcasts/{AUDIO}")
    assert page.evaluate("document.getElementById('player').playbackRate") == 1.5
    assert page.locator("#speed").input_value() == "1.5"


def test_captions_and_larger_text_toggles(page, live_server) -> None:
    open_player(page, live_server.url, f"/webcasts/{VIDEO}")
    button = page.locator("#captions-toggle")
    mode = "[...document.getElementById('player').textTracks].find(t => t.kind === 'captions').mode"
    assert page.evaluate(mode) == "showing" and button.get_attribute("aria-pressed") == "true"
    button.click()
    assert page.evaluate(mode) == "hidden" and button.get_attribute("aria-pressed") == "false"
    page.keyboard.press("c")  # the shortcut, with focus on a button (not a text field)
    assert page.evaluate(mode) == "showing"
    size = "parseFloat(getComputedStyle(document.documentElement).fontSize)"
    before = page.evaluate(size)
    page.locator(".controls .text-size-toggle").click()
    assert page.evaluate(size) > before * 1.15
    page.goto(live_server.url + "/")
    assert page.evaluate(size) > before * 1.15  # remembered on every page


def test_transcript_search_steps_through_matches(page, live_server) -> None:
    open_player(page, live_server.url, f"/webcasts/{VIDEO}")
    page.fill("#find-input", "trial")
    count = page.locator("#find-count")
    page.wait_for_function(
        r"() => /^1 of \d+$/.test(document.getElementById('find-count').textContent)")
    total = int(count.inner_text().split(" of ")[1])
    assert total == page.locator("#transcript mark").count() > 3
    page.keyboard.press("Enter")
    assert count.inner_text() == f"2 of {total}"
    page.click("#find-next")
    assert count.inner_text() == f"3 of {total}"
    page.click("#find-prev")
    page.click("#find-prev")
    page.click("#find-prev")
    assert count.inner_text() == f"{total} of {total}"  # wraps around
    assert page.locator("#transcript mark.current").count() == 1
    assert page.get_attribute("#find-count", "aria-live") == "polite"
    # Stepping through matches stops the transcript following playback, until asked again.
    follow = page.locator("#follow")
    assert follow.is_visible()
    follow.click()
    assert follow.is_hidden()
    page.fill("#find-input", "zzzz-nothing")
    page.wait_for_function(
        "() => document.getElementById('find-count').textContent.startsWith('No')")
    assert page.locator("#transcript mark").count() == 0


def test_search_this_talk_lists_its_moments_in_place_and_they_seek(page, live_server) -> None:
    open_player(page, live_server.url, f"/webcasts/{VIDEO}")
    page.evaluate("window.notReloaded = true")
    page.fill("#talk-q", "trials")  # a form of the word said
    page.press("#talk-q", "Enter")
    page.wait_for_selector("#talk-results a.moment")
    assert page.evaluate("window.notReloaded") is True  # the results came in place
    assert page.url.endswith("?q=trials#moments")  # and the address can be shared or reloaded
    assert "moments mention “trials”" in page.locator("#status").inner_text()
    moments = page.locator("#talk-results a.moment")
    starts = [float(moments.nth(i).get_attribute("data-start") or 0)
              for i in range(moments.count())]
    assert len(starts) >= 2 and starts == sorted(starts)
    assert page.locator("#talk-results mark").count() >= len(starts)
    moments.nth(1).click()
    wait_time_near(page, starts[1])
    assert page.evaluate("window.notReloaded") is True
    assert not page.evaluate("document.getElementById('player').paused")


def test_keyboard_shortcuts_never_steal_typing(page, live_server) -> None:
    open_player(page, live_server.url, f"/webcasts/{VIDEO}")
    page.locator("h1").click()  # focus on the page, not a control
    page.keyboard.press("l")
    wait_time_near(page, 10, 0.5)
    page.keyboard.press("k")
    page.wait_for_function("() => !document.getElementById('player').paused")
    page.keyboard.press("k")
    page.wait_for_function("() => document.getElementById('player').paused")
    before = current_time(page)
    page.click("#find-input")
    page.keyboard.type("kljc ")
    assert page.input_value("#find-input") == "kljc "
    assert page.evaluate("document.getElementById('player').paused")
    assert abs(current_time(page) - before) < 0.5
    assert page.locator("#shortcuts").is_visible()

    # Enter on a transcript line (a real link) plays from there.
    cue = page.locator("#transcript .cue").nth(4)
    cue.focus()
    page.keyboard.press("Enter")
    wait_time_near(page, float(cue.get_attribute("data-start") or 0))
    assert cue.get_attribute("aria-current") == "true"


FOCUS_RING = """() => {
  const el = document.activeElement;
  const s = getComputedStyle(el);
  return {
    tag: el.tagName, id: el.id, text: (el.innerText || el.value || '').trim().slice(0, 40),
    outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
  };
}"""


def test_tab_order_reaches_the_controls_with_a_visible_focus_ring(page, live_server) -> None:
    open_player(page, live_server.url, f"/webcasts/{VIDEO}")
    seen = []
    for _ in range(40):
        page.keyboard.press("Tab")
        seen.append(page.evaluate(FOCUS_RING))
    labels = [f"{s['tag']}#{s['id']}:{s['text']}" for s in seen]
    order = ["Skip to main content", "#site-search", "VIDEO#player", "Back 10 s",
             "Forward 10 s", "SELECT#speed", "#captions-toggle", "Larger text",
             "Copy link to this moment", "Introduction", "#talk-q", "#find-input", "#find-prev",
             "#find-next", "#autoscroll"]
    positions = []
    for wanted in order:
        found = [i for i, label in enumerate(labels) if wanted in label]
        assert found, f"Tab never reached {wanted}: {labels}"
        positions.append(found[0])
    assert positions == sorted(positions), labels
    for item in seen:
        if item["tag"] != "VIDEO":  # the native player draws its own focus
            assert item["outline"], f"no visible focus ring on {item}"


@pytest.mark.parametrize("path", ["/", f"/webcasts/{VIDEO}"])
def test_phone_layout(browser, live_server, path: str) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 812}, has_touch=True)
    try:
        page = context.new_page()
        page.goto(live_server.url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        small = page.evaluate("""() => [...document.querySelectorAll(
            'button, select, input, .chip, .chapters a, .button, .crumbs a')]
            .filter(el => el.offsetParent !== null)
            .map(el => el.type === 'checkbox' ? el.closest('label') || el : el)
            .map(el => [el.id || el.className || el.tagName, el.getBoundingClientRect().height])
            .filter(([, h]) => h < 44)""")
        assert not small, f"touch targets under 44 px: {small}"
        if path != "/":
            order = page.evaluate("""() => ['.player-area', '.chapters', '.talk-search',
                '#transcript']
                .map(s => document.querySelector(s).getBoundingClientRect().top)""")
            assert order == sorted(order)
    finally:
        context.close()


AXE_PAGES = ["/", f"/webcasts/{VIDEO}", f"/webcasts/{AUDIO}", "/search?q=clinical+trial",
             f"/webcasts/{VIDEO}/transcript", f"/webcasts/{VIDEO}?q=trial"]


def test_axe_finds_no_violations(browser, live_server) -> None:
    """axe-core, WCAG 2.2 A and AA rules plus best practices, on each kind of page."""
    problems = axe_problems(browser, live_server.url, AXE_PAGES)
    assert not problems, json.dumps(problems, indent=1)


def test_without_javascript_the_native_player_starts_at_t(browser, live_server) -> None:
    """No script: the server's media fragment (#t=) starts playback there; links still work."""
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/webcasts/{VIDEO}?t=40", wait_until="domcontentloaded")
        page.wait_for_timeout(300)
        assert page.locator("#controls").is_hidden() and page.locator("#shortcuts").is_hidden()
        assert page.locator("video#player").is_visible()
        chapter = page.locator("nav[aria-label=Chapters] a").nth(1)
        href = chapter.get_attribute("href")
        chapter.click()
        page.wait_for_url(f"**/webcasts/{VIDEO}{href}")
        assert "#t=" in (page.locator("video source").get_attribute("src") or "")
    finally:
        context.close()
