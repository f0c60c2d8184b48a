"""Every listing, the player, feeds, structured data and oEmbed in the page's language (/es/…),
with `lang` marks on what falls back to another language, over tests/spanish_library.py."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from urllib.parse import quote

import pytest

from medialib.web.page_text import alphabetical
from tests.spanish_library import BILINGUAL, ENGLISH, SPANISH, SPANISH_LINES
from tests.test_web_pages import Elements, fetch

BASE = "http://localhost"
ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
PODCAST = "{https://podcastindex.org/namespace/1.0}"


def linked(doc: Elements, href: str) -> list[dict[str, str | None]]:
    return doc.find("a", href=href)


def text_of(html: str, tag: str, **attrs: str) -> list[str]:
    """The text of each `tag` element whose start tag has these attributes (no nesting)."""
    wanted = "".join(f'[^>]*{k}="{re.escape(v)}"' for k, v in attrs.items())
    return [re.sub("<[^>]+>", "", m) for m in
            re.findall(f"<{tag}{wanted}[^>]*>(.*?)</{tag}>", html, re.S)]


# ---- listings ----------------------------------------------------------------------------------


def test_the_spanish_home_lists_spanish_titles_and_marks_the_rest(spanish_client) -> None:
    html, doc = fetch(spanish_client, "/es/")
    assert '<html lang="es">' in html
    assert "<h1 id=\"home-title\">Charlas para pacientes</h1>" in html
    spanish = linked(doc, f"/es/webcasts/{BILINGUAL}")
    assert spanish and all("lang" not in a for a in spanish)
    assert "La radioterapia, paso a paso" in html and "Radiation therapy, step by step" not in html
    assert all(a.get("lang") == "en" for a in linked(doc, f"/es/webcasts/{ENGLISH}"))
    assert all("lang" not in a for a in linked(doc, f"/es/webcasts/{SPANISH}"))
    # Topics: translated, or marked English; listed in Spanish alphabetical order.
    chips = text_of(html, "a", **{"class": "chip"})
    assert chips == ["Questions to ask", "Radioterapia"]  # Q before R either way
    assert all(a.get("lang") == "en" for a in linked(doc, "/es/topics/questions"))
    assert all("lang" not in a for a in linked(doc, "/es/topics/radiation"))
    assert "Conceptos básicos del tratamiento" in html and "Tratamiento con energía" in html
    assert "Treatment basics" not in html


def test_the_english_home_marks_the_spanish_talk(spanish_client) -> None:
    html, doc = fetch(spanish_client, "/")
    assert f'<a href="/webcasts/{SPANISH}" lang="es">Preguntas para' in html  # its card
    assert '<span class="part-title" lang="es">Preguntas para su equipo médico</span>' in html
    assert all("lang" not in a for a in linked(doc, f"/webcasts/{BILINGUAL}"))
    assert "Radiation therapy, step by step" in html and "Treatment basics" in html


def test_topic_and_series_pages_in_spanish(spanish_client) -> None:
    html, doc = fetch(spanish_client, "/es/topics/radiation")
    assert text_of(html, "h1") == ["Radioterapia"] and "Tratamiento con energía dirigida." in html
    assert "<title>Radioterapia ·" in html
    assert all(a.get("lang") == "en" for a in linked(doc, f"/es/webcasts/{ENGLISH}"))
    html, _ = fetch(spanish_client, "/es/topics/questions")  # untranslated: marked
    assert '<h1 lang="en">Questions to ask</h1>' in html
    html, _ = fetch(spanish_client, "/es/series/basics")
    assert text_of(html, "h1") == ["Conceptos básicos del tratamiento"]
    html, _ = fetch(spanish_client, "/es/speakers/ana")
    assert "La radioterapia, paso a paso" in html and "Preguntas para su equipo médico" in html


def test_spanish_names_sort_without_their_accents() -> None:
    names = ["Órganos", "Niebla mental", "ánimo", "Efectos", "Apoyo"]
    assert sorted(names, key=alphabetical) == ["ánimo", "Apoyo", "Efectos", "Niebla mental",
                                               "Órganos"]


# ---- the player and the transcript in Spanish --------------------------------------------------


def test_the_spanish_player(spanish_client) -> None:
    html, doc = fetch(spanish_client, f"/es/webcasts/{BILINGUAL}")
    assert text_of(html, "h1") == ["La radioterapia, paso a paso"]
    assert "<h1>" in html  # no mark: it is the page's language
    assert text_of(html, "span", **{"class": "chapter-title"}) == [
        "Lo que hace la radiación", "Sus preguntas"]
    assert doc.find("a", href="https://example.org/es/radiacion")  # that language's resources
    assert not doc.find("a", href="https://example.org/radiation")
    assert doc.find("div", id="transcript-body")[0]["lang"] == "es"  # the page's language
    assert SPANISH_LINES[0] in html
    assert doc.find("track", kind="chapters", srclang="es")
    assert doc.find("a", href=f"/es/webcasts/{BILINGUAL}/transcript.txt")
    assert doc.find("a", href=f"/es/webcasts/{BILINGUAL}?lang=en#transcript", hreflang="en")
    assert doc.find("a", href="/es/series/basics")
    assert "Conceptos básicos del tratamiento" in html and "Radioterapia" in html


def test_an_untranslated_webcast_on_a_spanish_page_is_marked(spanish_client) -> None:
    html, doc = fetch(spanish_client, f"/es/webcasts/{ENGLISH}")
    assert '<h1 lang="en">Living with fatigue</h1>' in html
    assert '<p lang="en">Ways to save your energy.</p>' in html
    assert doc.find("div", id="transcript-body")[0]["lang"] == "en"  # its only track


def test_the_spanish_printable_transcript(spanish_client) -> None:
    html, doc = fetch(spanish_client, f"/es/webcasts/{BILINGUAL}/transcript")
    assert text_of(html, "h1") == ["La radioterapia, paso a paso"]
    assert doc.with_class("div", "printable")[0]["lang"] == "es"
    assert "Sus preguntas" in html and SPANISH_LINES[5] in html
    # The English transcript on the Spanish page: its headings are English, and marked as such.
    english_html, english = fetch(spanish_client, f"/es/webcasts/{BILINGUAL}/transcript?lang=en")
    assert english.with_class("div", "printable")[0]["lang"] == "en"
    assert text_of(english_html, "a", href="#chapter-2", lang="en") == ["Your questions"]


def test_chapters_track_in_the_page_language(spanish_client) -> None:
    spanish = spanish_client.get(f"/es/webcasts/{BILINGUAL}/chapters.vtt").get_data(as_text=True)
    english = spanish_client.get(f"/webcasts/{BILINGUAL}/chapters.vtt").get_data(as_text=True)
    assert "Sus preguntas" in spanish and "Your questions" in english


def test_downloads_under_es_are_spanish(spanish_client, spanish_library_dir) -> None:
    response = spanish_client.get(f"/es/webcasts/{BILINGUAL}/transcript.txt")
    assert response.headers["Content-Disposition"].endswith(f'"{BILINGUAL}.es.txt"')
    assert response.data == (spanish_library_dir / "transcripts" / f"{BILINGUAL}.es.txt"
                             ).read_bytes()
    english = spanish_client.get(f"/es/webcasts/{BILINGUAL}/transcript.txt?lang=en")
    assert english.headers["Content-Disposition"].endswith(f'"{BILINGUAL}.en.txt"')


# ---- feeds, structured data, oEmbed ------------------------------------------------------------


def feed(client, path: str) -> ET.Element:
    response = client.get(path)
    assert response.status_code == 200 and response.mimetype == "application/rss+xml"
    return ET.fromstring(response.data)


def test_the_spanish_feed(spanish_client) -> None:
    channel = feed(spanish_client, "/es/feed.xml").find("channel")
    assert channel is not None
    assert channel.findtext("language") == "es"
    assert channel.findtext("title") == "Charlas para pacientes"
    assert channel.findtext("link") == f"{BASE}/es/"
    items = {item.findtext("link"): item for item in channel.iter("item")}
    talk = items[f"{BASE}/es/webcasts/{BILINGUAL}"]
    assert talk.findtext("title") == "La radioterapia, paso a paso"
    assert talk.findtext("description") == "Lo que pasa durante la radioterapia."
    transcript, english_captions = talk.findall(f"{PODCAST}transcript")
    assert transcript.get("language") == "es"  # the feed's language first
    assert transcript.get("url") == f"{BASE}/es/webcasts/{BILINGUAL}/transcript.vtt"
    assert english_captions.get("language") == "en"
    assert english_captions.get("url") == f"{BASE}/es/webcasts/{BILINGUAL}/transcript.vtt?lang=en"
    english_vtt = spanish_client.get(english_captions.get("url", "").removeprefix(BASE))
    assert "Welcome. Today we talk" in english_vtt.get_data(as_text=True)
    english = items[f"{BASE}/es/webcasts/{ENGLISH}"]  # untranslated: its own words
    assert english.findtext("title") == "Living with fatigue"
    assert english.find(f"{PODCAST}transcript").get("language") == "en"  # type: ignore[union-attr]
    vtt = spanish_client.get(transcript.get("url", "").removeprefix(BASE))
    assert SPANISH_LINES[0] in vtt.get_data(as_text=True)


def test_the_english_feed_is_as_before(spanish_client) -> None:
    channel = feed(spanish_client, "/feed.xml").find("channel")
    assert channel is not None and channel.findtext("language") == "en"
    items = {item.findtext("link"): item for item in channel.iter("item")}
    talk = items[f"{BASE}/webcasts/{BILINGUAL}"]
    assert talk.findtext("title") == "Radiation therapy, step by step"
    transcript, spanish_captions = talk.findall(f"{PODCAST}transcript")
    assert transcript.get("language") == "en"
    assert transcript.get("url") == f"{BASE}/webcasts/{BILINGUAL}/transcript.vtt"
    assert spanish_captions.get("url") == f"{BASE}/webcasts/{BILINGUAL}/transcript.vtt?lang=es"
    spanish = items[f"{BASE}/webcasts/{SPANISH}"].find(f"{PODCAST}transcript")
    assert spanish is not None and spanish.get("language") == "es"


def test_topic_and_series_feeds_in_spanish(spanish_client) -> None:
    topic = feed(spanish_client, "/es/topics/radiation/feed.xml").find("channel")
    assert topic is not None and topic.findtext("title") == "Radioterapia · Charlas para pacientes"
    assert topic.findtext(f"{ITUNES}summary") == "Tratamiento con energía dirigida."
    series = feed(spanish_client, "/es/series/basics/feed.xml").find("channel")
    assert series is not None and series.findtext("title", "").startswith("Conceptos básicos")


def jsonld(html: str) -> dict:
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert found
    return json.loads(found.group(1))


def test_structured_data_in_spanish(spanish_client) -> None:
    html, doc = fetch(spanish_client, f"/es/webcasts/{BILINGUAL}")
    data = jsonld(html)
    assert data["name"] == "La radioterapia, paso a paso"
    assert data["description"] == "Lo que pasa durante la radioterapia."
    assert data["inLanguage"] == "es" and data["url"] == f"{BASE}/es/webcasts/{BILINGUAL}"
    assert data["transcript"].startswith(SPANISH_LINES[0])
    assert [clip["name"] for clip in data["hasPart"]] == ["Lo que hace la radiación",
                                                          "Sus preguntas"]
    assert data["isPartOf"]["name"] == "Conceptos básicos del tratamiento"
    assert data["keywords"] == "Radioterapia"
    assert data["embedUrl"] == f"{BASE}/es/embed/{BILINGUAL}"
    assert doc.find("meta", property="og:locale", content="es_US")
    assert doc.find("meta", property="og:title", content="La radioterapia, paso a paso")
    english = jsonld(fetch(spanish_client, f"/webcasts/{BILINGUAL}")[0])
    assert english["name"] == "Radiation therapy, step by step" and english["inLanguage"] == "en"
    # The English page with the Spanish transcript: the transcript and its language follow it.
    mixed = jsonld(fetch(spanish_client, f"/webcasts/{BILINGUAL}?lang=es")[0])
    assert mixed["inLanguage"] == "es" and mixed["transcript"].startswith(SPANISH_LINES[0])
    assert mixed["name"] == "Radiation therapy, step by step"


def oembed(client, url: str, extra: str = ""):
    return client.get(f"/oembed?url={quote(url, safe='')}{extra}")


@pytest.mark.parametrize(("url", "extra"), [
    (f"{BASE}/es/webcasts/{BILINGUAL}", ""),
    (f"{BASE}/es/embed/{BILINGUAL}", ""),
    (f"{BASE}/webcasts/{BILINGUAL}", "&lang=es"),
])
def test_oembed_in_spanish(spanish_client, url: str, extra: str) -> None:
    data = oembed(spanish_client, url, extra).get_json()
    assert data["title"] == "La radioterapia, paso a paso"
    assert data["provider_name"] == "Charlas para pacientes"
    assert f'src="{BASE}/es/embed/{BILINGUAL}"' in data["html"]
    assert 'title="La radioterapia, paso a paso"' in data["html"]


def test_oembed_keeps_the_moment_and_the_transcript_language(spanish_client) -> None:
    data = oembed(spanish_client, f"{BASE}/webcasts/{BILINGUAL}?t=10&lang=es").get_json()
    assert data["title"] == "Radiation therapy, step by step"
    assert f'src="{BASE}/embed/{BILINGUAL}?t=10&amp;lang=es"' in data["html"]
    english = oembed(spanish_client, f"{BASE}/webcasts/{BILINGUAL}").get_json()
    assert english["title"] == "Radiation therapy, step by step"
    assert f'src="{BASE}/embed/{BILINGUAL}"' in english["html"]


@pytest.mark.parametrize("url", [f"{BASE}/en/webcasts/{BILINGUAL}", f"{BASE}/xx/webcasts/x",
                                 f"{BASE}/fr/webcasts/{BILINGUAL}", f"{BASE}/es/es/webcasts/x"])
def test_oembed_refuses_other_prefixes(spanish_client, url: str) -> None:
    assert oembed(spanish_client, url).status_code == 404


@pytest.mark.parametrize("lang", ["xx", "../..", "e" * 300, "%00", "es-ES-x"])
def test_oembed_odd_languages(spanish_client, lang: str) -> None:
    data = oembed(spanish_client, f"{BASE}/webcasts/{BILINGUAL}?lang={quote(lang)}",
                  f"&lang={quote(lang)}").get_json()
    assert data["title"] == "Radiation therapy, step by step"

