"""Whoosh's segment writer, with the postings of a segment kept by term instead of in a sort pool.

Whoosh's SegmentWriter puts every posting, as a (field, term, docnum, weight, value) tuple, in a
pool that sorts them all when the segment is written, then hands them one by one to the codec. A
writer numbers its documents in the order they are added, so the postings of one term already
arrive in docnum order: here they are appended to that term's list, only the terms are sorted,
and the codec's field writer (.postings) writes a whole list at a time. The lists live in memory
until the commit: a full rebuild of 1,000 hours peaks at ~0.75 GB a process, where Whoosh's pool
peaked at ~1 GB (given that much so that it never spilled to disk, which was ~40% slower).
Merging segments, Whoosh reads an inlined posting list of an ID field back with the value "" (a
str), which its pool rejected: with it, the fifth or so add() in a row failed. Here it is b"".

TermsText is the TEXT field of documents whose text is already a list of terms (see ..analysis):
it counts them itself instead of making a Token object per word for the field's format. The
schema is saved with an index, so an index written since names this class.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from whoosh.fields import TEXT
from whoosh.formats import Frequency, Positions
from whoosh.system import pack_uint
from whoosh.writing import SegmentWriter

from .codec import FastW3Codec
from .postings import FieldTerms, Posting


def segment_writer(ix: Any) -> SegmentWriter:
    """A writer for one Whoosh index, writing a new segment with FastW3Codec."""
    return TermPoolWriter(ix, codec=FastW3Codec())


class TermsText(TEXT):
    """Whoosh's TEXT field, indexing a list of terms without a Token object per word: the same
    postings (term, frequency, weight, value) as TEXT, for the Frequency and Positions formats."""

    def index(self, value: Any, **kwargs: Any) -> Any:
        fmt = self.format
        if not isinstance(value, list) or kwargs:
            return super().index(value, **kwargs)
        boost = fmt.field_boost
        if type(fmt) is Frequency:
            return [
                (term.encode("utf-8"), n, n * boost, pack_uint(n))
                for term, n in Counter(value).items()
            ]
        if type(fmt) is Positions:
            where: dict[str, list[int]] = {}
            for position, term in enumerate(value):
                seen = where.get(term)
                if seen is None:
                    where[term] = [position]
                else:
                    seen.append(position)
            encode = fmt.encode
            return [
                (term.encode("utf-8"), len(places), len(places) * boost, encode(places))
                for term, places in where.items()
            ]
        return super().index(value, **kwargs)


class TermPool:
    """The postings of a segment: field -> term -> [(docnum, weight, value)], docnums rising."""

    def __init__(self) -> None:
        self._fields: dict[str, dict[bytes, list[Posting]]] = {}

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
        """Add one posting, as Whoosh's writer hands it to its pool."""
        fieldname, btext, docnum, weight, value = item
        terms = self._fields.get(fieldname)
        if terms is None:
            terms = self._fields[fieldname] = {}
        postings = terms.get(btext)
        if postings is None:
            terms[btext] = [(docnum, weight, value or b"")]
        else:
            postings.append((docnum, weight, value or b""))

    def by_field(self) -> Iterator[FieldTerms]:
        """Each field's terms and postings, fields and terms in order."""
        for fieldname in sorted(self._fields):
            terms = self._fields[fieldname]
            yield fieldname, ((btext, terms[btext]) for btext in sorted(terms))

    def cleanup(self) -> None:
        self._fields.clear()


class TermPoolWriter(SegmentWriter):
    """Whoosh's SegmentWriter with a TermPool; its codec must be FastW3Codec."""

    def __init__(self, ix: Any, **kwargs: Any):
        super().__init__(ix, **kwargs)
        self.pool = TermPool()

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        lengths = self.per_document_reader() if self.codec.length_stats else None
        self.fieldwriter.add_terms(self.schema, lengths, self.pool.by_field())
        self.fieldwriter.close()
        if lengths is not None:
            lengths.close()
