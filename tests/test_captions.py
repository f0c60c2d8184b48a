"""Captions: encodings, WebVTT/SRT quirks, speakers, rolling captions, errors with lines."""

from __future__ import annotations

import codecs
import math
import pickle

import pytest
import webvtt
from hypothesis import given, settings
from hypothesis import strategies as st

from medialib.captions import (
    CaptionError,
    Cue,
    cues_to_webvtt,
    decode_caption_bytes,
    format_timestamp,
    load_captions,
    parse_captions,
    parse_timestamp,
)


def error_of(data: bytes | str, source: str = "talk.vtt") -> CaptionError:
    """The CaptionError that parsing `data` raises."""
    with pytest.raises(CaptionError) as caught:
        parse_captions(data, source)
    return caught.value


def texts(data: bytes | str) -> list[str]:
    """The text of each cue parsed from `data`."""
    return [cue.text for cue in parse_captions(data)]


VTT = "WEBVTT\n\n00:00:01.000 --> 00:00:02.500\nHello there.\n\n00:03.000 --> 00:04.000\nBye.\n"
SRT = "1\n00:00:01,000 --> 00:00:02,500\nHello there.\n\n2\n00:00:03,000 --> 00:00:04,000\nBye.\n"
EXPECTED = [Cue(1.0, 2.5, "Hello there."), Cue(3.0, 4.0, "Bye.")]


# --- errors -------------------------------------------------------------------------------


def test_caption_error_names_file_and_line():
    error = CaptionError("talk.vtt", 7, "broken timing line")
    assert (error.path, error.line, error.message) == ("talk.vtt", 7, "broken timing line")
    assert str(error) == "talk.vtt:7: broken timing line"
    assert str(CaptionError("talk.vtt", None, "cannot read")) == "talk.vtt: cannot read"
    assert str(pickle.loads(pickle.dumps(error))) == str(error)


# --- decoding -----------------------------------------------------------------------------

WESTERN = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nCafé crème – “Ça va?” … 5 €\n"


@pytest.mark.parametrize(
    "data",
    [
        WESTERN.encode("utf-8"),
        codecs.BOM_UTF8 + WESTERN.encode("utf-8"),
        codecs.BOM_UTF16_LE + WESTERN.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + WESTERN.encode("utf-16-be"),
        codecs.BOM_UTF32_LE + WESTERN.encode("utf-32-le"),
        WESTERN.encode("cp1252"),
        WESTERN.replace("\n", "\r\n").encode("cp1252"),
        WESTERN.replace("\n", "\r").encode("utf-16"),
    ],
    ids=["utf8", "utf8-bom", "utf16le", "utf16be", "utf32le", "cp1252", "cp1252-crlf", "utf16-cr"],
)
def test_common_encodings_and_newlines_decode_to_the_same_text(data):
    assert decode_caption_bytes(data, "x.vtt") == WESTERN
    assert texts(data) == ["Café crème – “Ça va?” … 5 €"]


def test_cp1252_wins_for_short_western_text_that_other_code_pages_could_read():
    for word in ["café", "Müller", "naïve señor", "“quoted”"]:
        data = f"WEBVTT\n\n00:01.000 --> 00:02.000\n{word}\n".encode("cp1252")
        assert texts(data) == [word]


def test_non_western_legacy_text_is_guessed_rather_than_read_as_accents():
    russian = "Лучевая терапия помогает многим пациентам. Поговорите с врачом о побочных эффектах."
    data = f"WEBVTT\n\n00:01.000 --> 00:02.000\n{russian}\n".encode("cp1251")
    assert texts(data) == [russian]


def test_nul_bytes_are_refused_naming_the_line():
    error = error_of(b"WEBVTT\n\n00:01.000 --> 00:02.000\nhi\x00there\n")
    assert error.line == 4 and "NUL" in error.message
    no_bom = "WEBVTT\n\n00:01.000 --> 00:02.000\nhi\n".encode("utf-16-le")
    assert "UTF-16 without a byte order mark" in error_of(no_bom).message


def test_invalid_bytes_after_a_bom_name_the_line():
    data = codecs.BOM_UTF8 + b"WEBVTT\n\n00:01.000 --> 00:02.000\nbad \xff byte\n"
    assert error_of(data).line == 4
    assert error_of(codecs.BOM_UTF16_LE + "WEBVTT\n\n".encode("utf-16-le") + b"x").line == 3


# --- format detection and structure -------------------------------------------------------


