"""medialib.asr.cues and medialib.asr.wer: pure functions over word lists and texts."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from medialib.asr.cues import MAX_CHARS, MAX_SECONDS, MIN_SECONDS, Word, shape_cues, wrap
from medialib.asr.wer import word_error_rate, words_of


def timed(text: str, start: float = 0.0, each: float = 0.3, gap: float = 0.05) -> list[Word]:
    """Words of `text`, each `each` seconds long, `gap` apart."""
    words, at = [], start
    for token in text.split():
        words.append(Word(at, at + each, token))
        at += each + gap
    return words


def assert_caption_shape(cues, words) -> None:  # noqa: ANN001
    assert [w for c in cues for w in c.text.split()] == [w.text for w in words]
    for n, cue in enumerate(cues):
        lines = cue.text.split("\n")
        assert len(lines) <= 2 and all(0 < len(line) <= MAX_CHARS for line in lines), cue
        assert MIN_SECONDS - 1e-6 <= cue.end - cue.start <= MAX_SECONDS + 1e-6, cue
        assert cue.speaker is None  # recognition names no speaker
        if n + 1 < len(cues):
            assert cue.end <= cues[n + 1].start + 1e-9, (cue, cues[n + 1])


def test_one_sentence_per_cue_when_it_fits() -> None:
    words = timed("Radiation treats one area. It can relieve bone pain.")
    cues = shape_cues(words)
    assert [c.text for c in cues] == ["Radiation treats one area.", "It can relieve bone pain."]
    assert cues[0].start == 0.0 and cues[1].start == words[4].start


def test_a_long_sentence_breaks_at_a_clause_end() -> None:
    text = ("When the cancer has spread to the bones, a short course of radiation can ease the "
            "pain within a few weeks for most people.")
    cues = shape_cues(timed(text))
    assert cues[0].text.replace("\n", " ").endswith("to the bones,")
    assert_caption_shape(cues, timed(text))


def test_without_punctuation_it_breaks_before_a_conjunction() -> None:
    text = "It can relieve bone pain and stereotactic radiosurgery treats small spots in the brain."
    cues = shape_cues(timed(text, each=0.25))
    assert cues[0].text == "It can relieve bone pain"
    assert cues[1].text.startswith("and stereotactic")


def test_lines_are_balanced_and_prefer_a_clause_end() -> None:
    assert wrap("radiation therapy treats cancer in one area of the body.".split()) == [
        "radiation therapy treats cancer", "in one area of the body."]
    # "Yes," alone would leave a second line too long: the most even break wins.
    assert wrap("Yes, stereotactic radiosurgery treats a few small spots".split()) == [
        "Yes, stereotactic radiosurgery", "treats a few small spots"]


def test_short_cues_stay_a_second_without_overlapping() -> None:
    words = [Word(0.0, 0.3, "Yes."), Word(0.4, 0.6, "No."), Word(5.0, 5.2, "Maybe.")]
    cues = shape_cues(words, duration=5.5)
    assert [c.text for c in cues] == ["Yes. No.", "Maybe."]
    assert (cues[0].start, cues[0].end) == (0.0, 1.0)
    assert (cues[1].start, cues[1].end) == (4.5, 5.5)  # the recording ends: shown earlier


def test_a_pause_ends_a_cue_and_time_limits_hold() -> None:
    slow = [Word(i * 1.2, i * 1.2 + 1.0, f"word{i}") for i in range(12)]
    cues = shape_cues(slow)
    assert all(c.end - c.start <= MAX_SECONDS for c in cues)
    paused = timed("first part", each=0.4) + timed("second part", start=4.0, each=0.4)
    assert [c.text for c in shape_cues(paused)] == ["first part", "second part"]


def test_an_overlong_word_is_cut_to_fit_a_line() -> None:
    url = "https://example.org/" + "a" * 70
    cues = shape_cues([Word(0, 2, url)])
    assert all(len(line) <= MAX_CHARS for c in cues for line in c.text.split("\n"))
    assert "".join(c.text.replace("\n", "") for c in cues) == url


def test_empty_and_blank_words() -> None:
    assert shape_cues([]) == []
    assert shape_cues([Word(0, 1, "  ")]) == []


_TOKEN = st.text(alphabet="abcdefghij", min_size=1, max_size=12).flatmap(
    lambda w: st.sampled_from([w, w + ",", w + ".", w + "?", w.capitalize()]))


@st.composite
def speech(draw: st.DrawFn) -> list[Word]:
    """Words at a human pace: at most ~16 characters a second, with pauses now and then."""
    tokens = draw(st.lists(_TOKEN, min_size=1, max_size=120))
    words, at = [], draw(st.floats(0, 3))
    for token in tokens:
        at += draw(st.sampled_from([0.0, 0.05, 0.1, 0.3, 0.8, 1.5, 3.0]))
        length = max(0.06 * len(token), draw(st.floats(0.1, 1.2)))
        words.append(Word(round(at, 3), round(at + length, 3), token))
        at += length
    return words


@settings(max_examples=300, deadline=None, derandomize=True)  # the same examples every run
@given(speech())
def test_any_speech_gives_caption_shaped_cues(words: list[Word]) -> None:
    assert_caption_shape(shape_cues(words), words)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(speech())
def test_cues_end_by_the_recording_end(words: list[Word]) -> None:
    duration = max(words[-1].end + 0.2, MIN_SECONDS)  # a recording of at least a second
    cues = shape_cues(words, duration=duration)
    assert cues[-1].end <= duration + 1e-9
    assert_caption_shape(cues, words)


def test_word_error_rate() -> None:
    assert words_of("Stereotactic, radio-surgery. Don\u2019t") == [
        "stereotactic", "radio", "surgery", "don't"]
    assert word_error_rate("one two three four", "one two three four") == 0.0
    assert word_error_rate("one two three four", "one too three") == 0.5  # 1 sub + 1 del
    assert word_error_rate("one two", "one two extra words") == 1.0
    assert word_error_rate("", "") == 0.0
