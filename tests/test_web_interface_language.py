"""The interface in Spanish through the test client: /es/ pages, <html lang>, hreflang in the
head and the sitemap, the plain language link, the Accept-Language offer, the per-language page
cache, and the words site.js reads from the page."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from medialib.web.locale import SCRIPT_MESSAGES

TALK = "healthcare-proxy-advanced-cancer"
BASE = "http://localhost"
XHTML = "{http://www.w3.org/1999/xhtml}"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
SITE_JS = Path(__file__).resolve().parent.parent / "medialib" / "web" / "static" / "site.js"

# Each Spanish page, with words of the interface it must show in Spanish.
SPANISH_PAGES = {
    "/es/": ["Todas las charlas, las más nuevas primero", "Saltar al contenido principal",
             "Busque cualquier palabra que se dijo", "Ver por tema"],
    f"/es/webcasts/{TALK}": ["Transcripción", "Compartir esta charla", "Capítulos",
                             "Buscar en esta charla", "Grabado el 18 de octubre de 2023"],
    f"/es/webcasts/{TALK}/transcript": ["Transcripción", "Descargar como texto", "Capítulos"],
    # The Spanish page searches the Spanish captions: the English word is corrected into the
    # Spanish one the sample's Spanish captions say.
    "/es/search?q=radiation": ["Resultados de la búsqueda", "Filtrar los resultados",
                               "Ninguna charla menciona “radiation”. Le mostramos los "
                               "resultados de"],
    "/es/search": ["Buscar en las charlas", "Cualquier tema"],
    "/es/topics/clinical-trials": ["Tema", "Canal de pódcast de estas charlas", "2 charlas"],
    "/es/speakers/eric-winer": ["Presentador", "charla"],
    "/es/series/breast-cancer-brain": ["Véalas en orden", "2 partes"],
    f"/es/embed/{TALK}": ["Transcripción", "Capítulos"],
}
ENGLISH_WORDS = ["Skip to main content", "Search every word", "Browse by topic", "Share this",
                 "Keyboard shortcuts", "Previous page", "Next page", "Larger text"]


def page(client, url: str, **headers: str) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


@pytest.mark.parametrize("url", sorted(SPANISH_PAGES))
def test_spanish_pages_say_lang_es_and_show_the_interface_in_spanish(client, url) -> None:
    html = page(client, url)
    assert '<html lang="es">' in html
    for words in SPANISH_PAGES[url]:
        assert words in html, (url, words)
    visible = re.sub(r"<script.*?</script>", "", html, flags=re.S)
    assert not [w for w in ENGLISH_WORDS if w in visible], url


def test_english_pages_are_as_before_at_the_same_addresses(client) -> None:
    html = page(client, f"/webcasts/{TALK}")
    assert '<html lang="en">' in html and "Share this talk" in html
    assert 'id="ui-text"' not in html  # English pages carry no words for the script


def test_links_on_a_spanish_page_stay_in_spanish_but_media_and_static_do_not(client) -> None:
    html = page(client, f"/es/webcasts/{TALK}")
    links = re.findall(r'href="([^"]+)"', html)
    inside = [h for h in links if h.startswith("/") and not h.startswith(("/static/", "/media/"))]
    english = [h for h in inside if not h.startswith("/es/")]
    assert english == ["/webcasts/" + TALK]  # the language link, and nothing else
    assert f"/es/webcasts/{TALK}/transcript" in inside and "/es/search" in inside
    assert any(h.startswith("/static/site.css") for h in links)
    sources = re.findall(r'src="(/[^"]+)"', html)
    assert sources and not [s for s in sources if s.startswith("/es/")]
    assert client.get(f"/es/media/{TALK}/poster.jpg").status_code == 404


def test_spanish_errors_are_spanish_pages_with_a_link_home(client) -> None:
    for url in ("/es/no-such-page", "/es/webcasts/no-such-talk", "/es/topics/no-such"):
        response = client.get(url)
        html = response.get_data(as_text=True)
        assert response.status_code == 404 and '<html lang="es">' in html, url
        assert "No encontramos" in html and "Ir al inicio de la biblioteca" in html
        assert '<a href="/" hreflang="en" lang="en">English</a>' in html
        assert 'hreflang="x-default"' not in html  # an error page has no alternates
    assert "Page not found" in client.get("/no-such-page").get_data(as_text=True)


def test_the_head_names_the_page_in_each_language(client) -> None:
    for path in ("/", f"/webcasts/{TALK}", "/topics/clinical-trials", "/search"):
        spanish = "/es" + path
        for url in (path, spanish):
            found = re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">',
                               page(client, url))
            assert found == [("en", BASE + path), ("es", BASE + spanish),
                             ("x-default", BASE + path)], url


def test_every_page_has_a_plain_link_to_itself_in_the_other_language(client) -> None:
    cases = {
        "/": "/es/",
        "/es/": "/",
        f"/webcasts/{TALK}?t=30": f"/es/webcasts/{TALK}?t=30",
        "/es/search?q=radiation&topic=radiation-therapy":
            "/search?q=radiation&amp;topic=radiation-therapy",
        "/search?q=radiation&page=2": "/es/search?q=radiation&amp;page=2",
        "/es/series/breast-cancer-brain": "/series/breast-cancer-brain",
        f"/embed/{TALK}?t=5": f"/es/embed/{TALK}?t=5",
    }
    for url, other in cases.items():
        html = client.get(url).get_data(as_text=True)
        links = re.search(r'<p class="language-links">(.*?)</p>', html, re.S)
        assert links, url
        assert f'href="{other}"' in links.group(1), (url, links.group(1))
        lang = "es" if other.startswith("/es/") else "en"
        assert f'hreflang="{lang}" lang="{lang}"' in links.group(1)
        target = client.get(other.replace("&amp;", "&"))
        assert target.status_code == 200 and f'<html lang="{lang}">' in target.get_data(True)


def test_a_query_key_naming_the_url_value_cannot_break_the_link(client) -> None:
    html = page(client, "/search?q=x&ui_lang=es&_external=1&endpoint=y")
    assert '<html lang="en">' in html
    assert re.search(r'href="/es/search\?[^"]*q=x', html)


def test_a_browser_asking_for_spanish_first_is_offered_spanish_never_sent(client) -> None:
    offer = "Ver esta biblioteca en español"
    for header in ("es-MX,es;q=0.9,en;q=0.8", "es", "fr-CA,fr;q=0.9,es;q=0.8,en;q=0.5"):
        response = client.get("/", headers={"Accept-Language": header})
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and offer in html, header
        assert '<p class="wrap language-offer" lang="es"><a href="/es/" hreflang="es">' in html
        assert "Accept-Language" in response.headers.get("Vary", "")
    for header in ("en-US,en;q=0.9,es;q=0.8", "", "de", "es;q=0", "es;q=nan,en"):
        response = client.get("/", headers={"Accept-Language": header})
        assert offer not in response.get_data(as_text=True), header
        assert "Accept-Language" in response.headers.get("Vary", "")
    for url in ("/es/", f"/webcasts/{TALK}", "/search"):
        response = client.get(url, headers={"Accept-Language": "es"})
        assert offer not in response.get_data(as_text=True), url
        assert "Accept-Language" not in response.headers.get("Vary", ""), url


def test_the_page_cache_keeps_each_language_apart(app) -> None:
    client = app.test_client()
    cache = app.wsgi_app
    english, spanish = client.get("/"), client.get("/es/")
    offered = client.get("/", headers={"Accept-Language": "es-MX,es"})
    assert '<html lang="en">' in english.get_data(True)
    assert '<html lang="es">' in spanish.get_data(True)
    assert "Ver esta biblioteca" in offered.get_data(True)
    assert "Ver esta biblioteca" not in english.get_data(True)
    before = cache.stats()
    again = {
        "en": client.get("/"), "es": client.get("/es/"),
        "offered": client.get("/", headers={"Accept-Language": "es;q=1, en;q=0.5"}),
        "en-asked": client.get("/", headers={"Accept-Language": "en-GB"}),
    }
    after = cache.stats()
    assert after["hits"] == before["hits"] + 4 and after["misses"] == before["misses"]
    assert again["en"].data == english.data and again["es"].data == spanish.data
    assert again["offered"].data == offered.data and again["en-asked"].data == english.data
    assert len({english.headers["ETag"], spanish.headers["ETag"], offered.headers["ETag"]}) == 3


def test_the_sitemap_names_every_page_in_each_language(client) -> None:
    index = ET.fromstring(client.get("/sitemap.xml").data)
    assert [s.findtext(f"{SM}loc") for s in index.iter(f"{SM}sitemap")] == [
        f"{BASE}/sitemap-1.xml"]
    root = ET.fromstring(client.get("/sitemap-1.xml").data)
    urls = list(root.iter(f"{SM}url"))
    assert urls
    locs = [url.findtext(f"{SM}loc") or "" for url in urls]
    english = [loc for loc in locs if not loc.startswith(f"{BASE}/es/")]
    # Each page has an entry of its own in each language, and each entry names them all.
    assert sorted(locs) == sorted(english + [f"{BASE}/es{loc[len(BASE):]}" for loc in english])
    for url, loc in zip(urls, locs, strict=True):
        path = loc[len(BASE):].removeprefix("/es")
        links = [(x.get("rel"), x.get("hreflang"), x.get("href")) for x in url.iter(f"{XHTML}link")]
        assert links == [("alternate", "en", f"{BASE}{path}"),
                         ("alternate", "es", f"{BASE}/es{path}"),
                         ("alternate", "x-default", f"{BASE}{path}")], loc
        children = [child.tag for child in url]
        assert children[0] == f"{SM}loc"  # loc first, as the sitemap schema orders it
    for path in ("/es/", f"/es/webcasts/{TALK}", f"/es/webcasts/{TALK}/transcript"):
        assert client.get(path).status_code == 200


def test_feeds_and_embeds_exist_in_spanish(client) -> None:
    feed = client.get("/es/feed.xml")
    assert feed.status_code == 200
    assert "Charlas y pódcast para pacientes y familias" in feed.get_data(as_text=True)
    assert "Talks and podcasts" in client.get("/feed.xml").get_data(as_text=True)
    assert '<html lang="es">' in page(client, f"/es/embed/{TALK}")
    assert client.get("/es/api/search?q=x").status_code == 404  # the API is not a page
    assert client.get("/es/sitemap.xml").status_code == 404


def test_the_script_gets_its_words_from_the_page_not_from_english_in_the_code(client) -> None:
    html = page(client, f"/es/webcasts/{TALK}")
    block = re.search(r'<script type="application/json" id="ui-text">(.*?)</script>', html, re.S)
    assert block
    words = json.loads(block.group(1))
    assert set(words) == set(SCRIPT_MESSAGES)
    assert words["Link copied."] == "Enlace copiado."
    assert all(words[m] != m for m in SCRIPT_MESSAGES)
    script = SITE_JS.read_text(encoding="utf-8")
    used = set(re.findall(r'\bT\("((?:[^"\\]|\\.)*)"', script))
    used |= set(re.findall(r'\? "((?:[^"\\]|\\.)*)" : "', script))  # T(a ? "x" : "y", ...)
    used |= set(re.findall(r'" : "((?:[^"\\]|\\.)*)",', script))
    assert set(SCRIPT_MESSAGES) <= used | {m for m in SCRIPT_MESSAGES if m in script}
    # Every sentence the script shows goes through T(): no English text assigned directly.
    direct = re.findall(r'(?:textContent\s*=|say\(|aria-label",)\s*"([^"]*[A-Za-z][^"]*)"', script)
    assert direct == []


def test_the_script_data_block_is_allowed_by_the_content_security_policy(client) -> None:
    response = client.get(f"/es/webcasts/{TALK}")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    # A JSON data block is not script: it is never executed, so the policy needs no exception.
    html = response.get_data(as_text=True)
    assert sorted(re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)) == [
        ' type="application/json" id="ui-text"', ' type="application/ld+json"']
