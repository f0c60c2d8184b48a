"""Writing the index: the fast segment writer writes what Whoosh's own W3 writer writes."""

from __future__ import annotations

import json
import random
from pathlib import Path
from pickle import dumps
from typing import Any

import pytest
from whoosh.codec.whoosh3 import W3Codec, W3FieldWriter, W3TermInfo
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema
from whoosh.filedb.filestore import FileStorage

from medialib.captions import Cue
from medialib.search import IndexedWebcast, SearchIndex
from medialib.search.codec import INLINE_POSTINGS, FastW3Codec
from medialib.search.postings import _pickled_inline
from medialib.search.searching import SPELLING_FILE
from medialib.search.writer import TermPoolWriter, TermsText


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


def test_segment_files_are_those_of_whoosh(tmp_path):
    docs = _documents(400)
    ours = _segment_files(tmp_path / "ours", _schema(TermsText),
                          lambda ix: TermPoolWriter(ix, codec=FastW3Codec(), compound=False),
                          docs)
    whoosh = _segment_files(tmp_path / "whoosh", _schema(TEXT),
                            lambda ix: ix.writer(codec=_WhooshCodec(), compound=False), docs)
    assert sorted(ours) == sorted(whoosh)
    assert "x_ID.pst" in ours and len(ours["x_ID.pst"]) > 100_000  # long lists were written
    for name in whoosh:
        assert ours[name] == whoosh[name], name


def test_inline_postings_pickle_as_pickle_does():
    rng = random.Random(3)
    for _ in range(20_000):
        n = rng.randint(1, 3)
        docnums = tuple(sorted(rng.sample(range(rng.choice([200, 60_000, 2**32 - 1])), n)))
        weights = tuple(rng.choice([1.0, 2.0, 0.5, 1e9, 0.0, -1.0]) for _ in range(n))
        values = tuple(
            value
            for _ in range(rng.randint(0, 3))
            if (value := rng.randbytes(rng.choice([0, 1, 2, 4, 9, 300])))
        )
        if values and rng.random() < 0.05:
            values = (values[0],) * len(values)  # one object twice: a memo lookup
        assert _pickled_inline(docnums, weights, values) == dumps((docnums, weights, values), 2)


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