def test_webvtt_and_srt_are_detected_by_content_not_by_name():
    assert parse_captions(VTT, "captions.srt") == EXPECTED
    assert parse_captions(SRT, "captions.vtt") == EXPECTED
    assert parse_captions(SRT.encode(), "captions.txt") == EXPECTED


def test_webvtt_header_text_metadata_notes_styles_regions_identifiers_and_settings():
    data = (
        "WEBVTT - a talk\nKind: captions\nLanguage: en\n\n"
        "NOTE written by hand\nover two lines\n\n"
        "STYLE\n::cue(.loud) { color: red }\n\n"
        "REGION\nid:fred width:40%\n\n"
        "intro\n00:00:01.000 --> 00:00:02.500 align:start line:0 position:10%\nHello there.\n\n"
        "NOTE between cues\n\n"
        "2\n00:03.000 --> 00:04.000 region:fred\nBye.\n"
    )
    assert parse_captions(data) == EXPECTED


def test_first_cue_may_follow_the_header_without_a_blank_line():
    assert texts("WEBVTT\n00:01.000 --> 00:02.000\nHi\n") == ["Hi"]


def test_metadata_after_a_blank_line_before_the_first_cue_is_ignored():
    data = "WEBVTT\n\nKind: captions\nLanguage: en\n\n00:01.000 --> 00:02.000\nHi\n"
    assert texts(data) == ["Hi"]


def test_lenient_timestamps_are_accepted():
    data = "WEBVTT\n\n1:02.5 --> 1:03,25\nA\n\n100:00:00.000 --> 100:00:01.000\nB\n"
    assert [(c.start, c.end) for c in parse_captions(data)] == [(62.5, 63.25), (360000.0, 360001.0)]


def test_cues_are_sorted_by_start_and_empty_ones_dropped():
    data = (
        "WEBVTT\n\n00:05.000 --> 00:06.000\nLater\n\n00:03.000 --> 00:04.000\n<i> </i>\n\n"
        "00:01.000 --> 00:02.000\nFirst\n"
    )
    assert parse_captions(data) == [Cue(1.0, 2.0, "First"), Cue(5.0, 6.0, "Later")]


def test_srt_quirks_numbers_blank_lines_in_text_and_missing_blank_lines():
    data = (
        "\n\n1 \n00:00:01,000 --> 00:00:02,000\nFirst line\n\nstill the first cue\n"
        "2\n00:00:03,000 --> 00:00:04,000\nSecond\n\n"
        "00:00:05,000 --> 00:00:06,000 X1:100 X2:200\nNo number\n"
    )
    assert parse_captions(data, "x.srt") == [
        Cue(1.0, 2.0, "First line still the first cue"),
        Cue(3.0, 4.0, "Second"),
        Cue(5.0, 6.0, "No number"),
    ]


# --- error paths, each naming the line ----------------------------------------------------


@pytest.mark.parametrize(
    ("data", "line", "words"),
    [
        (b"", 1, "empty"),
        (b"  \r\n\n", 1, "empty"),
        (b"Hello, this is a letter\n", 1, "not a WebVTT or SRT"),
        (b"\n\nWEBVTTX\n", 3, "not a WebVTT or SRT"),
        (b"WEBVTT\n", 1, "no cues"),
        (b"WEBVTT\n\nNOTE only a note\n", 1, "no cues"),
        (b"WEBVTT\n\n00:01.000 -> 00:02.000\nhi\n", 3, "broken timing line"),
        (b"WEBVTT\n\n00:01.000 --> 00:02.000\nok\n\nid\n00:03.000 --> 00:0x.000\n", 7, "broken"),
        (b"WEBVTT\n\n00:01.000 --> 00:02.000\nok\n\n00:03.000 - 00:04.000\nhi\n", 6, "broken"),
        (b"WEBVTT\n\n00:01.000 --> 00:02.000\nok\nnot --> a timing\n", 5, "broken"),
        (b"WEBVTT\n\n00:01.000 --> 00:61.000\nhi\n", 3, "under 60"),
        (b"WEBVTT\n\n00:05.000 --> 00:02.000\nhi\n", 3, "ends (00:00:02.000) before"),
        (b"WEBVTT\n\n00:01.000 --> 00:02.000\nhi\n\nlost text\n", 6, "text outside any cue"),
        (b"WEBVTT\n\n00:01.000 --> 00:02.000\n\n00:03.000 --> 00:04.000\n<b></b>\n", 3, "no cue"),
        (b"1\n00:00:01,000 -> 00:00:02,000\nhi\n", 2, "broken timing line"),
        (b"1\n00:00:01,000 --> 00:00:02,000\nhi\n\n2\n00:00:03,000 --> 3\nyo\n", 6, "broken"),
        (b"1\r\n00:00:01,000 --> 00:00:02,000\r\nok\r\n\r\n2\r\n0:09,0 --> 0:03,0\r\n", 6, "ends"),
    ],
)
def test_errors_name_the_line(data, line, words):
    error = error_of(data)
    assert error.line == line
    assert words in error.message
    assert str(error).startswith(f"talk.vtt:{line}: ")


