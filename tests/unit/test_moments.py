"""Moments: the cues a hit starts and ends on, its chapter and speaker, its highlighted snippet.

Through `SearchIndex.search` over a two-webcast index (tests/unit/conftest.py): what the search
package promises, whichever of its modules computes it.
"""

from __future__ import annotations

from medialib.search import Hit, SearchIndex

from .search_library import LONG_CUE


def hits(index: SearchIndex, query: str, slug: str) -> list[Hit]:
    found = {r.slug: r for r in index.search(query).results}
    return found[slug].hits


def test_a_hit_is_the_cue_where_the_word_is(small_index: SearchIndex) -> None:
    (hit,) = hits(small_index, "tired", "fatigue-talk")
    assert (hit.start, hit.end) == (4.0, 7.5)
    assert hit.text == "Many patients feel tired after treatment."
    assert hit.html == "Many patients feel <mark>tired</mark> after treatment."
    assert (hit.chapter, hit.speaker) == ("Introduction", "Ann Lee, MD")  # the sole speaker


def test_a_phrase_across_two_cues_spans_both(small_index: SearchIndex) -> None:
    (hit,) = hits(small_index, '"cancer related fatigue"', "fatigue-talk")
    assert (hit.start, hit.end) == (8.0, 15.5)
    assert hit.html == ("We call this <mark>cancer</mark> <mark>related</mark> "
                        "<mark>fatigue</mark>, and it is common.")


def test_snippets_are_escaped(small_index: SearchIndex) -> None:
    first = hits(small_index, "naps", "fatigue-talk")[0]
    assert first.start == 20.0 and first.chapter == "Sleep and naps"
    assert first.html == "Sleep at night matters: use &lt; 2 <mark>naps</mark> &amp; rest."
    assert first.text == "Sleep at night matters: use < 2 naps & rest."


def test_a_long_cue_is_cut_around_the_word(small_index: SearchIndex) -> None:
    (hit,) = hits(small_index, "exercise", "fatigue-talk")
    assert len(LONG_CUE) > 500 and len(hit.text) <= 302  # about 300 characters and the ellipses
    assert hit.text.startswith("\u2026") and hit.text.endswith("\u2026")
    assert "Gentle exercise such as walking" in hit.text
    assert hit.html.count("<mark>exercise</mark>") == 1
    assert not hit.text[1:].startswith(" ") and not hit.text[:-1].endswith(" ")  # at word ends


def test_a_chapter_title_holding_the_query_is_a_moment_at_its_start(
    small_index: SearchIndex,
) -> None:
    (result,) = small_index.search("questions families").results
    assert result.slug == "fatigue-talk" and result.matched_fields == ["chapter"]
    (hit,) = result.hits
    assert (hit.start, hit.chapter, hit.text) == (32.0, "Questions from families", "Let us begin.")


def test_words_typed_rank_above_their_synonyms(small_index: SearchIndex) -> None:
    found = hits(small_index, "fatigue", "fatigue-talk")
    assert sorted(h.start for h in found[:2]) == [12.0, 24.0]  # the word itself
    assert found[2].start == 4.0 and "<mark>tired</mark>" in found[2].html  # a synonym, last


def test_a_speaker_comes_from_the_cue_or_a_sole_speaker_only(small_index: SearchIndex) -> None:
    assert hits(small_index, "thank", "chat")[0].speaker == "Bob Ray"  # named in the cue
    # Two speakers and a cue that names none: no guess.
    (hit,) = hits(small_index, "naps", "chat")
    assert (hit.speaker, hit.chapter) == (None, None)


def test_a_metadata_match_still_lands_on_a_moment(small_index: SearchIndex) -> None:
    (result,) = [r for r in small_index.search("questions").results if r.slug == "chat"]
    assert result.matched_fields == ["title"]
    assert [h.start for h in result.hits] == [0.0]  # the start of the webcast
