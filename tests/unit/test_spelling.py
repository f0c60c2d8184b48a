"""Spelling: "did you mean", from the words the library's captions say (and its glossary).

Through `SearchIndex.search` over the index of tests/unit/conftest.py.
"""

from __future__ import annotations

import pytest

from medialib.search import SearchIndex


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("tird", "tired"),  # a letter left out
        ("slep", "sleep"),
        ("tierd", "tired"),  # two letters swapped
        ("patents", "patients"),
        ("fatigeu", "fatigue"),  # two edits in a longer word
    ],
)
def test_a_query_that_finds_nothing_is_corrected(
    small_index: SearchIndex, typed: str, meant: str
) -> None:
    found = small_index.search(typed)
    assert (found.suggestion, found.corrected) == (meant, True)
    assert found.total >= 1 and found.query == typed  # the results are those of the suggestion


def test_a_rare_word_near_a_common_one_is_found_and_questioned(
    small_index: SearchIndex,
) -> None:
    # "fatige" is said once (a typo in the captions), "fatigue" six times.
    found = small_index.search("fatige")
    assert [r.slug for r in found.results] == ["fatigue-talk"]
    assert found.results[0].hits[0].start == 28.0
    assert (found.suggestion, found.corrected) == ("fatigue", False)


@pytest.mark.parametrize("query", ["tired", "naps", "welcome", "thank you", "fatigue"])
def test_words_that_are_said_are_not_corrected(small_index: SearchIndex, query: str) -> None:
    found = small_index.search(query)
    assert found.total >= 1 and found.suggestion is None and not found.corrected


@pytest.mark.parametrize("query", ["12345", "zzzz", "qxv", "radiation"])
def test_no_suggestion_without_a_likely_word(small_index: SearchIndex, query: str) -> None:
    found = small_index.search(query)
    assert (found.total, found.suggestion, found.corrected) == (0, None, False)


def test_only_the_misspelled_word_of_several_changes(small_index: SearchIndex) -> None:
    found = small_index.search("tird patents")
    assert (found.suggestion, found.corrected) == ("tired patients", True)
    assert [r.slug for r in found.results] == ["fatigue-talk"]