def test_load_captions_reads_the_file_and_names_it(tmp_path):
    path = tmp_path / "talk.srt"
    path.write_bytes(SRT.encode("cp1252"))
    assert load_captions(path) == EXPECTED
    path.write_bytes(b"WEBVTT\n\n00:01.000 --> 00:02.000 align:start\n")
    with pytest.raises(CaptionError) as caught:
        load_captions(path)
    assert str(caught.value) == f"{path}:3: no cue has any text"
    for unreadable in [tmp_path / "missing.vtt", tmp_path]:
        with pytest.raises(CaptionError) as caught:
            load_captions(unreadable)
        assert caught.value.path == str(unreadable) and caught.value.line is None
        assert str(caught.value).startswith(f"{unreadable}: cannot read")


# --- cue text: markup and entities --------------------------------------------------------


def test_markup_is_removed_and_entities_decoded():
    data = (
        "WEBVTT\n\n00:01.000 --> 00:02.000\n"
        "<i>Take</i> <b>one</b> <u>pill</u> <c.yellow.bg_blue>daily</c> <lang en>now</lang>\n"
        "<ruby>漢<rt>kan</rt></ruby> <00:00:01.480>word {\\an8}here\n"
        "&amp; &lt;3 &gt; a&nbsp;b &lrm;x&#39;s &#x2014; &#8212;\n"
    )
    assert texts(data) == ["Take one pill daily now 漢 word here & <3 > a b x's — —"]


def test_srt_font_tags_are_removed_but_literal_angle_brackets_kept():
    data = '1\n00:00:01,000 --> 00:00:02,000\n<font color="#ffff00">dose</font> x < y and y > z\n'
    assert texts(data) == ["dose x < y and y > z"]


# --- speakers -----------------------------------------------------------------------------


def speakers(data: str) -> list[tuple[str | None, str]]:
    return [(cue.speaker, cue.text) for cue in parse_captions(data)]


def vtt_of(*payloads: str) -> str:
    cues = (f"00:0{i}.000 --> 00:0{i}.900\n{text}" for i, text in enumerate(payloads))
    return "WEBVTT\n\n" + "\n\n".join(cues) + "\n"


def test_speakers_from_voice_spans():
    data = vtt_of(
        "<v Dr. Jane Smith>Welcome.</v>",
        "<v.loud.first Bob Lee>No closing tag",
        "<v Ann>Two</v>\n<v Ann>lines</v>",
        "<v Ann &amp; Co>Entity</v>",
        "<v Jane>Bob: not a label here</v>",
    )
    assert speakers(data) == [
        ("Dr. Jane Smith", "Welcome."),
        ("Bob Lee", "No closing tag"),
        ("Ann", "Two lines"),
        ("Ann & Co", "Entity"),
        ("Jane", "Bob: not a label here"),
    ]


def test_a_dialogue_in_one_cue_keeps_who_said_what_in_the_text():
    data = vtt_of("<v Jane>Hi.</v> <v Bob>Hello.</v>", "Jane: Hi.\nBob: Hello.")
    assert speakers(data) == [(None, "Jane: Hi. Bob: Hello."), (None, "Jane: Hi. Bob: Hello.")]


def test_speakers_from_meeting_tool_labels():
    data = vtt_of(
        "Dr. Jane Smith: Welcome everyone.",
        "JANE: In capitals.",
        "Jane von Berg: With a particle.",
        "Jane Smith, MD: With credentials.",
        "<i>Ann Lee:</i> In italics.",
        "Ann Lee: Twice\nAnn Lee: on two lines.",
    )
    assert speakers(data) == [
        ("Dr. Jane Smith", "Welcome everyone."),
        ("JANE", "In capitals."),
        ("Jane von Berg", "With a particle."),
        ("Jane Smith, MD", "With credentials."),
        ("Ann Lee", "In italics."),
        ("Ann Lee", "Twice on two lines."),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Note: take it with food.",
        "NOTE: capitals too.",
        "Warning: may cause drowsiness.",
        "Q: what is a living will?",
        "Step 1: talk to your doctor.",
        "10:30 is when we meet.",
        "The doctor told me this: rest.",
        "One Two Three Four Five: too many words.",
        "jane: lowercase is not a name.",
        "See https://example.org for more.",
        "Dr. Smith said: rest.",
        "Treatment: surgery, then radiation.",
        "Remember: ask your care team.",
    ],
)
def test_colons_that_are_not_speaker_labels(text):
    assert speakers(vtt_of(text)) == [(None, text)]


