"""Writing the index: the fast segment writer writes what Whoosh's own W3 writer writes."""

from __future__ import annotations

import json
import pickle
import random
import struct
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from whoosh.codec import whoosh3
from whoosh.codec.whoosh3 import W3Codec, W3FieldWriter, W3LeafMatcher, W3TermInfo
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import BufferFile
from whoosh.query import And, Term
from whoosh.query.compound import DefaultOr

from medialib.captions import Cue
from medialib.search import IndexedWebcast, SearchIndex
from medialib.search.engine.codec import INLINE_POSTINGS, FastW3Codec, ViewBufferFile
from medialib.search.engine.postings import PICKLE_PROTOCOL, SKIP_TABLE_BLOCKS, read_skip_table
from medialib.search.engine.ranged import range_weights
from medialib.search.engine.scoring import FastPhrase, add_term_scores
from medialib.search.engine.searchers import matcher_weights
from medialib.search.engine.storage import ViewStorage
from medialib.search.engine.writer import TermPoolWriter, TermsText
from medialib.search.searching import SPELLING_FILE


class _InliningTermInfo(W3TermInfo):
    # Whoosh's postings writer calls set_inline(), which W3TermInfo names set_inlined().
    def set_inline(self, ids: Any, weights: Any, values: Any) -> None:
        self.set_inlined(ids, weights, values)


class _WhooshFieldWriter(W3FieldWriter):
    def start_term(self, btext: bytes) -> None:
        self._btext = btext
        self._postwriter.start_postings(self._fieldobj.format, _InliningTermInfo())


class _WhooshCodec(W3Codec):
    """Whoosh's own W3 writing path, with FastW3Codec's settings."""

    def __init__(self) -> None:
        super().__init__(compression=0, inlinelimit=INLINE_POSTINGS)

    def field_writer(self, storage: Any, segment: Any) -> W3FieldWriter:
        return _WhooshFieldWriter(self, storage, segment)

    # Stored fields are not the postings: kept plain, as FastW3Codec keeps them.
    per_document_writer = FastW3Codec.per_document_writer


def _schema(text: Any) -> Schema:
    return Schema(
        slug=ID(stored=True),
        body=text(),
        counted=text(phrase=False),
        topic=KEYWORD(lowercase=False, commas=False),
        meta=STORED(),
    )


def _documents(count: int) -> list[dict[str, Any]]:
    """Documents with common words (posting lists of several blocks), rare ones (inlined) and
    everything in between; some repeat a word, some have an empty field."""
    rng = random.Random(7)
    vocabulary = [f"w{i}" for i in range(3_000)] + ["caf\u00e9", "na\u00efve"]
    docs = []
    for n in range(count):
        size = rng.choice([0, 1, 5, 40, 300])
        body = [vocabulary[min(int(rng.paretovariate(0.7)), len(vocabulary) - 1)]
                for _ in range(size)]
        docs.append({"slug": f"doc-{n}", "body": body, "counted": body[::2],
                     "topic": rng.choice(["a", "b", "c b"]), "meta": {"n": n}})
    return docs


def _segment_files(path: Path, schema: Schema, writer: Any, docs: list[dict[str, Any]]) -> dict:
    storage = FileStorage(str(path))
    storage.create()
    ix = storage.create_index(schema, indexname="x")
    w = writer(ix)
    for doc in docs:
        w.add_document(**doc)
    w.commit()
    (segment,) = ix._segments()
    return {
        p.name.replace(segment.segid, "ID"): p.read_bytes()
        for p in path.iterdir()
        if segment.segid in p.name
    }


