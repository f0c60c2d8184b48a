"""The Spanish search glossary: the shipped file, the brand names every language shares, and its
errors (the same loader and checks as the English glossary, tests/test_glossary.py)."""

from __future__ import annotations

import pytest

from medialib.glossary import BRANDS, Glossary, GlossaryError, normalize
from medialib.search.analysis import analysis_for
from medialib.search.layout import language_glossary

SPANISH = analysis_for("es")


@pytest.fixture(scope="module")
def own() -> Glossary:
    """The Spanish file alone."""
    assert SPANISH.glossary is not None
    return Glossary.load(SPANISH.glossary)


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    """The Spanish glossary as search uses it: the file and the shared brand groups."""
    return language_glossary("es")


def test_shipped_spanish_glossary_is_large_and_covers_every_kind(own):
    assert len([entry for entry in own if entry.kind != BRANDS]) >= 120
    assert {entry.kind for entry in own} == {
        "lay-clinical", "acronyms", "brand-generic", "spelling", "compounds"}


@pytest.mark.parametrize(
    ("term", "synonym"),
    [
        ("quimio", "quimioterapia"),
        ("radiación", "radioterapia"),
        ("niebla mental", "quimiocerebro"),
        ("niebla mental", "deterioro cognitivo"),
        ("apoderado", "representante para decisiones médicas"),
        ("apoderado", "poder notarial para atención médica"),
        ("testamento vital", "directiva anticipada"),
        ("metástasis cerebrales", "metástasis en el cerebro"),
        ("efectos secundarios", "efectos adversos"),
        ("cansancio", "fatiga"),
        ("cáncer de mama", "cáncer de seno"),
        ("sofocos", "bochornos"),
    ],
)
def test_required_spanish_synonyms(glossary, term, synonym):
    assert synonym in glossary.synonyms(term)
    assert normalize(term) in map(normalize, glossary.synonyms(synonym))


@pytest.mark.parametrize(("brand", "generic"), [
    ("Herceptin", "trastuzumab"),  # the same word in both languages
    ("Nolvadex", "tamoxifeno"),  # joined through [tamoxifen, tamoxifeno]
    ("Decadron", "dexametasona"),
    ("Tylenol", "acetaminofén"),
    ("Cytoxan", "ciclofosfamida"),
])
def test_brand_names_are_shared_and_find_spanish_generic_names(glossary, brand, generic):
    assert generic in glossary.synonyms(brand)
    assert brand in glossary.synonyms(generic)


def test_every_shared_brand_group_is_in_the_spanish_glossary(glossary):
    english = {tuple(entry.terms[:1]) for entry in Glossary.load() if entry.kind == BRANDS}
    spanish = {tuple(entry.terms[:1]) for entry in glossary if entry.kind == BRANDS}
    assert english <= spanish


def test_every_group_adds_a_spanish_search_key(glossary):
    """A group whose terms all analyze alike (an accent, a plural) would widen nothing."""
    for entry in glossary:
        keys = {tuple(SPANISH.terms(term)) for term in entry.terms}
        assert len(keys) >= 2, f"es.yaml:{entry.line}: {entry.terms}"
        assert () not in keys


def test_each_spanish_generic_name_adds_a_key_to_its_brand_group(own):
    """The file's brand-generic groups list only what the Spanish stemmer does not already join
    ("anastrozol" and "anastrozole" are one key; "tamoxifeno" and "tamoxifen" are not)."""
    shared = [entry for entry in Glossary.load() if entry.kind == BRANDS]
    for entry in own:
        if entry.kind != BRANDS:
            continue
        joined = [s for s in shared if {normalize(t) for t in s.terms} & set(map(normalize,
                                                                                 entry.terms))]
        assert joined, f"es.yaml:{entry.line}: {entry.terms} shares no term with a brand group"
        before = {tuple(SPANISH.terms(t)) for s in joined for t in s.terms}
        assert {tuple(SPANISH.terms(t)) for t in entry.terms} - before, (
            f"es.yaml:{entry.line}: {entry.terms} adds nothing")


def test_the_matcher_keys_terms_by_the_spanish_analysis(glossary):
    matcher = glossary.compile(SPANISH.terms)
    found = matcher.find(SPANISH.terms("mi apoderado y las metastasis cerebrales"))
    assert [(start, end) for start, end, _ in found] == [(1, 2), (4, 6)]
    alternatives = dict(((s, e), alts) for s, e, alts in found)
    assert tuple(SPANISH.terms("representante para decisiones médicas")) in alternatives[(1, 2)]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("lay-clinical: [\n", 2, "not valid YAML"),
        ("varios:\n  - [quimio, quimioterapia]\n", 1, "unknown section"),
        ("lay-clinical:\n  - [quimio, quimioterapia]\n  - solo\n", 3, "a group is a list"),
        ("lay-clinical:\n  - [quimio]\n", 2, "at least two"),
        ("acronyms:\n  - [SNC, snc]\n", 2, "twice"),
    ],
)
def test_errors_name_the_file_and_line(tmp_path, text, line, message):
    path = tmp_path / "es.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(GlossaryError, match=message) as caught:
        Glossary.load_language(path)
    assert caught.value.line == line
    assert str(caught.value).startswith(f"{path}:{line}:")


def test_a_language_file_joins_its_brand_groups_to_the_shared_ones(tmp_path):
    path = tmp_path / "pt.yaml"
    path.write_text("lay-clinical:\n  - [quimio, quimioterapia]\nbrand-generic:\n"
                    "  - [tamoxifen, tamoxifeno]\n  - [Novobrand, novogenerico]\n",
                    encoding="utf-8")
    loaded = Glossary.load_language(path)
    assert loaded.synonyms("Nolvadex") == ("Soltamox", "tamoxifen", "tamoxifeno")
    assert loaded.synonyms("Novobrand") == ("novogenerico",)
    assert loaded.synonyms("quimio") == ("quimioterapia",)