def test_a_speaker_never_carries_over_to_the_next_cue():
    data = vtt_of("Jane Lee: Hi.", "How are you?", "<v Bob>Fine.</v>", "And you?")
    assert [speaker for speaker, _ in speakers(data)] == ["Jane Lee", None, "Bob", None]


def test_a_one_word_label_is_a_speaker_only_when_it_labels_several_cues():
    data = vtt_of("Jane: Hi.", "Surgery: first.", "Jane: Bye.", "NARRATOR: Once.")
    assert speakers(data) == [
        ("Jane", "Hi."),
        (None, "Surgery: first."),
        ("Jane", "Bye."),
        ("NARRATOR", "Once."),
    ]


# --- rolling auto-captions ----------------------------------------------------------------

# YouTube's own layout, including its lines of a single space.
YOUTUBE = "\n".join(
    [
        "WEBVTT",
        "Kind: captions",
        "Language: en",
        "",
        "00:00:00.000 --> 00:00:02.310 align:start position:0%",
        " ",
        "so<00:00:00.240><c> today</c><00:00:00.480><c> we're</c>",
        "",
        "00:00:02.310 --> 00:00:02.320 align:start position:0%",
        "so today we're",
        " ",
        "",
        "00:00:02.320 --> 00:00:04.950 align:start position:0%",
        "so today we're",
        "going<00:00:02.560><c> to</c><00:00:02.800><c> talk</c>",
        "",
        "00:00:04.950 --> 00:00:04.960 align:start position:0%",
        "going to talk",
        " ",
        "",
        "00:00:04.960 --> 00:00:07.000 align:start position:0%",
        "going to talk",
        "about<00:00:05.200><c> chemo</c><00:00:05.900><c> brain.</c>",
        "",
    ]
)


def test_youtube_rolling_captions_are_collapsed_so_each_line_appears_once():
    assert parse_captions(YOUTUBE) == [
        Cue(0.0, 2.31, "so today we're"),
        Cue(2.32, 4.95, "going to talk"),
        Cue(4.96, 7.0, "about chemo brain."),
    ]


def test_roll_up_captions_without_word_stamps_are_collapsed():
    data = vtt_of("First line", "First line\nsecond", "second\nthird line", "third line\nend")
    assert texts(data) == ["First line", "second", "third line", "end"]


def test_repeated_lines_in_ordinary_captions_are_kept():
    assert texts(vtt_of("Yes.", "Yes.", "Yes.\nNo.")) == ["Yes.", "Yes.", "Yes. No."]


# --- timestamps ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("00:01.500", 1.5),
        ("01:02:03.004", 3723.004),
        ("01:02:03,004", 3723.004),
        ("1:2:3.4", 3723.4),
        ("12:30", 750.0),
        ("123:00:00.000", 442800.0),
    ],
)
def test_parse_timestamp(text, seconds):
    assert parse_timestamp(text) == seconds


@pytest.mark.parametrize("text", ["", "1", "1.5", "00:60.000", "01:60:00", "a:bc", "00:01.5000"])
def test_parse_timestamp_refuses_what_is_not_a_time(text):
    with pytest.raises(ValueError):
        parse_timestamp(text)


def test_format_timestamp():
    assert format_timestamp(0) == "00:00:00.000"
    assert format_timestamp(3723.004) == "01:02:03.004"
    assert format_timestamp(59.9996) == "00:01:00.000"
    assert format_timestamp(360000.5) == "100:00:00.500"
    for bad in [-1, math.nan, math.inf]:
        with pytest.raises(ValueError):
            format_timestamp(bad)


# --- writing WebVTT and round trips -------------------------------------------------------


def test_cues_to_webvtt_writes_normalized_webvtt():
    cues = [Cue(1.0, 2.5, "Fish & chips <3", "Dr. Jane Smith"), Cue(3723.004, 3724.0, "Bye.")]
    assert cues_to_webvtt(cues) == (
        "WEBVTT\n\n"
        "00:00:01.000 --> 00:00:02.500\n<v Dr. Jane Smith>Fish &amp; chips &lt;3</v>\n\n"
        "01:02:03.004 --> 01:02:04.000\nBye.\n"
    )