def test_segment_files_are_those_of_whoosh(tmp_path, monkeypatch):
    docs = _documents(400)
    # Whoosh pickles postings with protocol 2; ours, read faster, with PICKLE_PROTOCOL.
    monkeypatch.setattr(whoosh3, "dumps", lambda obj, protocol: pickle.dumps(obj, PICKLE_PROTOCOL))
    codec = FastW3Codec()
    codec._skip_tables = False  # (Whoosh writes none; see the test of them below)
    ours = _segment_files(tmp_path / "ours", _schema(TermsText),
                          lambda ix: TermPoolWriter(ix, codec=codec, compound=False), docs)
    whoosh = _segment_files(tmp_path / "whoosh", _schema(TEXT),
                            lambda ix: ix.writer(codec=_WhooshCodec(), compound=False), docs)
    assert sorted(ours) == sorted(whoosh)
    assert "x_ID.pst" in ours and len(ours["x_ID.pst"]) > 100_000  # long lists were written
    for name in whoosh:
        assert ours[name] == whoosh[name], name
    # No position is pickled as a call to _codecs.encode, as protocol 2 pickles bytes.
    assert not any(b"_codecs" in data for data in ours.values())


def _webcast(n: int, words: str) -> IndexedWebcast:
    lines = [f"Talk {n} is about {words}.", "We cover the side effects of treatment.",
             f"Questions about {words} come at the end."] * 40
    return IndexedWebcast(
        slug=f"talk-{n}", title=f"Talk {n}: {words}", summary=f"All about {words}.",
        kind="audio", series=None, recorded=None, speakers=(("s", "A Speaker, MD"),),
        topics=(("t", "A topic"),), chapters=(),
        cues=tuple(Cue(i * 4.0, i * 4.0 + 4.0, text, None) for i, text in enumerate(lines)),
    )


WEBCASTS = [_webcast(n, words) for n, words in enumerate(
    ["fatigue", "insomnia", "radiation", "lymphedema", "neuropathy", "melatonin", "seizures",
     "nausea"])]


def _contents(index_dir: Path) -> dict[str, Any]:
    generation = json.loads((index_dir / "CURRENT").read_text())["generation"]
    storage = FileStorage(str(index_dir / generation))
    contents: dict[str, Any] = {"spelling": (index_dir / generation / SPELLING_FILE).read_text()}
    for name in ("webcasts", "passages"):
        with storage.open_index(name).reader() as reader:
            contents[name] = (list(reader.iter_postings()), list(reader.all_stored_fields()))
    return contents


@pytest.mark.parametrize("procs", [1, 2])
def test_a_rebuild_in_two_processes_writes_what_one_does(tmp_path, procs):
    SearchIndex(tmp_path / "one").rebuild(WEBCASTS, procs=1)
    SearchIndex(tmp_path / "other").rebuild(WEBCASTS, procs=procs)
    assert _contents(tmp_path / "other") == _contents(tmp_path / "one")


def test_many_adds_merge_segments(tmp_path):
    index = SearchIndex(tmp_path / "index")
    index.rebuild(WEBCASTS[:1])
    for webcast in WEBCASTS[1:]:  # a segment each, until Whoosh merges the small ones
        index.add(webcast)
    generation = json.loads((tmp_path / "index" / "CURRENT").read_text())["generation"]
    ix = FileStorage(str(tmp_path / "index" / generation)).open_index("webcasts")
    assert len(ix._segments()) < len(WEBCASTS)
    for n, webcast in enumerate(WEBCASTS):
        words = webcast.title.split(": ")[1]
        assert [r.slug for r in index.search(words).results] == [f"talk-{n}"]
    assert index.search('"side effects"').total == len(WEBCASTS)


def test_segments_with_compressed_stored_fields_still_read(tmp_path, monkeypatch):
    # Segments written before stored fields were kept plain: zlib-compressed, as W3 keeps them,
    # and a saved codec without the attribute that says otherwise.
    docs = _documents(50)
    old = FastW3Codec()
    del old._plain_stored
    with monkeypatch.context() as patch:
        patch.setattr(FastW3Codec, "per_document_writer", W3Codec.per_document_writer)
        old_files = _segment_files(tmp_path / "old", _schema(TermsText),
                                   lambda ix: TermPoolWriter(ix, codec=old, compound=False), docs)
    new_files = _segment_files(
        tmp_path / "new", _schema(TermsText),
        lambda ix: TermPoolWriter(ix, codec=FastW3Codec(), compound=False), docs)
    stored = {}
    for name in ("old", "new"):
        with FileStorage(str(tmp_path / name)).open_index("x").reader() as reader:
            stored[name] = list(reader.all_stored_fields())
    assert stored["old"] == stored["new"] == [{"slug": d["slug"], "meta": d["meta"]} for d in docs]
    assert sorted(old_files) == sorted(new_files)
    # Only the stored fields differ: zlib streams in the old, pickles in the new.
    stored_file = "x_ID._stored.col"
    assert [name for name in old_files if old_files[name] != new_files[name]] == [stored_file]
    assert old_files[stored_file].startswith(b"x") and new_files[stored_file].startswith(b"\x80")


