"""Writing a segment's term dictionary and posting lists: Whoosh's W3 bytes, term by term.

Whoosh's W3FieldWriter takes the postings of a segment one at a time, through a few method calls
and objects each (a postings writer, a term-info object, its statistics per block, its pickled
inline postings), about 20 microseconds a term; the word-pair field alone has about 800,000
terms at 1,000 hours. FieldWriter takes each term's postings as one list and writes the same
bytes as Whoosh, but for the pickle protocol (see PICKLE_PROTOCOL; tests compare the files with
Whoosh's), with the work per term cut to a few microseconds.
"""

from __future__ import annotations

import operator
import struct
import zlib
from array import array
from collections.abc import Iterable, Iterator
from hashlib import md5
from itertools import groupby
from operator import itemgetter
from pickle import dumps
from typing import Any

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3FieldWriter, W3TermInfo
from whoosh.filedb.filetables import _lengths as _KEY_VALUE_LENGTHS
from whoosh.filedb.filetables import md5_hash
from whoosh.system import pack_int, pack_long, pack_ushort
from whoosh.util.numeric import length_to_byte

Posting = tuple[int, float, bytes]  # docnum, weight, encoded value
TermPostings = tuple[bytes, list[Posting]]  # a term and its postings, docnums rising
FieldTerms = tuple[str, Iterable[TermPostings]]  # a field and its terms, in order

_TERM_INFO = W3TermInfo._struct
# W3 pickles postings with protocol 2, which has no opcode for bytes: every position value of a
# block is rebuilt through a call to _codecs.encode when it is read, about 1 microsecond each,
# most of the time of reading a block. Protocol 3 has one; Whoosh reads either.
PICKLE_PROTOCOL = 3


class FieldWriter(W3FieldWriter):
    """Whoosh's W3FieldWriter, given the postings of each term as one list."""

    def add_postings(self, schema: Any, lengths: Any, items: Any) -> None:
        self.add_terms(schema, lengths, _grouped(items))

    def add_terms(self, schema: Any, lengths: Any, fields: Iterable[FieldTerms]) -> None:
        """Write each field's terms and their postings (fields and terms in order). `lengths`
        is the segment's per-document reader."""
        for fieldname, terms in fields:
            self._add_field(schema[fieldname], fieldname, terms, lengths)

    def _add_field(
        self, fieldobj: Any, fieldname: str, terms: Iterable[TermPostings], lengths: Any
    ) -> None:
        codec = self._codec
        if codec._inlinelimit > codec._blocklimit:
            raise ValueError("inline posting lists must fit in one block")
        self.start_field(fieldname, fieldobj)
        length_bytes = _LengthBytes(lengths, fieldname)
        blocks = _BlockWriter(codec, fieldobj.format, self._postfile, length_bytes)
        inline_limit = codec._inlinelimit
        # The rows of the term dictionary, as filetables.OrderedHashWriter.add() writes them.
        table = self._tindex
        write_row = table.dbfile.write
        add_position = table.index.append
        buckets = table.buckets
        fast_hash = table.hashfn is md5_hash
        position = table.dbfile.tell()
        last_key = table.lastkey
        prefix = pack_ushort(self._fieldid)
        for btext, postings in terms:
            if len(postings) < inline_limit:
                info = _inline_info(postings, length_bytes)
            else:
                info = blocks.write(postings)
            key = prefix + btext
            if key <= last_key:
                raise ValueError(f"terms out of order: {last_key!r}..{key!r}")
            last_key = key
            add_position(position)
            # md5_hash(key), the low 32 bits of the digest, without the detour through hex.
            if fast_hash:
                h = int.from_bytes(md5(key, usedforsecurity=False).digest()[12:], "big")
            else:
                h = table.hashfn(key)
            buckets[h & 255].append((h, position))
            row = _KEY_VALUE_LENGTHS.pack(len(key), len(info)) + key + info
            write_row(row)
            position += len(row)
        table.lastkey = last_key
        self.finish_field()


