"""A wrong caption file gets one complete answer: every problem with its line, capped."""

from __future__ import annotations

import pytest

from medialib.captions import MAX_LISTED, CaptionError, parse_captions


def broken_vtt(count: int) -> str:
    return "WEBVTT\n\n" + "".join(
        f"00:00:{i:02d}.000 -> 00:00:{i + 1:02d}.000\nLine {i}\n\n" for i in range(count)
    )


def test_25_broken_timing_lines_list_20_and_count_the_rest() -> None:
    with pytest.raises(CaptionError) as caught:
        parse_captions(broken_vtt(25), "vendor.vtt")
    error = caught.value
    assert len(error.problems) == 25
    lines = str(error).splitlines()
    assert lines[0] == "vendor.vtt:3: 25 problems in this caption file:"
    listed = lines[1:-1]
    assert len(listed) == MAX_LISTED == 20
    assert [line.split(":")[1] for line in listed] == [str(3 + 3 * i) for i in range(20)]
    assert all("broken timing line" in line for line in listed)
    assert lines[-1] == "  and 5 more"


def test_one_problem_reads_as_before() -> None:
    with pytest.raises(CaptionError) as caught:
        parse_captions(broken_vtt(1), "vendor.vtt")
    assert caught.value.line == 3 and caught.value.problems == (caught.value,)
    assert str(caught.value).startswith("vendor.vtt:3: broken timing line")


def test_different_problems_are_listed_in_line_order() -> None:
    text = ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nGood.\n\n"
            "00:00:05.000 --> 00:00:04.000\nBackwards.\n\n"
            "00:00:06.000 --> 00:00:07.000\nGood.\n\nStray text.\n\n"
            "00:00:08.000 --> 00:00:61.000\nBad seconds.\n")
    with pytest.raises(CaptionError) as caught:
        parse_captions(text, "mixed.vtt")
    assert [(p.line, p.message.split(" (")[0].split(":")[0]) for p in caught.value.problems] == [
        (6, "cue ends"), (12, "text outside any cue"), (14, "broken timing line")]


def test_srt_problems_are_all_listed_too() -> None:
    text = "".join(f"{i}\n00:00:0{i},000 --> 00:00:0{i - 1},000\nText {i}\n\n" for i in range(1, 5))
    with pytest.raises(CaptionError) as caught:
        parse_captions(text, "vendor.srt")
    assert [p.line for p in caught.value.problems] == [2, 6, 10, 14]


@pytest.mark.parametrize("space", ["\v", "\u00a0", "\f", "\u2003"])
def test_a_timing_line_is_separated_by_spaces_and_tabs_only(space: str) -> None:
    good = parse_captions("WEBVTT\n\n00:00:01.000\t-->  00:00:02.000 line:0\nHello.\n", "ok.vtt")
    assert good[0].text == "Hello." and good[0].end == 2.0
    padded = f"WEBVTT\n\n{space}00:00:01.000 -->{space}00:00:02.000\nHello.\n"
    with pytest.raises(CaptionError) as caught:
        parse_captions(padded, "padded.vtt")
    assert caught.value.line == 3
    assert f"only spaces and tabs may separate its parts, not U+{ord(space):04X}" in str(
        caught.value)