def test_range_weights_are_those_of_whoosh_matchers(tmp_path):
    index = SearchIndex(tmp_path / "index")
    index.rebuild(WEBCASTS[:6])
    index.add(WEBCASTS[2])  # replaced: the first segment now has deleted documents
    index.add(WEBCASTS[6])
    short = _webcast(9, "mucositis")  # one passage: its words' postings are inlined
    index.add(replace(short, cues=short.cues[:6]))
    index.search("warm")
    passages = index._generation.engine.searcher("passages")
    phrase = FastPhrase("body", ["side", "effect"])
    queries = [
        Term("body", "fatigu"), Term("body", "treatment"), Term("body", "insomnia", boost=0.5),
        Term("body", "nothing"), Term("body", "talk"), Term("body", "mucos"), phrase,
        FastPhrase("body", ["effect", "side"]), FastPhrase("body", ["come", "at", "the", "end"]),
        And([Term("body", "side"), Term("body", "radiat")]),
        DefaultOr([Term("body", "fatigu"), Term("body", "radiat", boost=0.5), phrase]),
        And([DefaultOr([Term("body", "seizur"), Term("body", "nausea")]), phrase]),
        And([Term("body", "talk")]), DefaultOr([Term("body", "mucos"), Term("body", "fatigu")]),
        FastPhrase("body", ["about", "mucos"]),
    ]
    leaves = passages.leaf_searchers()
    assert len(leaves) > 1
    checked = 0
    for searcher, _ in leaves:
        size = searcher.doc_count_all()
        for ranges in ([(0, size - 1)], [(1, 2), (5, 5), (9, size + 3)], [(3, 7)]):
            for query in queries:
                ours = range_weights(searcher, query, ranges)
                assert ours == matcher_weights(searcher, query, ranges), (query, ranges)
                checked += bool(ours)
    assert checked > 20


def test_compound_files_read_in_place_as_whoosh_reads_them():
    values = [("head", 1, 2.5), list(range(300)), b"\x00" * 5000, {"n": "caf\u00e9"}]
    data = b"".join(
        struct.pack(">i", n) + pickle.dumps(value, protocol)
        for n, value in enumerate(values) for protocol in (2, 3)
    ) + b"a line\nthe rest"
    ours, whoosh = ViewBufferFile(memoryview(data)), BufferFile(memoryview(data))
    for f in (ours, whoosh):
        f.seek(0)
    for _ in range(len(values) * 2):
        assert ours.read_int() == whoosh.read_int()
        assert ours.read_pickle() == whoosh.read_pickle()
        assert ours.tell() == whoosh.tell()
    assert ours._stream is None  # no copy of the whole file so far
    assert ours.readline() == whoosh.readline() == b"a line\n"  # a stream, from there on
    assert ours.read() == whoosh.read() == b"the rest"
    assert ours.get(4, 2) == whoosh.get(4, 2)
    ours, whoosh = ViewBufferFile(memoryview(data)), BufferFile(memoryview(data))
    for f in (ours, whoosh):
        f.seek(-4, 2)
        assert f.read(100) == b"rest"
        f.seek(len(data) - 9)
    with pytest.raises(Exception):  # noqa: B017  (whatever Whoosh's raises)
        whoosh.read_pickle()
    with pytest.raises(Exception):  # noqa: B017
        ours.read_pickle()


