"""Search in each language: Spanish analysis (accents, ñ, stems), glossary, spelling, documents
per (webcast, language), and English exactly as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from medialib.captions import Cue
from medialib.chapters import Chapter
from medialib.search import IndexedWebcast, SearchIndex
from medialib.search.analysis import (
    ENGLISH,
    LanguageError,
    analysis_for,
    language_code,
    search_languages,
)
from medialib.search.layout import language_dir, languages_in


def cues(*lines: str) -> tuple[Cue, ...]:
    return tuple(Cue(i * 4.0, i * 4.0 + 4.0, text, None) for i, text in enumerate(lines))


SPEAKERS = (("ana-ruiz", "Ana Ruiz, MD"),)
RADIATION_EN = IndexedWebcast(
    slug="radiation", title="Side effects of radiation", summary="Radiation for bone pain.",
    kind="video", series=None, recorded="2024-01-01", speakers=SPEAKERS,
    topics=(("radiation-therapy", "Radiation therapy"),),
    chapters=(Chapter(0.0, "Welcome"), Chapter(12.0, "Bone pain")),
    cues=cues(
        "Welcome, this is sample narration.",
        "Radiation can cause side effects such as fatigue.",
        "Most side effects fade after treatment.",
        "Radiation relieves pain in the bones.",
        "Ask your doctor about Herceptin and trastuzumab.",
    ),
)
RADIATION_ES = IndexedWebcast(
    slug="radiation", title="Efectos secundarios de la radiación",
    summary="Radiación para el dolor de huesos.", kind="video", series=None,
    recorded="2024-01-01", speakers=SPEAKERS, topics=(("radiation-therapy", "Radioterapia"),),
    chapters=(Chapter(0.0, "Bienvenida"), Chapter(12.0, "Dolor de huesos")),
    cues=cues(
        "Bienvenidos, esta es una narración de muestra.",
        "La radiación puede causar efectos secundarios como el cansancio.",
        "Hable con su médico sobre el cáncer y el corazón.",
        "La radiación alivia el dolor en un hueso.",
        "Cada año revisamos el tratamiento con quimioterapia.",
        "Algunas pacientes toman tamoxifeno.",
    ),
    lang="es",
)
PROXY_EN = IndexedWebcast(
    slug="proxy", title="Choosing a health care proxy", summary="Advance care planning.",
    kind="audio", series=None, recorded=None, speakers=(("sam-oneill", "Sam O'Neill, JD"),),
    topics=(("planning", "Advance care planning"),), chapters=(),
    cues=cues("A living will describes the care you want.", "A notary signs the form."),
)
# Spanish only: its single caption track is Spanish.
ANO_ES = IndexedWebcast(
    slug="colorrectal", title="Cáncer colorrectal", summary="Preguntas frecuentes.",
    kind="audio", series=None, recorded=None, speakers=SPEAKERS, topics=(), chapters=(),
    cues=cues("El cáncer de ano es poco frecuente.", "Hable con su equipo de atención."),
    lang="es",
)
ALL = [RADIATION_EN, RADIATION_ES, PROXY_EN, ANO_ES]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory):
    built = SearchIndex(tmp_path_factory.mktemp("languages") / "index")
    built.rebuild(ALL)
    yield built
    built.close()


def moments(index: SearchIndex, query: str, lang: str = "es") -> list[tuple[str, float, str]]:
    """(slug, start, highlighted snippet) of every moment found, best webcast first."""
    found = index.search(query, lang=lang, hits_per_webcast=10)
    return [(r.slug, hit.start, hit.html) for r in found.results for hit in r.hits]


# ---- analysis -----------------------------------------------------------------------------------

def test_spanish_terms_fold_accents_but_keep_n_tilde():
    spanish = analysis_for("es")
    assert spanish.terms("médico cáncer corazón") == spanish.terms("medico cancer corazon")
    assert spanish.terms("MÉDICO") == spanish.terms("medico")
    assert spanish.terms("año") != spanish.terms("ano")
    assert spanish.terms("año") == ["año"]
    assert spanish.fold("pingüino acción niño") == "pinguino accion niño"


@pytest.mark.parametrize(("one", "other"), [("hueso", "huesos"), ("efecto", "efectos"),
                                              ("tratamiento", "tratamientos"),
                                              ("decisión", "decisiones")])
def test_spanish_stems_join_singular_and_plural(one, other):
    spanish = analysis_for("es")
    assert spanish.terms(one) == spanish.terms(other)


def test_english_analysis_is_porter_without_folding():
    assert analysis_for("en") is ENGLISH
    assert ENGLISH.terms("Radiations caused effects") == ["radiat", "caus", "effect"]
    assert ENGLISH.terms("café") == ["café"]  # English never folded accents and still does not


def test_language_codes_and_the_table():
    assert language_code("es-MX") == language_code("ES") == "es"
    assert language_code("../../etc") == language_code(None) == ""
    assert search_languages()[:2] == ("en", "es")
    plain = analysis_for("fr")  # no entry: words lowercased only
    assert plain.terms("Les Médecins") == ["les", "médecins"]
    assert analysis_for("es-MX") is analysis_for("es")


def test_a_wrong_language_table_names_file_and_line(tmp_path, monkeypatch):
    from medialib.search import analysis

    table = tmp_path / "languages.yaml"
    table.write_text("en:\n  stemmer: en_porter\nes:\n  stemmer: klingon\n", encoding="utf-8")
    monkeypatch.setattr(analysis, "LANGUAGES_FILE", table)
    analysis._table.cache_clear()
    try:
        with pytest.raises(LanguageError, match=r"languages.yaml:3: language 'es'.*klingon"):
            analysis._table()
        table.write_text("es:\n  stemmer: spanish\n  folding: true\n", encoding="utf-8")
        analysis._table.cache_clear()
        with pytest.raises(LanguageError, match=r"languages.yaml:1: .*unknown setting 'folding'"):
            analysis._table()
    finally:
        monkeypatch.undo()
        analysis._table.cache_clear()
    assert analysis._table()["es"].fold_accents


# ---- index contents per language ----------------------------------------------------------------

def test_each_language_has_its_own_indexes(index):
    generation = index._open().path
    assert languages_in(generation) == ["en", "es"]
    assert (language_dir(generation, "es") / "spelling.json").exists()
    english = index._open_language("en").engine
    spanish = index._open_language("es").engine
    assert set(english.terms("webcasts", "slug")) == {"radiation", "proxy"}
    assert set(spanish.terms("webcasts", "slug")) == {"radiation", "colorrectal"}
    assert spanish.frequency("passages", "body", "hues") == 1  # "hueso", Spanish-stemmed
    assert english.frequency("passages", "body", "hues") == 0
    assert spanish.frequency("webcasts", "title", "radiacion") == 1  # title in Spanish, folded
    assert index.slugs() == {"colorrectal": 2, "proxy": 2, "radiation": 4}


def test_english_results_are_those_of_an_english_only_index(index, tmp_path):
    english_only = SearchIndex(tmp_path / "index")
    english_only.rebuild([RADIATION_EN, PROXY_EN])
    for query in ("side effects", "radiation", "living will", "herseptin", "radi*", "bone pain",
                  "trastuzumab"):
        assert index.search(query).document() == english_only.search(query).document(), query
    english_only.close()


def test_a_webcast_can_be_replaced_and_removed_in_every_language(tmp_path):
    changing = SearchIndex(tmp_path / "index")
    changing.rebuild([PROXY_EN])
    assert languages_in(changing._open().path) == ["en"]
    assert changing.search("hueso", lang="es").total == 0  # no Spanish index yet: no results
    changing.add([RADIATION_EN, RADIATION_ES])
    assert changing.search("hueso", lang="es").total == 1
    assert changing.search("bone", lang="en").total == 1
    changing.add(RADIATION_ES)  # now Spanish only
    assert changing.search("hueso", lang="es").total == 1
    assert changing.search("bone", lang="en").total == 0
    changing.remove("radiation")
    assert changing.search("hueso", lang="es").total == 0
    assert changing.slugs() == {"proxy": 2}
    with pytest.raises(ValueError, match="one webcast"):
        changing.add([RADIATION_ES, ANO_ES])
    changing.close()


# ---- searching in Spanish -----------------------------------------------------------------------

@pytest.mark.parametrize(("typed", "said"), [
    ("medico", "médico"), ("médico", "médico"), ("cancer", "cáncer"), ("corazon", "corazón"),
    ("radiacion", "radiación"), ("RADIACIÓN", "radiación"),
])
def test_accents_match_both_ways_and_snippets_keep_them(index, typed, said):
    found = moments(index, typed)
    assert found, typed
    assert f"<mark>{said}</mark>" in found[0][2]


def test_a_word_said_without_its_accent_is_found_with_it(tmp_path):
    plain = IndexedWebcast(**{**RADIATION_ES.__dict__, "slug": "plain",
                              "cues": cues("El medico explica la radiacion.")})
    unaccented = SearchIndex(tmp_path / "index")
    unaccented.rebuild([plain])
    assert "<mark>medico</mark>" in moments(unaccented, "médico")[0][2]
    unaccented.close()


def test_n_tilde_is_a_letter_of_its_own(index):
    assert [(slug, start) for slug, start, _ in moments(index, "año")] == [("radiation", 16.0)]
    assert [(slug, start) for slug, start, _ in moments(index, "ano")] == [("colorrectal", 0.0)]
    assert "<mark>año</mark>" in moments(index, "año")[0][2]


@pytest.mark.parametrize(("typed", "said"), [("huesos", "hueso"), ("hueso", "hueso"),
                                             ("efecto", "efectos"), ("efectos", "efectos")])
def test_stems_find_other_forms(index, typed, said):
    assert any(f"<mark>{said}</mark>" in html for _, _, html in moments(index, typed))


def test_spanish_phrase_and_two_words(index):
    found = index.search('"efectos secundarios"', lang="es")
    assert [r.slug for r in found.results] == ["radiation"]
    assert "<mark>efectos</mark> <mark>secundarios</mark>" in found.results[0].hits[0].html
    assert found.suggestion is None


@pytest.mark.parametrize(("typed", "said"), [
    ("quimio", "quimioterapia"),  # lay -> clinical
    ("fatiga", "cansancio"),
    ("radioterapia", "radiación"),
    ("Nolvadex", "tamoxifeno"),  # a brand name finds the Spanish generic name
])
def test_spanish_glossary_groups(index, typed, said):
    found = moments(index, typed)
    assert any(f"<mark>{said}</mark>" in html for _, _, html in found), (typed, found)


def test_spanish_typos_get_spanish_suggestions(index):
    found = index.search("efectos secundarioss", lang="es")
    assert (found.suggestion, found.corrected) == ("efectos secundarios", True)
    assert found.results[0].slug == "radiation"
    assert index.search("tratamento", lang="es").suggestion == "tratamiento"


def test_a_spanish_word_is_never_corrected_into_english(index):
    found = index.search("efectos secundarios", lang="es")
    assert found.total == 1 and found.suggestion is None
    assert index.search("efects", lang="es").suggestion == "efectos"
    assert index.search("efects").suggestion == "effects"  # English, from the English words


def test_spanish_stop_words_are_dropped(index):
    assert index.search("qué es la quimioterapia", lang="es").total == 1


def test_results_link_to_the_moment_in_spanish(index):
    document = index.search("hueso", lang="es").document()
    result = document["results"][0]
    assert result["url"] == "/webcasts/radiation?lang=es"
    assert result["hits"][0]["url"] == "/webcasts/radiation?t=12&lang=es"
    assert result["title"] == "Efectos secundarios de la radiación"
    assert result["topics"] == ["Radioterapia"]
    assert list(document) == ["query", "results", "total", "page", "suggestion", "corrected"]
    assert index.search("bone").document()["results"][0]["hits"][0]["url"] == (
        "/webcasts/radiation?t=12")


def test_talk_search_in_one_language(index):
    found = index.search("radiación", slug="radiation", lang="es", hits_per_webcast=50)
    assert [hit.start for hit in found.results[0].hits] == [4.0, 12.0]
    assert index.search("radiación", slug="proxy", lang="es").total == 0


def test_a_language_without_captions_finds_nothing(index):
    assert index.search("médecin", lang="fr").total == 0
    assert index.search("médecin", lang="fr").results == []


def test_a_damaged_language_index_is_unavailable(tmp_path):
    from medialib.search import SearchUnavailable

    damaged = SearchIndex(tmp_path / "index")
    damaged.rebuild([RADIATION_ES])
    spanish = language_dir(damaged._open().path, "es")
    for toc in spanish.glob("*.toc"):
        toc.write_bytes(b"not a table of contents")
    with pytest.raises(SearchUnavailable, match="reindex"):
        damaged.search("hueso", lang="es")
    assert damaged.search("bone").total == 0  # English still answers
    damaged.close()


def test_index_paths_stay_inside_the_generation(tmp_path: Path):
    assert language_dir(tmp_path, "../../x") == tmp_path  # not a language: English's place
    assert language_dir(tmp_path, "es-MX") == tmp_path / "lang-es"
