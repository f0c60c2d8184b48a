"""Whoosh's W3 codec, cheaper to write: no block compression, a term's postings written at once.

Writing a segment, Whoosh compresses every posting block with zlib and handles each posting
through a few method calls (reading the field's length in the document from the segment's length
column for every one of them): most of the time of a rebuild, most of it on the word-pair field,
which has a short posting list for nearly every pair of words said. Here blocks are stored as
they are (an index about 1.5 times larger, and searches no longer decompress them), short lists
are kept in the term dictionary, and the field writer (.postings) writes each term's whole list
at once. Stored fields are not compressed either (see PLAIN_STORED_COLUMN). The files are the
W3 format. The codec is saved with each segment, so Whoosh reads such segments with this class.

Reading, an inner file of a compound segment file is read in place, from its memory map (see
ViewBufferFile, which storage.ViewStorage's readers open), and posting blocks are read by
_LeafMatcher. Both are subclasses used only by this codec's readers: Whoosh's own classes and
module globals are left as they are.
"""

from __future__ import annotations

import pickle
import struct
from bisect import bisect_left
from io import BytesIO
from itertools import accumulate
from typing import Any

from whoosh import columns
from whoosh.codec.whoosh3 import (
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3LeafMatcher,
    W3PerDocReader,
    W3PerDocWriter,
)
from whoosh.filedb.structfile import BufferFile
from whoosh.matching import ReadTooFar
from whoosh.util.numeric import byte_to_length

from .postings import FieldWriter, read_skip_table

_INT = struct.Struct(">i")  # whoosh.system.pack_int
INLINE_POSTINGS = 4  # posting lists shorter than this are kept in the term dictionary


class FastW3Codec(W3Codec):
    """W3Codec without block compression, keeping short posting lists in the term dictionary,
    and writing a term's postings at once (its field writer is .postings.FieldWriter)."""

    def __init__(
        self, blocklimit: int = 128, compression: int = 0, inlinelimit: int = INLINE_POSTINGS
    ):
        super().__init__(blocklimit=blocklimit, compression=compression, inlinelimit=inlinelimit)
        self._plain_stored = True  # saved with each segment: how its stored fields are kept
        self._skip_tables = True  # long posting lists end with a table of their blocks

    def field_writer(self, storage: Any, segment: Any) -> FieldWriter:
        return FieldWriter(self, storage, segment)

    def postings_reader(
        self, dbfile: Any, terminfo: Any, format_: Any, term: Any = None, scorer: Any = None
    ) -> Any:
        if terminfo.is_inlined() or not isinstance(dbfile, ViewBufferFile):
            return super().postings_reader(dbfile, terminfo, format_, term=term, scorer=scorer)
        offset, length = terminfo.extent()
        if isinstance(length, tuple):  # W3TermInfo.from_bytes() keeps struct.unpack()'s tuple
            (length,) = length
        return _LeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)

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


