"""A webcast's, topic's, series' and library's words in other languages: catalog and rows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from medialib import models as m
from medialib.catalog import Catalog, CatalogError
from medialib.db import create_schema, make_engine, session_factory, transaction
from medialib.store import library_title, put_webcast_rows, sync_taxonomy

CATALOG = """\
library:
  title: Our library
  translations:
    es: {title: Nuestra biblioteca}   # the Spanish site's title
speakers:
  ann: {name: Ann Lee, credentials: MD}
topics:
  fatigue:
    name: Fatigue
    description: Feeling tired.
    synonyms: [tiredness]
    translations:
      es: {name: Cansancio, description: Sentirse agotado., synonyms: [fatiga, agotamiento]}
  sleep: {name: Sleep}
series:
  care:
    title: Care at home
    translations:
      es: {title: Cuidados en casa}
webcasts:
  tired:
    title: Managing fatigue
    summary: How to save your energy.
    speakers: [ann]
    topics: [fatigue, sleep]
    series: care
    part: 1
    media: {file: video.mp4, type: video/mp4, duration: 90}
    captions:
      - {lang: en, file: captions.en.vtt, label: English}
      - {lang: es, file: captions.es.vtt, label: Español}
    chapters:
      - {start: 0, title: Welcome}
      - {start: 30, title: Saving energy}
    resources:
      - {title: NCI, url: https://www.cancer.gov}
    translations:
      es:   # reviewed by the translation team
        title: Cómo manejar el cansancio
        summary: Cómo ahorrar energía.
        chapters: [Bienvenida, Ahorrar energía]
        resources:
          - {title: NCI en español, url: https://www.cancer.gov/espanol}
  hablado:
    title: Preguntas para su equipo
    language: es
    media: {file: audio.m4a, type: audio/mp4, duration: 60}
"""


@pytest.fixture
def catalog() -> Catalog:
    return Catalog.from_text(CATALOG)


def test_webcast_text_in_each_language(catalog: Catalog) -> None:
    tired = catalog.webcast("tired")
    assert tired.language == "en" and tired.languages == ("en", "es")
    es = tired.text("es")
    assert (es.lang, es.title, es.summary) == ("es", "Cómo manejar el cansancio",
                                               "Cómo ahorrar energía.")
    assert es.chapters == ("Bienvenida", "Ahorrar energía")
    assert [(r.title, r.url) for r in es.resources] == [("NCI en español",
                                                         "https://www.cancer.gov/espanol")]
    assert tired.text("es-MX").title == es.title  # a regional variant reads the language
    en = tired.text("en")
    assert (en.lang, en.title, en.chapters) == ("en", "Managing fatigue", ("Welcome",
                                                                           "Saving energy"))
    # Not translated: the original, saying which language it really is in.
    pt = tired.text("pt")
    assert (pt.lang, pt.title) == ("en", "Managing fatigue")
    spoken = catalog.webcast("hablado")
    assert spoken.language == "es" and spoken.text("en").lang == "es"


def test_topics_series_and_library_title(catalog: Catalog) -> None:
    fatigue = catalog.topics["fatigue"].text("es")
    assert (fatigue.lang, fatigue.name, fatigue.synonyms) == ("es", "Cansancio",
                                                              ("fatiga", "agotamiento"))
    assert catalog.topics["sleep"].text("es") .lang == "en"
    assert catalog.series["care"].text("es").title == "Cuidados en casa"
    assert catalog.title_in("es") == "Nuestra biblioteca"
    assert catalog.title_in("pt") == "Our library"


@pytest.mark.parametrize(("old", "new", "message", "line"), [
    ("chapters: [Bienvenida, Ahorrar energía]", "chapters: [Bienvenida]",
     "1 chapter titles for 2 chapters", "        chapters: [Bienvenida]"),
    ("      es:   # reviewed", "      e_s:   # reviewed", "'e_s' is not a language code",
     "      e_s:   # reviewed by the translation team"),
    ("        title: Cómo manejar el cansancio\n", "", "`title` is required",
     "        summary: Cómo ahorrar energía."),
    ("    language: es", "    language: Spanish", "'Spanish' is not a language code",
     "    language: Spanish"),
    ("es: {title: Cuidados en casa}", "es: Cuidados en casa", "es must be a mapping",
     "      es: Cuidados en casa"),
    ("synonyms: [fatiga, agotamiento]", "synonyms: fatiga", "must be a list of texts",
     "      es: {name: Cansancio, description: Sentirse agotado., synonyms: fatiga}"),
])
def test_bad_translations_name_the_line(old: str, new: str, message: str, line: str) -> None:
    text = CATALOG.replace(old, new)
    assert text != CATALOG
    with pytest.raises(CatalogError) as caught:
        Catalog.from_text(text)
    assert message in str(caught.value)
    assert caught.value.line == text.splitlines().index(line) + 1, str(caught.value)


def test_round_trip_keeps_translations_and_comments(catalog: Catalog) -> None:
    tired = catalog.webcast("tired")
    catalog.put_webcast(replace(tired, summary="How to save energy."))
    text = catalog.dump()
    assert "# reviewed by the translation team" in text
    assert "# the Spanish site's title" in text
    again = Catalog.from_text(text)
    assert again.webcast("tired").translations == tired.translations
    # Unchanged entries are written back byte for byte.
    catalog.put_webcast(catalog.webcast("hablado"))
    catalog.put_webcast(catalog.webcast("tired"))
    assert Catalog.from_text(catalog.dump()).dump() == catalog.dump()
    assert "language: es" in catalog.dump()


def test_a_new_translation_is_written(catalog: Catalog) -> None:
    tired = catalog.webcast("tired")
    pt = replace(tired.translations[0], lang="pt", title="Como lidar com o cansaço",
                 summary="", chapters=(), resources=None)
    catalog.put_webcast(replace(tired, translations=(*tired.translations, pt)))
    again = Catalog.from_text(catalog.dump()).webcast("tired")
    assert again.text("pt").title == "Como lidar com o cansaço"
    assert again.text("pt").chapters == ("Welcome", "Saving energy")  # untranslated chapters
    assert again.text("pt").resources == tired.resources  # no list of its own: the original


@pytest.fixture
def session(tmp_path, catalog: Catalog) -> Iterator[Session]:
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    create_schema(engine)
    factory = session_factory(engine)
    with transaction(factory) as writing:
        sync_taxonomy(writing, catalog)
        for slug in ("tired", "hablado"):
            put_webcast_rows(writing, catalog.webcast(slug), {}, 90.0)
    with factory() as reading:
        yield reading
    engine.dispose()


def test_rows_read_the_same_words(session: Session, catalog: Catalog) -> None:
    row = session.get(m.Webcast, "tired")
    assert row is not None
    assert row.caption_langs == ["en", "es"]
    for lang in ("en", "es", "pt"):
        got, want = row.text(lang), catalog.webcast("tired").text(lang)
        assert (got.lang, got.title, got.summary, got.chapters) == (
            want.lang, want.title, want.summary, want.chapters)
        assert [(r.title, r.url) for r in got.resources] == [
            (r.title, r.url) for r in want.resources]
    assert session.get(m.Webcast, "hablado").text("en").lang == "es"  # type: ignore[union-attr]
    topic = session.get(m.Topic, "fatigue")
    assert topic is not None and topic.text("es").synonyms == ("fatiga", "agotamiento")
    series = session.get(m.Series, "care")
    assert series is not None and series.text("es").title == "Cuidados en casa"
    assert library_title(session, "es") == "Nuestra biblioteca"
    assert library_title(session, "es-MX") == "Nuestra biblioteca"


def test_translations_follow_the_catalog(tmp_path, catalog: Catalog) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    create_schema(engine)
    factory = session_factory(engine)
    with transaction(factory) as writing:
        sync_taxonomy(writing, catalog)
        put_webcast_rows(writing, catalog.webcast("tired"), {}, 90.0)
    # A translation removed from the catalog leaves no row behind; so does a removed webcast.
    plain = Catalog.from_text(CATALOG.replace(
        "    translations:\n      es: {name: Cansancio, description: Sentirse agotado., "
        "synonyms: [fatiga, agotamiento]}\n", ""))
    with transaction(factory) as writing:
        sync_taxonomy(writing, plain)
        put_webcast_rows(writing, replace(plain.webcast("tired"), translations=()), {}, 90.0)
    with factory() as reading:
        assert reading.scalars(select(m.TopicTranslation)).all() == []
        assert reading.scalars(select(m.WebcastTranslation)).all() == []
    engine.dispose()
