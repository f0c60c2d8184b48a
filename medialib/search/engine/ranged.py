"""The weights of a query's matches inside some ranges of documents, read a block at a time.

Finding the moments of a page of webcasts looks only at their passages: about ten short runs of
document numbers in the passage index. Walking a Whoosh matcher there costs a few method calls per
posting (the matcher's, its wrappers' and the unions' and intersections' above it). Here each
word's postings are read a block at a time, only from the blocks that hold the ranges, and the
query's parts are combined as dictionaries, with the same weights a Whoosh matcher gives:

- a word: its frequency in the document, times its boost;
- an And: the sum of its parts' weights where all of them match;
- an Or (DefaultOr): the sum of the weights of the parts that match;
- a FastPhrase: the sum of its words' weights where they follow each other, times its boost.

(The weights are frequencies times boosts of 1 and 0.5: sums of such numbers are exact in any
order, so a tree of matchers adding them up in its own order gives the very same figures.)
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from typing import Any

from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.query import And, Query, Term
from whoosh.query.compound import DefaultOr
from whoosh.reading import TermNotFound

from .scoring import FastPhrase, leaf_postings, phrase_documents

Ranges = Sequence[tuple[int, int]]  # (first, last) document numbers, sorted, not overlapping
Postings = dict[int, tuple[float, Any]]  # docnum -> (weight, encoded value or None)


def range_weights(searcher: Any, query: Query, ranges: Ranges) -> dict[int, float]:
    """docnum -> weight of every document inside `ranges` of one segment that `query` matches
    (a Term, FastPhrase, And or DefaultOr of them: what searchers.FastEngine makes of the
    passage queries of ..searching.Generation.passage_query())."""
    if isinstance(query, Term):
        found = _postings(searcher.reader(), query.fieldname, query.text, ranges, False)
        if query.boost == 1.0:
            return {d: w for d, (w, _) in found.items()}
        return {d: w * query.boost for d, (w, _) in found.items()}
    if isinstance(query, FastPhrase):
        return _phrase_weights(searcher, query, ranges)
    if type(query) in (And, DefaultOr) and not getattr(query, "scale", None):
        subqueries = query.subqueries
        if len(subqueries) < 2:  # Whoosh's matcher is then its part's, without its boost
            return range_weights(searcher, subqueries[0], ranges) if subqueries else {}
        parts = [range_weights(searcher, sub, ranges) for sub in subqueries]
        if isinstance(query, And):
            docs = set(parts[0]).intersection(*parts[1:])
            combined = {d: sum(p[d] for p in parts) for d in docs}
        else:
            combined = {}
            for weights in parts:
                for d, w in weights.items():
                    combined[d] = combined.get(d, 0.0) + w
        if query.boost != 1.0:
            combined = {d: w * query.boost for d, w in combined.items()}
        return combined
    raise TypeError(f"no weights inside ranges for {query!r}")


def _phrase_weights(searcher: Any, query: FastPhrase, ranges: Ranges) -> dict[int, float]:
    field, words = query.fieldname, list(query.words)
    if field not in searcher.schema:
        return {}
    reader = searcher.reader()
    found: list[Postings] = []
    for word in words:
        postings = _postings(reader, field, word, ranges, True)
        if not postings:
            return {}
        found.append(postings)
    decode = searcher.schema[field].format.decoder("positions")
    return {
        docnum: sum(postings[docnum][0] for postings in found) * query.boost
        for docnum in phrase_documents(found, decode)
    }


def _postings(reader: Any, field: str, text: str, ranges: Ranges, values: bool) -> Postings:
    """docnum -> (frequency, encoded value if `values`) of a word, inside `ranges`."""
    try:
        postings, deleted = leaf_postings(reader, field, text)
    except TermNotFound:
        return {}
    found: Postings = {}
    if not isinstance(postings, W3LeafMatcher):  # inlined in the term dictionary
        for first, last in ranges:
            if not postings.is_active():
                break
            if postings.id() < first:
                postings.skip_to(first)
            while postings.is_active() and postings.id() <= last:
                found[postings.id()] = (postings.weight(), postings.value() if values else None)
                postings.next()
        return found
    for first, last in ranges:
        if not postings.is_active():
            break
        if postings.block_max_id() < first:
            skip_blocks_to = getattr(postings, "skip_blocks_to", None)
            if skip_blocks_to is not None:  # (codec._LeafMatcher)
                skip_blocks_to(first)
            while postings.is_active() and postings.block_max_id() < first:
                postings._next_block()  # (reads the header of the next block only)
        while postings.is_active():
            if postings._ids is None:
                postings._read_ids()
            ids = postings._ids
            start = bisect_left(ids, first, postings._i)
            end = bisect_right(ids, last, start)
            if start < end:
                if postings._weights is None:
                    postings._read_weights()
                weights = postings._weights
                if values:
                    if postings._values is None:
                        postings._read_values()
                    encoded = postings._values
                    for i in range(start, end):
                        found[ids[i]] = (weights[i], encoded[i])
                else:
                    for i in range(start, end):
                        found[ids[i]] = (weights[i], None)
                if deleted:
                    for docnum in deleted.intersection(ids[start:end]):
                        del found[docnum]
            if end < len(ids):  # the block goes on past this range
                postings._i = end
                break
            postings._next_block()
    return found
