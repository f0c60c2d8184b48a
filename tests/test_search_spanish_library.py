"""Spanish search over a library: reindex per language, `medialib search --lang es`,
/api/search?lang=es and the search page in each language (its link to the other language)."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from medialib.catalog import CaptionTrack, Catalog, MediaFile, Webcast
from medialib.config import Settings
from medialib.library import Library
from medialib.search.layout import language_dir, languages_in
from medialib.translated import WebcastTranslation
from tests.ingest_support import cli
from tests.libraries import copy_sample_library, reindexed

PROXY = "healthcare-proxy-advanced-cancer"
SPOKEN = "preguntas-para-su-equipo"  # spoken in Spanish, Spanish captions only

PROXY_ES = """WEBVTT

00:00.000 --> 00:04.000
Bienvenidos. Esta es una narración de muestra.

00:04.000 --> 00:08.000
Un testamento vital describe los tratamientos que usted quiere o no quiere.

00:08.000 --> 00:12.000
Su apoderado habla por usted cuando usted no puede hablar.

00:12.000 --> 00:16.000
El médico le explica los efectos secundarios de cada tratamiento.

00:16.000 --> 00:20.000
Cada año revise su directiva anticipada con su familia.
"""
SPOKEN_ES = """WEBVTT

00:00.000 --> 00:04.000
¿Qué preguntas puede hacerle a su equipo sobre la quimioterapia?

00:04.000 --> 00:08.000
Pregunte por el cansancio y por el dolor de huesos.
"""
PROXY_TRANSLATION = WebcastTranslation(
    "es", "Cómo designar a un apoderado de atención médica",
    "Preguntas frecuentes sobre las directivas anticipadas.",
    ("Introducción", "¿Qué es una directiva anticipada?", "Las diferencias", "¿A quién elegir?",
     "El formulario", "Sin apoderado", "Lo que usted quiere"),
)
SPOKEN_ENTRY = Webcast(
    slug=SPOKEN, title="Preguntas para su equipo",
    summary="Qué preguntar antes de empezar el tratamiento.", language="es", kind="audio",
    media=MediaFile(file="audio.m4a", type="audio/mp4", duration=8),
    captions=(CaptionTrack("es", "captions.es.vtt", "Español"),),
)
TOPIC_NAME = "Apoderado y planificación anticipada de la atención"


def add_spanish(root: Path) -> Path:
    """The sample library made English-only (so these tests control every Spanish word), then
    Spanish captions, title and chapters for the proxy talk, a Spanish topic name, and one
    webcast spoken in Spanish."""
    catalog = Catalog.load(root / "catalog.yaml")
    for slug, webcast in list(catalog.webcasts.items()):
        if webcast.language != "en":
            catalog.remove_webcast(slug)
            continue
        english = tuple(t for t in webcast.captions if t.lang == "en")
        catalog.put_webcast(replace(webcast, captions=english, translations=()))
    for entry in catalog.data["topics"].values():
        entry.pop("translations", None)
    proxy = catalog.webcast(PROXY)
    catalog.put_webcast(replace(
        proxy, captions=(*proxy.captions, CaptionTrack("es", "captions.es.vtt", "Español")),
        translations=(PROXY_TRANSLATION,),
    ))
    topic = catalog.data["topics"][proxy.topics[0]]
    assert topic["name"] == "Health care proxy and advance care planning"
    topic["translations"] = {"es": {"name": TOPIC_NAME}}
    catalog.put_webcast(SPOKEN_ENTRY)
    catalog.save()
    (root / "media" / PROXY / "captions.es.vtt").write_text(PROXY_ES, encoding="utf-8")
    (root / "media" / SPOKEN).mkdir(parents=True)
    (root / "media" / SPOKEN / "captions.es.vtt").write_text(SPOKEN_ES, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def spanish_library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return reindexed(add_spanish(copy_sample_library(tmp_path_factory.mktemp("es") / "library")))


@pytest.fixture(scope="module")
def spanish_app(make_shared_app, spanish_library: Path):
    return make_shared_app(Settings(library=spanish_library))


@pytest.fixture
def spanish_client(spanish_app):
    return spanish_app.test_client()


def test_reindex_writes_a_document_per_webcast_and_language(spanish_library: Path):
    with Library(Settings(library=spanish_library)) as library:
        index = library.index
        generation = index._open().path
        assert languages_in(generation) == ["en", "es"]
        spanish = index._open_language("es").engine
        assert set(spanish.terms("webcasts", "slug")) == {PROXY, SPOKEN}
        english = index._open_language("en").engine
        assert SPOKEN not in set(english.terms("webcasts", "slug"))
        assert SPOKEN in index.slugs() and PROXY in index.slugs()
        found = index.search("apoderado", lang="es")
        assert found.results[0].title == "Cómo designar a un apoderado de atención médica"
        assert found.results[0].topics[0] == TOPIC_NAME
        chapter = index.search("qué es una directiva anticipada", lang="es").results[0]
        assert "chapter" in chapter.matched_fields  # the translated chapter title
        # The English documents did not change: the proxy talk is still found as before.
        assert index.search("health care proxy").results[0].slug == PROXY
    assert (language_dir(generation, "es") / "spelling.json").exists()
    checked = cli(spanish_library, "check")  # (the media files were not copied)
    assert "search index" not in checked.stderr and "media file" in checked.stderr


def test_cli_searches_in_spanish(spanish_library: Path):
    result = cli(spanish_library, "search", "efectos secundarios", "--lang", "es", "--json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.output)
    assert [r["slug"] for r in document["results"]] == [PROXY]
    hit = document["results"][0]["hits"][0]
    assert hit["url"] == f"/webcasts/{PROXY}?t=12&lang=es"
    assert hit["text"] == "El médico le explica los efectos secundarios de cada tratamiento."
    assert document["suggestion"] is None  # never "effects secundarios"
    text = cli(spanish_library, "search", "huesos", "--lang", "es")
    assert text.exit_code == 0
    assert f"/webcasts/{SPOKEN}?t=4&lang=es" in text.output
    assert "Pregunte por el cansancio y por el dolor de huesos." in text.output
    typo = cli(spanish_library, "search", "quimioterapya", "--lang", "es")
    assert "Showing results for: quimioterapia" in typo.output
    assert cli(spanish_library, "search", "huesos", "--lang", "e$").exit_code == 2


def test_cli_searches_in_english_by_default(spanish_library: Path):
    english = cli(spanish_library, "search", "huesos", "--json")
    assert json.loads(english.output)["results"] == []


@pytest.mark.parametrize("q", ["medico", "apoderado", "quimio", "Nolvadex", "hueso", "zzzqqq"])
def test_api_search_in_spanish_is_the_search_document(spanish_app, spanish_client, q):
    response = spanish_client.get("/api/search", query_string={"q": q, "lang": "es"})
    assert response.status_code == 200
    library = spanish_app.extensions["medialib"]
    per_page = spanish_app.config["MEDIALIB_SETTINGS"].results_per_page
    expected = library.index.search(q, lang="es", per_page=per_page).document()
    assert response.get_json() == expected
    assert list(response.get_json()) == ["query", "results", "total", "page", "suggestion",
                                         "corrected"]


def test_api_lang_defaults_to_english_and_refuses_nothing(spanish_client):
    for lang in (None, "", "xx-???", "../es", "EN"):
        args = {"q": "huesos"} if lang is None else {"q": "huesos", "lang": lang}
        response = spanish_client.get("/api/search", query_string=args)
        assert response.status_code == 200
        assert response.get_json()["results"] == [], lang
    spanish = spanish_client.get("/api/search", query_string={"q": "huesos", "lang": "ES"})
    assert [r["slug"] for r in spanish.get_json()["results"]] == [SPOKEN]


def languages(html: str) -> str:
    """The search page's list of the same search in the other languages."""
    found = re.search(r'<ul class="search-languages" role="list">(.*?)</ul>', html, re.S)
    assert found, "no link to the same search in another language"
    return found.group(1)


