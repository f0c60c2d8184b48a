"""The Spanish interface in a real browser (Debian's chromium through Playwright): axe-core finds
no violations on the Spanish home, player, search and transcript pages; the player's script
speaks Spanish with the words the page gives it; the language link works without JavaScript."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.test_browser import open_player
from tests.web_fixtures import AXE, AXE_RUN, BROWSER_ITEMS

pytestmark = pytest.mark.browser

VIDEO, AUDIO = BROWSER_ITEMS
SPANISH_AXE_PAGES = ["/es/", f"/es/webcasts/{VIDEO}", f"/es/webcasts/{AUDIO}",
                     "/es/search?q=clinical+trial", f"/es/webcasts/{VIDEO}/transcript",
                     f"/es/webcasts/{VIDEO}?q=trial"]


def test_axe_finds_no_violations_on_the_spanish_pages(browser, live_server) -> None:
    """axe-core, WCAG 2.2 A and AA rules plus best practices, as on the English pages."""
    assert AXE.exists(), "run `npm install` (make test does) to get axe-core"
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    problems: dict[str, Any] = {}
    try:
        page = context.new_page()
        for path in SPANISH_AXE_PAGES:
            page.goto(live_server.url + path, wait_until="domcontentloaded")
            assert page.evaluate("document.documentElement.lang") == "es", path
            page.add_script_tag(path=str(AXE))
            violations = page.evaluate(AXE_RUN)
            if violations:
                problems[path] = violations
        # The English home page with the offer of Spanish (a browser asking for Spanish first).
        offered = browser.new_context(bypass_csp=True, locale="es-MX",
                                      extra_http_headers={"Accept-Language": "es-MX,es"})
        try:
            home = offered.new_page()
            home.goto(live_server.url + "/", wait_until="domcontentloaded")
            offer = home.locator(".language-offer a").inner_text()
            assert offer == "Ver esta biblioteca en español"
            home.add_script_tag(path=str(AXE))
            if violations := home.evaluate(AXE_RUN):
                problems["/ (offer)"] = violations
        finally:
            offered.close()
    finally:
        context.close()
    assert not problems, json.dumps(problems, indent=1)


def test_the_player_script_speaks_spanish_on_a_spanish_page(page, live_server) -> None:
    open_player(page, live_server.url, f"/es/webcasts/{VIDEO}")
    page.select_option("#speed", "1.5")
    assert page.locator("#status").inner_text() == "Velocidad 1.5×."
    page.fill("#find-input", "trial")
    page.wait_for_function(
        r"() => /^1 de \d+$/.test(document.getElementById('find-count').textContent)")
    page.fill("#find-input", "zzzz-nada")
    page.wait_for_function(
        "() => document.getElementById('find-count').textContent === 'No se encontró “zzzz-nada”.'")
    page.fill("#find-input", "z")
    page.wait_for_function(
        "() => document.getElementById('find-count').textContent === 'Escriba al menos 2 letras.'")
    page.locator("#captions-toggle").click()
    assert page.locator("#status").inner_text() == "Subtítulos desactivados."


def test_continue_watching_on_the_spanish_home_links_to_spanish_players(page, live_server) -> None:
    page.goto(live_server.url + "/es/")
    saved = {VIDEO: {"t": 30, "d": 120, "title": "A talk", "url": f"/webcasts/{VIDEO}", "at": 1}}
    page.evaluate(f"localStorage.setItem('medialib:positions', {json.dumps(json.dumps(saved))})")
    page.goto(live_server.url + "/es/")
    link = page.locator("#continue a").first
    link.wait_for()
    assert link.get_attribute("href") == f"/es/webcasts/{VIDEO}?t=30"
    assert page.locator("#continue .meta").first.inner_text() == "Lo dejó en 00:30 de 02:00"
    assert page.locator("#continue button").first.inner_text() == "Quitar de esta lista"


def test_the_language_link_works_without_javascript(browser, live_server) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/webcasts/{VIDEO}?t=12")
        page.click(".language-links a")
        assert page.url == f"{live_server.url}/es/webcasts/{VIDEO}?t=12"
        assert page.get_attribute("html", "lang") == "es"
        page.click(".language-links a")
        assert page.url == f"{live_server.url}/webcasts/{VIDEO}?t=12"
    finally:
        context.close()
