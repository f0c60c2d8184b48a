"""medialib.web.params: what a visitor types in a query string, as the views need it."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medialib.web.params import (
    MAX_ID,
    MAX_PAGE,
    MAX_QUERY,
    clean_id,
    clean_text,
    page_number,
    seconds,
    spoken_duration,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        ("", ""),
        ("  chemo   brain \n", "chemo brain"),
        ("whole\x00brain\x1fradiation\x7f", "whole brain radiation"),
        ("tab\tand\nnewline", "tab and newline"),
        ("café – “quotes”", "café – “quotes”"),
    ],
)
def test_clean_text(value: str | None, expected: str) -> None:
    assert clean_text(value) == expected


def test_clean_text_cuts_long_input() -> None:
    assert clean_text("a" * (MAX_QUERY + 50)) == "a" * MAX_QUERY
    assert clean_text("word " * 10, limit=12) == "word word wo"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("radiation-therapy", "radiation-therapy"),
        (" radiation-therapy ", "radiation-therapy"),
        (None, None),
        ("", None),
        ("   ", None),
        ("two  spaces", None),  # collapsing would look up another id
        ("nul\x00inside", None),
        ("x" * MAX_ID, "x" * MAX_ID),
        ("x" * (MAX_ID + 1), None),
    ],
)
def test_clean_id(value: str | None, expected: str | None) -> None:
    assert clean_id(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, 1), ("", 1), ("3", 3), (" 7 ", 7), ("0", 1), ("-4", 1), ("2.5", 1), ("two", 1),
     (str(MAX_PAGE + 1), MAX_PAGE), ("9" * 400, MAX_PAGE), ("\x00", 1)],
)
def test_page_number(value: str | None, expected: int) -> None:
    assert page_number(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, 0.0), ("", 0.0), ("90", 90.0), ("90.5", 90.5), (" 12 ", 12.0),
        ("1m30s", 90.0), ("1h2m3s", 3723.0), ("2m", 120.0), ("45s", 45.0), ("1H2M", 3720.0),
        ("1.5s", 1.5), ("-5", 0.0), ("nan", 0.0), ("inf", 0.0), ("1e999", 0.0),
        ("m", 0.0), ("s", 0.0), ("1x", 0.0), ("1h" * 30, 0.0), ("00:01:30", 0.0),
    ],
)
def test_seconds(value: str | None, expected: float) -> None:
    assert seconds(value) == expected


def test_seconds_stops_at_the_limit() -> None:
    assert seconds("5000", limit=600.0) == 600.0
    assert seconds("30", limit=600.0) == 30.0
    assert seconds("30", limit=0) == 30.0  # no known duration: no limit


@pytest.mark.parametrize(
    ("total", "expected"),
    [
        (None, ""), (0, ""), (-3, ""), (math.nan, ""), (math.inf, ""),
        (1, "1 second"), (45, "45 seconds"), (59.4, "59 seconds"), (60, "1 minute"),
        (89, "1 minute"), (91, "2 minutes"), (1500, "25 minutes"), (3600, "1 hour"),
        (3900, "1 hour 5 minutes"), (7260, "2 hours 1 minute"),
    ],
)
def test_spoken_duration(total: float | None, expected: str) -> None:
    assert spoken_duration(total) == expected


@given(st.text(max_size=600))
def test_any_text_gives_a_value_and_never_an_exception(text: str) -> None:
    cleaned = clean_text(text)
    assert len(cleaned) <= MAX_QUERY and not any(ord(c) < 32 or c == "\x7f" for c in cleaned)
    found = clean_id(text)
    assert found is None or (found == text.strip() and len(found) <= MAX_ID)
    assert 1 <= page_number(text) <= MAX_PAGE
    start = seconds(text, limit=3600.0)
    assert math.isfinite(start) and 0.0 <= start <= 3600.0
