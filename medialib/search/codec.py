"""Whoosh's W3 codec, cheaper to write: no block compression, a term's postings written at once.

Writing a segment, Whoosh compresses every posting block with zlib and handles each posting
through a few method calls (reading the field's length in the document from the segment's length
column for every one of them): most of the time of a rebuild, most of it on the word-pair field,
which has a short posting list for nearly every pair of words said. Here blocks are stored as
they are (an index about 1.5 times larger, and searches no longer decompress them), short lists
are kept in the term dictionary, and the field writer (.postings) writes each term's whole list
at once. Stored fields are not compressed either (see PLAIN_STORED_COLUMN). The files are the
W3 format. The codec is saved with each segment, so Whoosh reads such segments with this class.

Reading, an inner file of a compound segment file is copied out of its memory map only if it is
read as a stream (see _ViewBufferFile).
"""

from __future__ import annotations

from io import BytesIO
from itertools import accumulate
from typing import Any

from whoosh import columns
from whoosh.codec import whoosh3
from whoosh.codec.whoosh3 import W3Codec, W3PerDocReader, W3PerDocWriter
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
        self._plain_stored = True  # saved with each segment: how its stored fields are kept

    def field_writer(self, storage: Any, segment: Any) -> FieldWriter:
        return FieldWriter(self, storage, segment)

    def per_document_writer(self, storage: Any, segment: Any) -> W3PerDocWriter:
        return _PlainStoredWriter(self, storage, segment)

    def per_document_reader(self, storage: Any, segment: Any) -> W3PerDocReader:
        # Segments written before stored fields were kept plain have no such attribute.
        if getattr(self, "_plain_stored", False):
            return _PlainStoredReader(storage, segment)
        return W3PerDocReader(storage, segment)


# W3 compresses each document's stored fields with zlib: reading a passage's cues took twice as
# long as unpickling them. Kept plain, the index is about a third larger.
PLAIN_STORED_COLUMN = columns.PickleColumn(columns.VarBytesColumn())


class _PlainStoredWriter(W3PerDocWriter):
    def _create_column(self, fieldname: str, column: Any) -> None:
        super()._create_column(fieldname, PLAIN_STORED_COLUMN if fieldname == "_stored" else column)


class _PlainStoredReader(W3PerDocReader):
    def stored_fields(self, docnum: int) -> dict[str, Any]:
        value = self._cached_reader("_stored", PLAIN_STORED_COLUMN)[docnum]
        return {} if value is None else value


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

# A block's document numbers are stored as differences; W3 adds them up again in a generator,
# one Python step each. accumulate() gives the same numbers in C.
whoosh3.delta_decode = accumulate
