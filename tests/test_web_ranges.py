"""medialib.web.ranges: Range headers as RFC 9110 reads them."""

from __future__ import annotations

import pytest

from medialib.web.ranges import Slice, Unsatisfiable, byte_range

SIZE = 1000


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-99", (0, 99)),
        ("bytes=100-", (100, 999)),
        ("bytes=-100", (900, 999)),
        ("bytes=-5000", (0, 999)),  # a suffix longer than the file is the whole file
        ("bytes=990-5000", (990, 999)),  # the last position is clipped to the file
        ("bytes=999-999", (999, 999)),
        (" bytes = 5 - 9 ", (5, 9)),
        ("BYTES=0-0", (0, 0)),
    ],
)
def test_single_ranges(header: str, expected: tuple[int, int]) -> None:
    part = byte_range(header, SIZE)
    assert isinstance(part, Slice)
    assert (part.first, part.last) == expected
    assert part.length == expected[1] - expected[0] + 1
    assert part.content_range == f"bytes {expected[0]}-{expected[1]}/{SIZE}"


@pytest.mark.parametrize(
    "header",
    [
        "bytes=1000-",  # starts at the end
        "bytes=5000-6000",
        "bytes=-0",  # suffix of zero bytes
        "bytes=9-5",  # reversed
        "bytes=",
        "bytes=-",
        "bytes=abc",
        "bytes=1-2-3",
        "bytes=0x10-20",
        "bytes=-1-",
        "0-99",  # no unit
        "bytes=0-99,garbage",
        "bytes=" + "9" * 2000,  # absurdly long
    ],
)
def test_unsatisfiable_or_malformed(header: str) -> None:
    with pytest.raises(Unsatisfiable) as info:
        byte_range(header, SIZE)
    assert info.value.content_range == f"bytes */{SIZE}"


@pytest.mark.parametrize("header", [None, "items=0-5", "bytes=0-1,5-9", "bytes=0-1, -5"])
def test_whole_file(header: str | None) -> None:
    """No range, an unknown unit or several ranges: the whole file (200) is a valid answer."""
    assert byte_range(header, SIZE) is None


def test_huge_numbers_do_not_overflow() -> None:
    part = byte_range("bytes=0-" + "9" * 40, SIZE)
    assert part == Slice(0, 999, SIZE)
    with pytest.raises(Unsatisfiable):
        byte_range("bytes=" + "9" * 40 + "-", SIZE)


def test_empty_file() -> None:
    with pytest.raises(Unsatisfiable):
        byte_range("bytes=0-", 0)
    with pytest.raises(Unsatisfiable):
        byte_range("bytes=-10", 0)