def test_a_search_reads_postings_without_copying_them(tmp_path):
    index = SearchIndex(tmp_path / "index")
    index.rebuild(WEBCASTS)
    assert index.search('"side effects" fatigue').total == 1
    engine = index._generation.engine
    for searcher in (engine.searcher("webcasts"), engine.searcher("passages")):
        for leaf, _ in searcher.leaf_searchers():
            terms = leaf.reader()._terms
            assert isinstance(terms._postfile, ViewBufferFile)
            assert terms._postfile._stream is None


def _walk(matcher: Any, targets: list[int]) -> list[tuple[int, float, bytes]]:
    """The postings a matcher gives, skipping to each target in turn."""
    seen = []
    for target in targets:
        if not matcher.is_active():
            break
        matcher.skip_to(target)
        if matcher.is_active():
            seen.append((matcher.id(), matcher.weight(), matcher.value()))
            matcher.next()
    return seen


def test_long_posting_lists_end_with_a_table_of_their_blocks(tmp_path):
    docs = _documents(2_000)
    readers = {}
    for name, tables in (("plain", False), ("tables", True)):
        codec = FastW3Codec()
        codec._skip_tables = tables
        storage = FileStorage(str(tmp_path / name))
        storage.create()
        ix = storage.create_index(_schema(TermsText), indexname="x")
        w = TermPoolWriter(ix, codec=codec)  # a compound segment, read from its memory map
        for doc in docs:
            w.add_document(**doc)
        w.commit()
        readers[name] = ViewStorage(str(tmp_path / name)).open_index("x").reader()
    plain, tables = readers["plain"], readers["tables"]
    rng = random.Random(5)
    long_lists = 0
    for field in ("body", "counted"):
        for btext in list(plain.lexicon(field))[:400]:
            info = tables.term_info(field, btext)
            ours = tables.postings(field, btext)
            if not isinstance(ours, W3LeafMatcher):
                continue  # inlined
            assert type(ours).__name__ == "_LeafMatcher"  # FastW3Codec's, which reads tables
            table = read_skip_table(ours._postfile._buf, ours._startoffset, ours._length)
            blocks = -(-info.doc_frequency() // 128)
            assert (table is not None) == (blocks >= SKIP_TABLE_BLOCKS)
            long_lists += table is not None
            # Whoosh's own matcher reads such a list as one without a table.
            whoosh = W3LeafMatcher(ours._postfile, ours._startoffset, ours._length, ours.format)
            assert list(whoosh.items_as("weight")) == list(plain.postings(field, btext)
                                                           .items_as("weight"))
            for _ in range(3):
                targets = sorted(rng.sample(range(2_100), rng.randint(1, 60)))
                assert _walk(tables.postings(field, btext), targets) == _walk(
                    plain.postings(field, btext), targets)
    assert long_lists > 5


def test_bulk_scores_are_those_of_whoosh_matchers_with_deleted_documents(tmp_path):
    index = SearchIndex(tmp_path / "index")
    index.rebuild(WEBCASTS)
    for webcast in WEBCASTS[2:5]:  # replaced: their old documents are deleted, not gone
        index.add(webcast)
    index.search("warm")
    webcasts = index._generation.engine.searcher("webcasts")
    assert any(searcher.reader().has_deletions() for searcher, _ in webcasts.leaf_searchers())
    checked = 0
    for searcher, _ in webcasts.leaf_searchers():
        for field, text in (("transcript", "talk"), ("transcript", "fatigu"), ("title", "talk"),
                            ("about", "speaker"), ("transcript", "nausea")):
            for boost in (1.0, 0.5):
                query = Term(field, text, boost=boost)
                scores: dict[int, float] = {}
                assert add_term_scores(searcher, 0, query, scores)
                matcher = query.matcher(searcher, searcher.context())
                whoosh = {}
                while matcher.is_active():
                    whoosh[matcher.id()] = matcher.score()
                    matcher.next()
                assert scores == whoosh, (field, text, boost)
                checked += len(scores)
    assert checked > 20
