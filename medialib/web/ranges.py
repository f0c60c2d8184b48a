"""HTTP byte ranges (RFC 9110 section 14): parse a Range header against a file's size.

Pure functions, no Flask: the media view asks `byte_range(header, size)` and gets one of three
answers — serve the whole file, serve one slice (206), or say the range cannot be met (416).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_HEADER = 1024  # a longer Range header is not worth parsing; the whole file is served
_SPEC = re.compile(r"^\s*(\d*)\s*-\s*(\d*)\s*$")


@dataclass(frozen=True)
class Slice:
    """The bytes first..last (inclusive) of a file of `size` bytes."""

    first: int
    last: int
    size: int

    @property
    def length(self) -> int:
        return self.last - self.first + 1

    @property
    def content_range(self) -> str:
        return f"bytes {self.first}-{self.last}/{self.size}"


class Unsatisfiable(Exception):
    """The Range header is malformed or names no byte of the file: answer 416."""

    def __init__(self, size: int):
        super().__init__(f"bytes */{size}")
        self.size = size

    @property
    def content_range(self) -> str:
        return f"bytes */{self.size}"


def byte_range(header: str | None, size: int) -> Slice | None:
    """The slice a Range header asks for; None to serve the whole file (no or multiple ranges).

    Single ranges ("0-99"), open-ended ("100-") and suffix ranges ("-500") are served; several
    ranges are answered with the whole file, which RFC 9110 allows; a range unit other than
    bytes is ignored. A malformed or unsatisfiable range raises Unsatisfiable.
    """
    if header is None:
        return None
    if len(header) > MAX_HEADER:
        raise Unsatisfiable(size)
    unit, sep, specs = header.partition("=")
    if not sep:
        raise Unsatisfiable(size)
    if unit.strip().lower() != "bytes":
        return None  # an unknown range unit MUST be ignored
    parts = specs.split(",")
    if len(parts) > 1:
        for part in parts:  # several ranges: still reject garbage, then serve the whole file
            if not _SPEC.match(part) or part.strip() == "-":
                raise Unsatisfiable(size)
        return None
    match = _SPEC.match(specs)
    if not match:
        raise Unsatisfiable(size)
    first_text, last_text = match.groups()
    if first_text == "":
        if last_text == "":
            raise Unsatisfiable(size)
        suffix = int(last_text)
        if suffix == 0 or size == 0:
            raise Unsatisfiable(size)
        return Slice(max(0, size - suffix), size - 1, size)
    first = int(first_text)
    if first >= size:
        raise Unsatisfiable(size)
    last = size - 1 if last_text == "" else int(last_text)
    if last < first:
        raise Unsatisfiable(size)
    return Slice(first, min(last, size - 1), size)