def test_the_spanish_search_page_searches_in_spanish(spanish_client):
    page = spanish_client.get("/es/search", query_string={"q": "efectos secundarios"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<mark>efectos</mark> <mark>secundarios</mark>" in html
    assert f'href="/es/webcasts/{PROXY}?t=12"' in html  # the moment, with Spanish captions
    link = re.search(r'<a href="([^"]+)" hreflang="en" lang="en">([^<]+)</a>', languages(html))
    assert link and link.group(1) == "/search?q=efectos+secundarios"
    assert link.group(2) == "Search in English"
    assert "en otro idioma" not in html  # Spanish found it: no count


def test_the_english_search_page_links_to_the_same_search_in_spanish(spanish_client):
    html = spanish_client.get("/search", query_string={"q": "proxy", "topic": "x"}).get_data(
        as_text=True)
    assert re.search(r'<a href="/es/search\?q=proxy&amp;topic=x" hreflang="es" lang="es">'
                     r'Buscar en español</a>', languages(html))
    assert "in another language" not in html


def test_english_only_words_get_a_link_to_the_english_search(spanish_client):
    html = spanish_client.get("/es/search", query_string={"q": "notary"}).get_data(as_text=True)
    assert "<mark>" not in html
    assert "1 charla en otro idioma menciona estas palabras:" in html
    assert '<a href="/search?q=notary" hreflang="en" lang="en">Search in English</a>' in (
        languages(html))


def test_spanish_only_words_get_a_link_to_the_spanish_search(spanish_client):
    html = spanish_client.get("/search", query_string={"q": "cansancio"}).get_data(as_text=True)
    assert "1 talk in another language mentions these words:" in html
    assert re.search(r'<a href="/es/search\?q=cansancio" hreflang="es" lang="es">',
                     languages(html))


def test_no_link_without_a_query(spanish_client):
    html = spanish_client.get("/es/search").get_data(as_text=True)
    assert "search-languages" not in html


def test_another_node_catching_up_indexes_every_language(spanish_library: Path, tmp_path: Path):
    from medialib.follow import IndexFollower

    shared = Settings(library=spanish_library).database_url
    with Library(Settings(library=spanish_library, database_url=shared,
                          instance_dir=tmp_path / "node-b")) as node:
        done = IndexFollower(node).check()
        assert done is not None and done.rebuild
        assert [r.slug for r in node.index.search("huesos", lang="es").results] == [SPOKEN]
        assert node.index.search("health care proxy").results[0].slug == PROXY
