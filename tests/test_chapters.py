"""Chapters: pasted "MM:SS Title" lines, WebVTT chapter files, validation and rendering."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from medialib.captions import CaptionError
from medialib.chapters import (
    Chapter,
    ChapterError,
    chapter_at,
    chapter_spans,
    chapters_to_webvtt,
    parse_chapters,
    validate_chapters,
)

THREE = [Chapter(0.0, "Welcome"), Chapter(150.0, "Side effects"), Chapter(3723.0, "Questions")]


def error_of(data: bytes | str, source: str = "chapters.txt") -> ChapterError:
    """The ChapterError that parsing `data` raises."""
    with pytest.raises(ChapterError) as caught:
        parse_chapters(data, source)
    return caught.value


def test_chapter_error_is_a_caption_error_with_the_same_contract():
    error = ChapterError("chapters.txt", 3, "not a chapter line")
    assert isinstance(error, CaptionError)
    assert (error.path, error.line, error.message) == ("chapters.txt", 3, "not a chapter line")
    assert str(error) == "chapters.txt:3: not a chapter line"
    assert str(ChapterError("chapters.txt", None, "no chapters")) == "chapters.txt: no chapters"


# --- pasted lines -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "0:00 Welcome\n2:30 Side effects\n1:02:03 Questions\n",
        "00:00 Welcome\n02:30 Side effects\n01:02:03 Questions",
        "00:00 - Welcome\n02:30 – Side effects\n1:02:03 — Questions\n",
        "0:00:00 Welcome\n0:02:30: Side effects\n1:02:03 | Questions\n",
        "(0:00) Welcome\n[2:30] Side effects\n(1:02:03) - Questions\n",
        "- 0:00 Welcome\n* 2:30 Side effects\n• 1:02:03 Questions\n",
        "1. 0:00 Welcome\n2) 2:30 Side effects\n3. 1:02:03 Questions\n",
        "\n\n  0:00   Welcome  \n\n2:30\tSide effects\n\n\n1:02:03 Questions\n\n",
    ],
    ids=[
        "short",
        "padded",
        "dashes",
        "hours-colon-bar",
        "brackets",
        "bullets",
        "numbered",
        "blank",
    ],
)
def test_pasted_chapter_lines(text):
    assert parse_chapters(text) == THREE


def test_pasted_lines_in_any_encoding_and_newlines():
    text = "0:00 Café – “hello”\r\n2:30 Naïve questions\r\n"
    expected = [Chapter(0.0, "Café – “hello”"), Chapter(150.0, "Naïve questions")]
    for data in [
        text.encode("cp1252"),
        text.encode("utf-8"),
        codecs.BOM_UTF8 + text.encode("utf-8"),
        text.encode("utf-16"),
        text.replace("\r\n", "\r"),
    ]:
        assert parse_chapters(data) == expected


def test_titles_keep_their_colons_and_dashes_and_fractions_are_read():
    text = "0:00 Breast Cancer: The Basics\n0:05.5 Part 1 - Radiation - What to expect\n"
    assert parse_chapters(text) == [
        Chapter(0.0, "Breast Cancer: The Basics"),
        Chapter(5.5, "Part 1 - Radiation - What to expect"),
    ]


def test_pasted_titles_read_like_webvtt_cue_text():
    text = "0:00 Q&amp;A\u200b with   <i>Dr. Lin</i> &lt;3\n1:00 AT&T R&D\n"
    assert parse_chapters(text) == [Chapter(0.0, "Q&A with Dr. Lin <3"), Chapter(60.0, "AT&T R&D")]


# --- WebVTT (and SRT) chapter files ------------------------------------------------------


def test_webvtt_chapters_file():
    data = (
        "WEBVTT\n\nNOTE chapters of the talk\n\n"
        "chapter-1\n00:00:00.000 --> 00:02:30.000\nWelcome\n\n"
        "chapter-2\n00:02:30.000 --> 01:02:03.000 align:start\n<b>Side</b> effects\n\n"
        "01:02:03.000 --> 01:10:00.000\nQuestions\n"
    )
    assert parse_chapters(data.encode("utf-16")) == THREE


def test_webvtt_chapter_titles_are_plain_text_and_never_speakers():
    data = "WEBVTT\n\n00:00.000 --> 00:10.000\nBreast Cancer: Q&amp;A &lt;live&gt;\n"
    assert parse_chapters(data) == [Chapter(0.0, "Breast Cancer: Q&A <live>")]


def test_srt_chapters_file():
    data = "1\n00:00:00,000 --> 00:02:30,000\nWelcome\n\n2\n00:02:30,000 --> 00:05:00,000\nEnd\n"
    assert parse_chapters(data) == [Chapter(0.0, "Welcome"), Chapter(150.0, "End")]


# --- errors naming the line ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "line", "words"),
    [
        (b"", 1, "empty"),
        (b"\n \n", 1, "empty"),
        (b"Chapters:\n0:00 Welcome\n", 1, "not a chapter line 'Chapters:'"),
        (b"0:00 Welcome\n\nthen some words\n", 3, "not a chapter line"),
        (b"0:00 Welcome\n2:30\n", 2, "not a chapter line"),
        (b"0:00 Welcome\n75:00 Too long\n", 2, "under 60"),
        (b"0:00 Welcome\n2:30 Two\n2:30 Again\n", 3, "not after the chapter before it"),
        (b"0:00 Welcome\n2:30 Two\n1:00 Back\n", 3, "'Back' starts at 00:01:00.000"),
        (b"0:00 Welcome\n0:10 Tw\x00o\n", 2, "NUL"),
        (b"0:00 Welcome\n0:10 <b> </b>\n", 2, "no title"),
        (b"WEBVTT\n", 1, "no chapters"),
        (b"WEBVTT\n\n00:00.000 --> 00:10.000\nA\n\n00:10.000 -> 00:20.000\nB\n", 6, "broken"),
        (b"WEBVTT\n\n00:00.000 --> 00:10.000\n\n00:10.000 --> 00:20.000\nB\n", 3, "no title"),
        (b"WEBVTT\n\n00:05.000 --> 00:10.000\nA\n\n00:05.000 --> 00:20.000\nB\n", 6, "not after"),
        (b"WEBVTT\n\n00:20.000 --> 00:10.000\nA\n", 3, "before it starts"),
    ],
)
def test_errors_name_the_line(data, line, words):
    error = error_of(data)
    assert error.line == line
    assert words in error.message
    assert str(error).startswith(f"chapters.txt:{line}: ")


# --- validation, spans, lookup ------------------------------------------------------------


def test_valid_chapters_pass():
    validate_chapters(THREE, 3800.0, "talk")
    validate_chapters(THREE, None, "talk")
    validate_chapters([], 10.0, "talk")


@pytest.mark.parametrize(
    ("chapters", "duration", "words"),
    [
        ([Chapter(-1.0, "Early")], 10.0, "chapter 1 ('Early') starts at -1.0, before the start"),
        (THREE, 3723.0, "chapter 3 ('Questions') starts at 01:02:03.000, at or after the end"),
        (THREE, 100.0, "chapter 2 ('Side effects') starts at 00:02:30.000, at or after the end"),
        (
            [Chapter(0.0, "A"), Chapter(5.0, "B"), Chapter(5.0, "C")],
            None,
            "chapter 3 ('C') starts at 00:00:05.000, not after chapter 2 (00:00:05.000)",
        ),
        ([Chapter(0.0, "A"), Chapter(5.0, "  ")], 10.0, "chapter 2 (at 00:00:05.000) has no title"),
    ],
)
def test_invalid_chapters_say_which_and_why(chapters, duration, words):
    with pytest.raises(ChapterError) as caught:
        validate_chapters(chapters, duration, "catalog.yaml")
    assert caught.value.path == "catalog.yaml" and caught.value.line is None
    assert words in caught.value.message


def test_chapter_spans_end_where_the_next_starts_or_the_media_ends():
    assert chapter_spans(THREE, 3800.0) == [
        (THREE[0], 150.0),
        (THREE[1], 3723.0),
        (THREE[2], 3800.0),
    ]
    assert chapter_spans([], 10.0) == []


def test_chapter_at():
    assert chapter_at(THREE, 0.0) == THREE[0]
    assert chapter_at(THREE, 149.999) == THREE[0]
    assert chapter_at(THREE, 150.0) == THREE[1]
    assert chapter_at(THREE, 99999.0) == THREE[2]
    assert chapter_at([Chapter(10.0, "Late")], 5.0) is None
    assert chapter_at([], 5.0) is None


# --- WebVTT rendering and round trips -------------------------------------------------------


def test_chapters_to_webvtt():
    chapters = [Chapter(0.0, "Q&A <live>"), Chapter(90.5, "End --> of talk")]
    assert chapters_to_webvtt(chapters, 120.0) == (
        "WEBVTT\n\n"
        "00:00:00.000 --> 00:01:30.500\nQ&amp;A &lt;live&gt;\n\n"
        "00:01:30.500 --> 00:02:00.000\nEnd --&gt; of talk\n"
    )
    assert parse_chapters(chapters_to_webvtt(chapters, 120.0)) == chapters


def test_chapters_to_webvtt_refuses_invalid_chapters():
    with pytest.raises(ChapterError, match="at or after the end of the media"):
        chapters_to_webvtt(THREE, 60.0)


titles = st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Cf", "Zl", "Zp", "Co", "Cn")),
    min_size=1,
    max_size=40,
).map(lambda text: " ".join(text.split()))


@st.composite
def chapter_lists(draw) -> tuple[list[Chapter], float]:
    starts = sorted(set(draw(st.lists(st.integers(0, 10 * 3600 * 1000), min_size=1, max_size=6))))
    chapters = [Chapter(ms / 1000, draw(titles.filter(bool))) for ms in starts]
    return chapters, (starts[-1] + draw(st.integers(1, 60_000))) / 1000


@settings(max_examples=100, deadline=None)
@given(chapter_lists())
def test_round_trip_property(chapters_and_duration):
    chapters, duration = chapters_and_duration
    assert parse_chapters(chapters_to_webvtt(chapters, duration)) == chapters


# --- fuzzing: any input gives chapters or a ChapterError -----------------------------------


def check_outcome(data: bytes | str) -> None:
    try:
        chapters = parse_chapters(data, "fuzz.txt")
    except ChapterError as error:
        assert error.path == "fuzz.txt" and error.message
        assert error.line is None or error.line >= 1
        return
    assert chapters and all(chapter.title for chapter in chapters)
    assert all(a.start < b.start for a, b in zip(chapters, chapters[1:], strict=False))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=1000))
def test_any_bytes_give_chapters_or_a_chapter_error(data):
    check_outcome(data)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=1000))
def test_any_text_gives_chapters_or_a_chapter_error(text):
    check_outcome(text)


LINES = ["", "0:00 Intro", "(1:00) B", "- 2:00 - C", "1:00:00 D", "9:99 X", "WEBVTT", "-->", "1"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(LINES) | st.text(max_size=20), max_size=20))
def test_chapter_like_input_gives_chapters_or_a_chapter_error(lines):
    check_outcome("\n".join(lines))