class _LengthBytes(dict[int, int]):
    """docnum -> the length of one field in that document, encoded as W3 stores it in term
    statistics (length_to_byte: 0 only for 0, and in the same order as the lengths), each read
    once from the segment's per-document reader."""

    def __init__(self, reader: Any, fieldname: str):
        super().__init__()
        self._reader = reader
        self._fieldname = fieldname

    def __missing__(self, docnum: int) -> int:
        length = self._reader.doc_field_length(docnum, self._fieldname) if self._reader else 0
        self[docnum] = encoded = length_to_byte(length)
        return encoded


_FLOAT32: dict[tuple[float, ...], tuple[tuple[float, ...], float]] = {}


def _float32(weights: tuple[float, ...]) -> tuple[tuple[float, ...], float]:
    """The weights as W3 keeps them (32-bit floats), and their sum. Short lists of small whole
    numbers repeat endlessly, so they are remembered."""
    known = _FLOAT32.get(weights)
    if known is None:
        rounded = array("f", weights)
        known = (tuple(rounded), sum(rounded))
        if len(_FLOAT32) < 10_000:
            _FLOAT32[weights] = known
    return known


def _inline_info(postings: list[Posting], length_bytes: _LengthBytes) -> bytes:
    """A term's W3TermInfo.to_bytes() with its postings inlined."""
    docnums, raw_weights, raw_values = zip(*postings, strict=True)
    weights, total = _float32(raw_weights)
    encoded = [length_bytes[d] for d in docnums]
    most_weight = max(raw_weights)
    return _TERM_INFO.pack(
        1, total, len(docnums), min([n for n in encoded if n], default=0), max(encoded),
        most_weight if most_weight > 0 else 0, docnums[0], docnums[-1],
    ) + dumps((docnums, weights, tuple(v for v in raw_values if v)), PICKLE_PROTOCOL)


class _BlockWriter:
    """Writes posting lists too long to inline, in blocks, as W3PostingsWriter does."""

    def __init__(self, codec: Any, fmt: Any, postfile: Any, length_bytes: _LengthBytes):
        self._block_limit = codec._blocklimit
        self._compression = codec._compression
        self._fixed_size = fmt.fixed_value_size()
        self._write = postfile.write
        self._position = postfile.tell()
        self._length_bytes = length_bytes
        self._skip_tables = getattr(codec, "_skip_tables", False)

    def write(self, postings: list[Posting]) -> bytes:
        """Write a term's posting list; returns its W3TermInfo.to_bytes()."""
        docnums, raw_weights, raw_values = zip(*postings, strict=True)
        weights = array("f", raw_weights)
        compression = self._compression
        chunks = [WHOOSH3_HEADER_MAGIC]
        total: float = 0
        least: int | None = None  # length bytes, as lengths: least of those above 0
        most = 0
        most_weight: float = 0
        skips: list[int] = []  # each block's last docnum and where it starts
        offset = len(WHOOSH3_HEADER_MAGIC)
        for first in range(0, len(docnums), self._block_limit):
            end = first + self._block_limit
            ids = docnums[first:end]
            block_weights = weights[first:end]
            encoded = [self._length_bytes[d] for d in ids]
            block_least = min([n for n in encoded if n], default=None)
            block_most = max(encoded)
            block_max_weight = max(raw_weights[first:end])
            if block_max_weight <= 0:
                block_max_weight = 0
            total += sum(block_weights)
            if least is None:
                least = block_least
            elif block_least is not None:
                least = min(least, block_least)
            most = max(most, block_most)
            most_weight = max(most_weight, block_max_weight)
            data = dumps(
                (
                    (ids[0], *map(operator.sub, ids[1:], ids)),
                    _mini_weights(block_weights),
                    _mini_values(raw_values[first:end], self._fixed_size),
                ),
                PICKLE_PROTOCOL,
            )
            if compression:
                data = zlib.compress(data, compression)
            head = dumps(
                (len(ids), ids[-1], block_max_weight, compression, block_least or 0, block_most),
                PICKLE_PROTOCOL,
            )
            size = len(head) + len(data)
            chunks += (pack_int(-size if end >= len(docnums) else size), head, data)
            skips += (ids[-1], offset)
            offset += 4 + size
        if self._skip_tables and len(skips) >= 2 * SKIP_TABLE_BLOCKS:
            chunks.append(skip_table(skips))
        written = b"".join(chunks)
        self._write(written)
        start = self._position
        self._position += len(written)
        return _TERM_INFO.pack(
            0, total, len(docnums), least or 0, most, most_weight, docnums[0], docnums[-1]
        ) + pack_long(start) + pack_int(len(written))