@pytest.mark.parametrize(
    "cue",
    [
        Cue(0.0, 1.0, "Jane: a label-like text with no known speaker"),
        Cue(0.0, 1.0, "Bob: said inside Jane's cue", "Jane"),
        Cue(0.0, 1.0, "{\\an8} is not a style tag here"),
        Cue(0.0, 1.0, "--> <b>not markup</b> &amp; <00:00:01.000>"),
        Cue(0.0, 0.0, "NOTE this is text"),
        Cue(0.0, 1.0, "x", "A <b> & {\\i1} > C"),
    ],
)
def test_awkward_cues_round_trip(cue):
    assert parse_captions(cues_to_webvtt([cue])) == [cue]


def test_parsed_files_round_trip_through_normalized_webvtt():
    for data in [VTT, SRT, YOUTUBE, WESTERN.encode("cp1252"), vtt_of("Jane: Hi.\nBob: Hello.")]:
        cues = parse_captions(data)
        assert parse_captions(cues_to_webvtt(cues)) == cues


def test_webvtt_py_reads_our_output_the_same_way():
    cues = parse_captions(YOUTUBE) + [Cue(8.0, 9.5, "Fish & chips", "Ann <Lee>")]
    written = webvtt.from_string(cues_to_webvtt(cues))
    assert [(c.start_time.in_milliseconds(), c.end_time.in_milliseconds()) for c in written] == [
        (round(c.start * 1000), round(c.end * 1000)) for c in cues
    ]
    assert written.captions[-1].voice == "Ann &lt;Lee&gt;"


# Cues as parse_captions returns them: whitespace collapsed, no control or invisible characters.
clean_text = st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Cf", "Zl", "Zp", "Co", "Cn")),
    min_size=1,
    max_size=40,
).map(lambda text: " ".join(text.split()))
millis = st.integers(0, 100 * 3600 * 1000)


@st.composite
def normalized_cues(draw) -> list[Cue]:
    cues = []
    for _ in range(draw(st.integers(1, 5))):
        start, length = draw(millis), draw(st.integers(0, 10_000))
        text = draw(clean_text.filter(bool))
        speaker = draw(st.none() | clean_text.filter(bool))
        cues.append(Cue(start / 1000, (start + length) / 1000, text, speaker))
    return sorted(cues, key=lambda cue: cue.start)


@settings(max_examples=60, deadline=None)
@given(normalized_cues())
def test_round_trip_property(cues):
    assert parse_captions(cues_to_webvtt(cues)) == cues


# --- fuzzing: any input gives cues or a CaptionError --------------------------------------

TRICKY_LINES = [
    "WEBVTT",
    "",
    " ",
    "1",
    "NOTE x",
    "STYLE",
    "REGION",
    "00:00:01.000 --> 00:00:02.000",
    "00:00:02,000 --> 00:00:01,000",
    "00:01.000 --> 00:02.000 align:start",
    "99:99:99.999 --> 00:00:00.000",
    "-->",
    "10:30 meeting",
    "<v Jane>Hi</v>",
    "<v.a >x",
    "Jane Smith: hello",
    "so<00:00:00.240><c> today</c>",
    "{\\an8}&amp;&#0;&#xFFFFFF;<rt>",
    "\ufeff\u200e\u2028",
]


def check_outcome(data: bytes | str) -> None:
    try:
        cues = parse_captions(data, "fuzz.vtt")
    except CaptionError as error:
        assert error.path == "fuzz.vtt" and error.message
        assert error.line is None or error.line >= 1
        return
    assert cues and all(isinstance(cue, Cue) for cue in cues)
    assert all(cue.text and cue.start <= cue.end and "\n" not in cue.text for cue in cues)
    assert [cue.start for cue in cues] == sorted(cue.start for cue in cues)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_give_cues_or_a_caption_error(data):
    check_outcome(data)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=2000))
def test_any_text_gives_cues_or_a_caption_error(text):
    check_outcome(text)


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(["WEBVTT\n", "1\n00:00:00,000 --> 00:00:01,000\n", ""]),
    st.lists(st.sampled_from(TRICKY_LINES) | st.text(max_size=30), max_size=25),
    st.sampled_from(["\n", "\r\n", "\r"]),
    st.sampled_from(["utf-8", "utf-16", "cp1252"]),
)
def test_caption_like_input_gives_cues_or_a_caption_error(head, lines, newline, encoding):
    text = (head + "\n".join(lines)).replace("\n", newline)
    check_outcome(text)
    check_outcome(text.encode(encoding, errors="replace"))