class ViewBufferFile(BufferFile):
    """Whoosh's BufferFile (a file inside a memory-mapped compound segment file), read in place.

    Whoosh's makes a BytesIO copy of the whole inner file when it opens it, for the reads that
    go through a stream (seek, read, read_pickle): a copy of the term dictionary every time a
    reader opens the segment, and of the whole posting file (about 280 MB at 1,000 hours) the
    first time a posting block is read, though each read takes a few bytes. Here those reads
    slice the memory map at a position of their own; the copy is made only for the rarer stream
    methods (readline, iteration), which then go on from the same position."""

    def __init__(self, buf: Any, name: Any = None, onclose: Any = None):
        super().__init__(b"", name=name, onclose=onclose)
        self._buf = buf
        self._stream: BytesIO | None = None
        self._position = 0

    @property  # type: ignore[override]
    def file(self) -> BytesIO:
        if self._stream is None:
            self._stream = BytesIO(self._buf)
            self._stream.seek(self._position)
        return self._stream

    @file.setter
    def file(self, value: BytesIO) -> None:
        self._stream = value

    def seek(self, offset: int, whence: int = 0) -> int:
        if self._stream is not None:
            return self._stream.seek(offset, whence)
        base = (0, self._position, len(self._buf))[whence]
        self._position = max(0, base + offset)
        return self._position

    def tell(self) -> int:
        return self._stream.tell() if self._stream is not None else self._position

    def read(self, size: int | None = -1) -> bytes:
        if self._stream is not None:
            return self._stream.read(size)
        start = min(self._position, len(self._buf))
        end = len(self._buf) if size is None or size < 0 else min(start + size, len(self._buf))
        self._position = end
        return bytes(self._buf[start:end])

    def read_pickle(self) -> Any:
        if self._stream is not None:
            return super().read_pickle()
        size = 256  # a block's header takes about 40 bytes
        while True:
            window = BytesIO(self._buf[self._position : self._position + size])
            try:
                value = pickle.load(window)
            except Exception:
                if self._position + size >= len(self._buf):
                    raise  # not cut short by the window: the file's own error
                size *= 16
                continue
            self._position += window.tell()
            return value


class _LeafMatcher(W3LeafMatcher):
    """W3's matcher over the blocks of a posting list in a ViewBufferFile, which reads a block's
    length and header from the memory map at its position, as one slice, instead of through
    the file's stream methods (a seek, three reads and a tell: most of the time of going from
    one block to the next)."""

    _skips: tuple[list[int], list[int]] | None | bool = False  # (not read yet)
    _maxid: int
    _i: int
    _ids: Any
    _data: Any

    def skip_blocks_to(self, docnum: int) -> None:
        """Go to the first block whose documents reach `docnum` (past the current block's), from
        the list's skip table if it has one, else reading the header of each block between."""
        if self._skips is False:
            self._skips = read_skip_table(self._postfile._buf, self._startoffset, self._length)
        if not isinstance(self._skips, tuple):
            while self.is_active() and self._maxid < docnum:
                self._next_block()
            return
        last_docnums, starts = self._skips
        i = bisect_left(last_docnums, docnum)
        if i == len(starts):
            self._atend = True  # past the last block
        else:
            self._goto(self._startoffset + starts[i])

    def skip_to(self, targetid: int) -> None:
        if not self.is_active():
            raise ReadTooFar
        if targetid <= self.id():
            return
        if targetid > self._maxid:
            self.skip_blocks_to(targetid)
            if not self.is_active():
                return
            if self._ids is None:
                self._read_ids()
        self._i = bisect_left(self._ids, targetid, self._i)  # (the block holds one >= targetid)

    def _read_ids(self) -> None:
        # A block's document numbers are stored as differences; W3 adds them up again in a
        # generator (delta_decode), one Python step each. accumulate() gives the same numbers in C.
        if self._data is None:
            self._read_data()
        ids = self._data[0]  # (_read_data() set it)
        self._ids = ids if self._byteids else tuple(accumulate(ids))

    def _read_header(self) -> None:
        start = self._startoffset
        if self._postfile.get(start, 4) != WHOOSH3_HEADER_MAGIC:
            super()._read_header()  # (raises Whoosh's error)
        self._baseoffset = start + 4

    def _goto(self, position: int) -> None:
        buf = self._postfile._buf
        (length,) = _INT.unpack_from(buf, position)
        size = -length if length < 0 else length
        header = BytesIO(buf[position + 4 : position + 4 + min(size, 256)])
        try:
            info = pickle.load(header)  # (a header takes about 40 bytes)
        except Exception:
            super()._goto(position)
            return
        self._data = self._ids = self._weights = self._values = None
        self._i = 0
        self._lastblock = length < 0
        self._nextoffset = position + 4 + size
        self._dataoffset = position + 4 + header.tell()
        (self._blocklength, self._maxid, self._maxweight, self._compression, shortest,
         longest) = info
        self._minlength = byte_to_length(shortest)
        self._maxlength = byte_to_length(longest)
