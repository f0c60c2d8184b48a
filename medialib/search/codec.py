"""Whoosh's W3 codec, cheaper to write: no block compression, a term's postings written at once.

Writing a segment, Whoosh compresses every posting block with zlib and handles each posting
through a few method calls (reading the field's length in the document from the segment's length
column for every one of them): most of the time of a rebuild, most of it on the word-pair field,
which has a short posting list for nearly every pair of words said. Here blocks are stored as
they are (an index about 1.5 times larger, and searches no longer decompress them), short lists
are kept in the term dictionary, and the field writer (.postings) writes each term's whole list
at once. The files are the W3 format. The codec is saved with each segment, so Whoosh reads such
segments with this class.

Reading, an inner file of a compound segment file is copied out of its memory map only if it is
read as a stream (see _ViewBufferFile).
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from whoosh.codec.whoosh3 import W3Codec
from whoosh.filedb import compound
from whoosh.filedb.structfile import BufferFile

from .postings import FieldWriter

INLINE_POSTINGS = 4  # posting lists shorter than this are kept in the term dictionary


class FastW3Codec(W3Codec):
    """W3Codec without block compression, keeping short posting lists in the term dictionary,
    and writing a term's postings at once (its field writer is .postings.FieldWriter)."""

    def __init__(
        self, blocklimit: int = 128, compression: int = 0, inlinelimit: int = INLINE_POSTINGS
    ):
        super().__init__(blocklimit=blocklimit, compression=compression, inlinelimit=inlinelimit)

    def field_writer(self, storage: Any, segment: Any) -> FieldWriter:
        return FieldWriter(self, storage, segment)


class _ViewBufferFile(BufferFile):
    """Whoosh's BufferFile (a file inside a memory-mapped compound segment file) that makes its
    BytesIO copy of the inner file only when something reads it as a stream. Whoosh makes it at
    once, copying e.g. the whole term dictionary of the big segment every time a reader opens
    the segment, though lookups read it by position (get()), from the memory map: after every
    add or remove, most of the time until the new webcast can be found."""

    def __init__(self, buf: Any, name: Any = None, onclose: Any = None):
        super().__init__(b"", name=name, onclose=onclose)
        self._buf = buf
        self._stream: BytesIO | None = None

    @property  # type: ignore[override]
    def file(self) -> BytesIO:
        if self._stream is None:
            self._stream = BytesIO(self._buf)
        return self._stream

    @file.setter
    def file(self, value: BytesIO) -> None:
        self._stream = value


compound.BufferFile = _ViewBufferFile  # what CompoundStorage.open_file makes
