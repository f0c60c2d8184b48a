"""Whoosh's W3 codec, cheaper to write: no block compression, field lengths read once.

Writing a segment, Whoosh reads the length of the field in the document from the segment's length
column for every posting (to keep each block's shortest and longest length), a few microseconds
each, and compresses every posting block with zlib: together about half the time of a rebuild,
most of it on the word-pair field, which has a short posting list for nearly every pair of words
said. Here each (document, field) length is read once, and blocks are stored as they are (an index
about 1.5 times larger, and searches no longer decompress them). The files are the W3 format.
The codec is saved with each segment, so Whoosh reads such segments with this class.

Reading, an inner file of a compound segment file is copied out of its memory map only if it is
read as a stream (see _ViewBufferFile).
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from whoosh.codec.whoosh3 import W3Codec, W3FieldWriter, W3TermInfo
from whoosh.filedb import compound
from whoosh.filedb.structfile import BufferFile

INLINE_POSTINGS = 4  # posting lists shorter than this are kept in the term dictionary


class FastW3Codec(W3Codec):
    """W3Codec without block compression, reading each field length once while writing, and
    keeping short posting lists in the term dictionary."""

    def __init__(
        self, blocklimit: int = 128, compression: int = 0, inlinelimit: int = INLINE_POSTINGS
    ):
        super().__init__(blocklimit=blocklimit, compression=compression, inlinelimit=inlinelimit)

    def field_writer(self, storage: Any, segment: Any) -> W3FieldWriter:
        return _FieldWriter(self, storage, segment)


class _TermInfo(W3TermInfo):
    # Whoosh's postings writer calls set_inline(), which W3TermInfo names set_inlined().
    def set_inline(self, ids: Any, weights: Any, values: Any) -> None:
        self.set_inlined(ids, weights, values)


class _FieldWriter(W3FieldWriter):
    def start_term(self, btext: bytes) -> None:
        if self._postwriter is None:
            raise RuntimeError("start_term() before start_field()")
        self._btext = btext
        self._postwriter.start_postings(self._fieldobj.format, _TermInfo())

    def add_postings(self, schema: Any, lengths: Any, items: Any) -> None:
        super().add_postings(schema, _KnownLengths(lengths) if lengths else lengths, items)


class _KnownLengths:
    """A segment's per-document reader, its field lengths remembered."""

    def __init__(self, reader: Any):
        self._read = reader.doc_field_length
        self._known: dict[tuple[int, str], int] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        key = (docnum, fieldname)
        length = self._known.get(key)
        if length is None:
            length = self._known[key] = self._read(docnum, fieldname, default)
        return length


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