# A posting list of this many blocks or more ends with a table of its blocks (see skip_table).
SKIP_TABLE_BLOCKS = 4
SKIP_TABLE_MAGIC = b"\x00mlSKIP1"  # (a block ends with pickle's STOP, b".", or zlib's checksum)
_SKIP_COUNT = struct.Struct("<I")


def skip_table(skips: list[int]) -> bytes:
    """The table that ends a long posting list: for each block, its last document number and
    where it starts (from the start of the list), then their number and SKIP_TABLE_MAGIC.

    W3 has nothing to go to the block that holds a document but to read the header of every
    block before it: a word said in every passage has about 250 blocks at 1,000 hours, and
    the passages of a page of webcasts are spread over all of them. Whoosh's own reader stops
    at the last block and never reads the table."""
    return struct.pack(f"<{len(skips)}I", *skips) + _SKIP_COUNT.pack(len(skips) // 2) + (
        SKIP_TABLE_MAGIC
    )


def read_skip_table(buf: Any, start: int, length: int) -> tuple[list[int], list[int]] | None:
    """(last document numbers, starts) of the blocks of the posting list at `start` in `buf`,
    from its skip table; None if it has none."""
    footer = len(SKIP_TABLE_MAGIC) + _SKIP_COUNT.size
    end = start + length
    if length < footer or bytes(buf[end - len(SKIP_TABLE_MAGIC) : end]) != SKIP_TABLE_MAGIC:
        return None
    (count,) = _SKIP_COUNT.unpack_from(buf, end - footer)
    table = end - footer - 8 * count
    if count < 1 or table < start + len(WHOOSH3_HEADER_MAGIC):
        return None
    skips = struct.unpack_from(f"<{2 * count}I", buf, table)
    return list(skips[0::2]), list(skips[1::2])


def _mini_weights(weights: array[float]) -> Any:
    # As W3PostingsWriter._mini_weights: None if all are 1, one number if all are the same.
    if weights.count(1.0) == len(weights):
        return None
    if weights.count(weights[0]) == len(weights):
        return weights[0]
    return tuple(weights)


def _mini_values(raw_values: tuple[bytes, ...], fixed_size: int | None) -> Any:
    # As W3PostingsWriter._mini_values; like its add_posting, drops empty values.
    values = [v for v in raw_values if v]
    if fixed_size is None:
        return tuple(values)
    return b"".join(values) if fixed_size else None


def _grouped(items: Iterable[tuple[str, bytes, int, float, bytes | None]]) -> Iterator[FieldTerms]:
    """Whoosh's sorted stream of postings (fieldname, term, docnum, weight, value), by field and
    term. Docnum -1 marks a word for a spelling graph, which W3 does not write."""
    for fieldname, field_items in groupby(items, itemgetter(0)):
        yield fieldname, (
            (btext, postings)
            for btext, term_items in groupby(field_items, itemgetter(1))
            if (postings := [(d, w, v or b"") for _, _, d, w, v in term_items if d >= 0])
        )
