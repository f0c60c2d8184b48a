"""The search glossary: the shipped file, its format and its errors, and term matching."""

from __future__ import annotations

import pytest

from medialib.glossary import Glossary, GlossaryError, normalize
from medialib.search.analysis import ENGLISH

terms = ENGLISH.terms


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    return Glossary.load()


def test_shipped_glossary_is_large_and_covers_every_kind(glossary):
    assert len(glossary) >= 150
    assert {entry.kind for entry in glossary} == {
        "lay-clinical",
        "acronyms",
        "brand-generic",
        "spelling",
        "compounds",
    }


@pytest.mark.parametrize(
    ("term", "synonym"),
    [
        ("chemo brain", "cognitive changes"),
        ("chemo brain", "memory problems"),
        ("living will", "advance directive"),
        ("mets", "metastases"),
        ("WBRT", "whole brain radiation therapy"),
        ("Herceptin", "trastuzumab"),
        ("SRS", "stereotactic radiosurgery"),
        ("healthcare", "health care"),
        ("health care proxy", "healthcare proxy"),
        ("tumour", "tumor"),
    ],
)
def test_required_synonyms(glossary, term, synonym):
    assert synonym in glossary.synonyms(term)
    assert term in glossary.synonyms(synonym) or normalize(term) in map(
        normalize, glossary.synonyms(synonym)
    )


def test_every_group_adds_a_search_key(glossary):
    """A group whose terms all stem alike (counseling/counselling) would widen nothing."""
    for entry in glossary:
        keys = {tuple(terms(term)) for term in entry.terms}
        assert len(keys) >= 2, f"glossary.yaml:{entry.line}: {entry.terms}"
        assert () not in keys


def test_synonyms_ignore_case_and_hyphens(glossary):
    assert "whole brain radiation therapy" in glossary.synonyms("wbrt")
    assert glossary.synonyms("Health-Care") == glossary.synonyms("health care")
    assert glossary.synonyms("not in the glossary") == ()


def test_matcher_finds_longest_terms_first(glossary):
    matcher = glossary.compile(terms)
    found = matcher.find(terms("my health care proxy and brain mets"))
    assert [(start, end) for start, end, _ in found] == [(1, 4), (5, 7)]
    alternatives = dict(((s, e), alts) for s, e, alts in found)
    assert tuple(terms("medical power of attorney")) in alternatives[(1, 4)]
    assert tuple(terms("brain metastases")) in alternatives[(5, 7)]
    assert tuple(terms("brain mets")) not in alternatives[(5, 7)]


def test_groups_sharing_a_term_are_joined():
    glossary = Glossary.from_text("lay-clinical:\n  - [a1, b1]\n  - [b1, c1]\n")
    assert glossary.synonyms("a1") == ("b1",)
    assert glossary.synonyms("b1") == ("a1", "c1")
    matcher = glossary.compile(terms)
    assert matcher.find(["b1"]) == [(0, 1, (("a1",), ("c1",)))]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("lay-clinical: [\n", 2, "not valid YAML"),
        ("- [a, b]\n", 1, "sections"),
        ("misc:\n  - [a, b]\n", 1, "unknown section"),
        ("acronyms: 3\n", 1, "list of groups"),
        ("acronyms:\n  - [a, b]\n  - just-one\n", 3, "a group is a list"),
        ("acronyms:\n  - [only]\n", 2, "at least two"),
        ("acronyms:\n  - [SRS, srs]\n", 2, "twice"),
        ("acronyms:\n  - [SRS, '!!']\n", 2, "no words"),
    ],
)
def test_errors_name_the_line(text, line, message):
    with pytest.raises(GlossaryError, match=message) as caught:
        Glossary.from_text(text, "glossary.yaml")
    assert caught.value.line == line
    assert str(caught.value).startswith(f"glossary.yaml:{line}:")


def test_load_from_a_path(tmp_path):
    path = tmp_path / "glossary.yaml"
    path.write_text("compounds:\n  - [healthcare, health care]\n")
    assert Glossary.load(path).synonyms("healthcare") == ("health care",)
    with pytest.raises(GlossaryError, match="cannot read"):
        Glossary.load(tmp_path / "missing.yaml")
