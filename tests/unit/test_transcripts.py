"""medialib.transcripts: cues and chapters -> sections, paragraphs and the plain-text file."""

from __future__ import annotations

import os

import pytest

from medialib.captions import Cue
from medialib.chapters import Chapter
from medialib.transcripts import (
    PARAGRAPH_CUES,
    TranscriptHeader,
    build_sections,
    clock,
    render_text,
    transcript_path,
    write_transcript,
)


def cue(start: float, text: str, speaker: str | None = None) -> Cue:
    return Cue(start, start + 2.0, text, speaker)


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [(0, "00:00"), (4.99, "00:04"), (65, "01:05"), (599.5, "09:59"), (3599.9, "59:59"),
     (3600, "1:00:00"), (3723, "1:02:03"), (36_000, "10:00:00"), (-3, "00:00")],
)
def test_clock(seconds: float, expected: str) -> None:
    assert clock(seconds) == expected


def test_cues_before_the_first_chapter_open_a_section_without_one() -> None:
    sections = build_sections([cue(0, "Hello."), cue(10, "Welcome.")], [Chapter(5.0, "Start")])
    assert [s.chapter for s in sections] == [None, Chapter(5.0, "Start")]
    assert [p.text for p in sections[0].paragraphs] == ["Hello."]
    assert [p.text for p in sections[1].paragraphs] == ["Welcome."]


def test_chapters_after_the_last_cue_are_kept_and_unordered_chapters_sorted() -> None:
    chapters = [Chapter(60.0, "Questions"), Chapter(0.0, "Intro"), Chapter(30.0, "Middle")]
    sections = build_sections([cue(0, "Only words.")], chapters)
    assert [s.chapter.title for s in sections if s.chapter] == ["Intro", "Middle", "Questions"]
    assert [len(s.paragraphs) for s in sections] == [1, 0, 0]


def test_a_cue_a_millisecond_before_its_chapter_belongs_to_it() -> None:
    sections = build_sections([cue(9.9995, "Now.")], [Chapter(0.0, "A"), Chapter(10.0, "B")])
    assert [(s.chapter.title, len(s.paragraphs)) for s in sections if s.chapter] == [
        ("A", 0), ("B", 1)]


def test_paragraphs_break_at_speaker_turns_and_full_sentences() -> None:
    cues = [
        cue(0, "Hello.", "Ann"),
        cue(2, "No speaker named: still Ann."),
        cue(4, "Over to you.", "Bob"),
        *(cue(6 + 2 * i, f"Sentence {i} ends.", "Bob") for i in range(PARAGRAPH_CUES)),
        cue(30, "A new paragraph, Bob still speaking", "Bob"),
    ]
    (section,) = build_sections(cues, [])
    paras = section.paragraphs
    assert [(p.speaker, p.speaker_changed, len(p.cues)) for p in paras] == [
        ("Ann", True, 2),
        ("Bob", True, PARAGRAPH_CUES),  # full at PARAGRAPH_CUES cues ending a sentence
        ("Bob", False, 2),
    ]
    assert paras[0].start == 0 and paras[2].start == 14.0
    assert paras[0].text == "Hello. No speaker named: still Ann."


def test_a_full_paragraph_waits_for_the_sentence_to_end() -> None:
    cues = [cue(2 * i, f"words {i}") for i in range(PARAGRAPH_CUES + 2)]
    cues.append(cue(100, "ends here."))
    cues.append(cue(102, "Next."))
    (section,) = build_sections(cues, [])
    assert [len(p.cues) for p in section.paragraphs] == [PARAGRAPH_CUES + 3, 1]
    assert section.paragraphs[0].speaker is None


def test_no_cues_and_no_chapters_is_no_sections() -> None:
    assert build_sections([], []) == []


def test_render_text() -> None:
    header = TranscriptHeader(
        title="Designating a healthcare proxy", speakers=["Jane Doe, RN"],
        recorded="2024-03-12", series="Advance care planning", part=2,
    )
    cues = [cue(0, "Welcome.", "Jane Doe"), cue(75, "A proxy speaks for you.", "Jane Doe")]
    text = render_text(header, build_sections(cues, [Chapter(60.0, "What a proxy does")]))
    assert text == (
        "Designating a healthcare proxy\n"
        "==============================\n"
        "Speaker: Jane Doe, RN\n"
        "Series: Advance care planning, part 2\n"
        "Recorded: 2024-03-12\n"
        "\n"
        "[00:00] Jane Doe: Welcome.\n"
        "\n"
        "## What a proxy does [01:00]\n"
        "\n"
        "[01:15] Jane Doe: A proxy speaks for you.\n"  # each chapter names who speaks
    )


def test_render_text_header_variants() -> None:
    long_title = "T" * 120
    text = render_text(TranscriptHeader(long_title, speakers=["A", "B"]), [])
    lines = text.splitlines()
    assert lines[:3] == [long_title, "=" * 79, "Speakers: A; B"]
    assert text.endswith("Speakers: A; B\n")  # one newline at the end, never blank lines
    assert render_text(TranscriptHeader("Alone"), []) == "Alone\n=====\n"
    unnumbered = render_text(TranscriptHeader("T", series="Care", part=None), [])
    assert unnumbered.splitlines()[2] == "Series: Care"


def test_write_transcript_only_when_changed(tmp_path) -> None:
    path = transcript_path(tmp_path, "talk", "es")
    assert path == tmp_path / "talk.es.txt"
    assert write_transcript(path, "Hola\n") is True
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    assert write_transcript(path, "Hola\n") is False
    assert path.stat().st_mtime_ns == 1_000_000_000  # untouched: git and rsync see no change
    assert write_transcript(path, "Adiós\n") is True
    assert path.read_text(encoding="utf-8") == "Adiós\n"
    assert [p.name for p in tmp_path.iterdir()] == ["talk.es.txt"]  # no temporary file left
