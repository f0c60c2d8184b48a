"""The search engine's fence: only it imports Whoosh, it leaves Whoosh as it found it, it says
which Whoosh it needs, old indexes still open, and the fast engine gives the figures of the
reference engine (Whoosh's public API only), scores included."""

from __future__ import annotations

import ast
import json
import pickle
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from whoosh.filedb.structfile import BufferFile

from medialib.captions import Cue
from medialib.chapters import Chapter
from medialib.search import IndexedWebcast, SearchIndex
from medialib.search.engine import (
    PASSAGES,
    WEBCASTS,
    AllOf,
    AnyOf,
    FastEngine,
    Phrase,
    ReferenceEngine,
    Word,
    compat,
)
from medialib.search.engine.codec import FastW3Codec, ViewBufferFile
from medialib.search.engine.writer import TermsText
from tests.search_support import assert_same_results

ROOT = Path(__file__).resolve().parent.parent
ENGINE = ROOT / "medialib" / "search" / "engine"


def _imports_whoosh(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""] if node.level == 0 else []
        else:
            continue
        if any(name == "whoosh" or name.startswith("whoosh.") for name in names):
            return True
    return False


def test_only_the_engine_package_imports_whoosh():
    modules = sorted((ROOT / "medialib").rglob("*.py")) + sorted((ROOT / "bench").rglob("*.py"))
    assert len(modules) > 40
    outside = [str(p.relative_to(ROOT)) for p in modules
               if ENGINE not in p.parents and _imports_whoosh(p)]
    assert outside == []
    inside = [p for p in modules if ENGINE in p.parents and _imports_whoosh(p)]
    assert len(inside) >= 5  # (the scan does find imports)


# Run in a fresh interpreter: a snapshot of every Whoosh module's globals and of its classes'
# attributes, before and after importing medialib and searching an index.
_UNTOUCHED = r"""
import importlib, json, pkgutil, sys, tempfile, warnings
warnings.simplefilter("ignore")
import whoosh

def snapshot():
    seen = {}
    for name, module in list(sys.modules.items()):
        if name == "whoosh" or name.startswith("whoosh."):
            for key, value in list(vars(module).items()):
                seen[f"{name}.{key}"] = id(value)
                if isinstance(value, type) and value.__module__ == name:
                    for attr, member in list(vars(value).items()):
                        seen[f"{name}.{key}.{attr}"] = id(member)
    return seen

for info in pkgutil.walk_packages(whoosh.__path__, "whoosh."):
    try:
        importlib.import_module(info.name)
    except Exception:
        pass
before = snapshot()
import medialib.cli, medialib.app
from medialib.search import SearchIndex
from medialib.captions import Cue
from medialib.search.model import IndexedWebcast
webcast = IndexedWebcast(slug="a", title="Radiation", summary="", kind="audio", series=None,
    recorded=None, speakers=(), topics=(), chapters=(),
    cues=tuple(Cue(i, i + 1, "whole brain radiation therapy", None) for i in range(200)))
index = SearchIndex(tempfile.mkdtemp())
index.rebuild([webcast])
found = index.search('"whole brain radiation"').total
after = snapshot()
changed = sorted(k for k in before if k in after and before[k] != after[k])
print(json.dumps({"found": found, "changed": changed, "checked": len(before)}))
"""


def test_importing_medialib_leaves_whoosh_module_globals_untouched():
    run = subprocess.run([sys.executable, "-c", _UNTOUCHED], capture_output=True, text=True,
                         cwd=ROOT, timeout=120)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["found"] == 1  # the search ran through the engine
    assert report["checked"] > 5_000
    assert report["changed"] == []


def test_the_installed_whoosh_passes_the_compatibility_check():
    compat.check()
    low, high = compat.SUPPORTED
    assert low <= compat.installed_version() < high
    assert compat.missing_names() == []
    pyproject = (ROOT / "pyproject.toml").read_text("utf-8")
    pin = ".".join(map(str, low)) + ",<" + ".".join(map(str, high))
    assert f'"whoosh-reloaded>={pin}"' in pyproject


def test_a_missing_private_name_or_another_version_fails_with_one_clear_error(monkeypatch):
    monkeypatch.setitem(compat.MODULE_NAMES, "whoosh.codec.whoosh3", ("W3Codec", "W3Gone"))
    monkeypatch.setitem(compat.INSTANCE_NAMES, "whoosh.codec.whoosh3.W3LeafMatcher",
                        ("_ids", "_vanished"))
    monkeypatch.setattr(compat, "installed_version", lambda: (3, 0, 0))
    with pytest.raises(compat.WhooshIncompatible) as error:
        compat.check()
    message = str(error.value)
    assert "version 3.0.0 is outside 2.7.5 to 2.8" in message
    assert "whoosh.codec.whoosh3.W3Gone" in message
    assert "whoosh.codec.whoosh3.W3LeafMatcher()._vanished" in message
    assert "_ids" not in message


def test_classes_pickled_by_older_indexes_still_load():
    classes = {"FastW3Codec": FastW3Codec, "TermsText": TermsText}
    for path in compat.PICKLED_NAMES:
        module, _, name = path.rpartition(".")
        # A protocol-2 GLOBAL, as the schema in an index's table of contents is pickled.
        assert pickle.loads(f"c{module}\n{name}\n.".encode()) is classes[name], path


def test_an_index_names_only_stable_classes(tmp_path):
    SearchIndex(tmp_path / "index").rebuild([_webcast(1, "fatigue")])
    named = set()
    for toc in (tmp_path / "index").glob("gen-*/_*.toc"):
        data = toc.read_bytes()
        found = re.findall(rb"c(medialib[\w.]*)\n(\w+)\n", data)
        found += re.findall(rb"\x8c.(medialib[\w.]*)\x94\x8c.(\w+)\x94\x93", data)
        named |= {f"{m.decode()}.{n.decode()}" for m, n in found}
    assert named == {"medialib.search.engine.codec.FastW3Codec",
                     "medialib.search.engine.writer.TermsText"}
    assert named <= set(compat.PICKLED_NAMES)


# ---- the fast engine gives the reference engine's figures -----------------------------------


def _webcast(n: int, words: str, lines: int = 40) -> IndexedWebcast:
    text = [f"Talk {n} is about {words}.", "We cover the side effects of whole brain radiation.",
            f"Questions about {words} come at the end of the talk."] * lines
    return IndexedWebcast(
        slug=f"talk-{n}", title=f"Talk {n}: {words} and whole brain radiation",
        summary=f"All about {words}.", kind="audio", series=None, recorded=None,
        speakers=(("s", "A Speaker, MD"),), topics=(("t", "A topic"),),
        chapters=(Chapter(0.0, f"Side effects of {words}"),),
        cues=tuple(Cue(i * 4.0, i * 4.0 + 4.0, line, None) for i, line in enumerate(text)),
    )


WORDS = ["fatigue", "insomnia", "radiation", "lymphedema", "neuropathy", "melatonin", "seizures",
         "nausea"]


@pytest.fixture(scope="module")
def changed_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of several segments, some with deleted documents (webcasts replaced), some
    short (postings inlined), some long (posting lists of many blocks)."""
    path = tmp_path_factory.mktemp("engines") / "index"
    index = SearchIndex(path)
    index.rebuild([_webcast(n, w, lines=40 + 30 * n) for n, w in enumerate(WORDS[:6])])
    index.add(_webcast(2, "radiation", lines=10))  # replaced: deleted documents
    index.add(_webcast(6, WORDS[6]))
    short = _webcast(9, "mucositis")
    index.add(replace(short, cues=short.cues[:6]))
    index.remove("talk-4")
    return path


@pytest.fixture(scope="module")
def engines(changed_index: Path):
    generation = changed_index / json.loads((changed_index / "CURRENT").read_text())["generation"]
    fast, reference = FastEngine(generation), ReferenceEngine(generation)
    yield fast, reference
    fast.close()
    reference.close()


WEBCAST_QUERIES = [
    Word("transcript", "talk"), Word("transcript", "fatigu", 0.5), Word("title", "talk", 6.0),
    Word("about", "speaker", 1.5), Word("transcript", "nausea"), Word("transcript", "mucos"),
    Word("heads", "side", 4.0), Word("transcript", "nothing"),
    Phrase("title", ("whole", "brain", "radiat"), 6.0), Phrase("heads", ("side", "effect"), 4.0),
    Phrase("title", ("radiat", "whole")), Phrase("heads", ("effect", "of", "insomnia")),
    AllOf((Word("pairs", "whole brain"), Word("pairs", "brain radiat")), 0.5),
    AllOf((Word("pairs", "side effect"), Word("pairs", "about fatigu"))),
]


def test_scores_of_both_engines_agree(engines):
    fast, reference = engines
    assert any(leaf.reader().has_deletions() for leaf, _ in
               fast.searcher(WEBCASTS).leaf_searchers())
    checked = 0
    for query in WEBCAST_QUERIES:
        ours: dict[int, float] = {}
        theirs: dict[int, float] = {}
        fast.add_scores(query, ours)
        reference.add_scores(query, theirs)
        assert ours.keys() == theirs.keys(), query
        for docnum, score in ours.items():
            # Whoosh adds a phrase's words up as a tree ((a + (b + c)) for three), the fast
            # engine left to right: the same figure to the last bit or two.
            assert score == pytest.approx(theirs[docnum], rel=1e-12, abs=0), (query, docnum)
        checked += len(ours)
    assert checked > 40


PASSAGE_QUERIES = [
    Word("body", "fatigu"), Word("body", "treatment"), Word("body", "insomnia", 0.5),
    Word("body", "mucos"), Phrase("body", ("side", "effect")),
    Phrase("body", ("come", "at", "the", "end")), Phrase("body", ("effect", "side")),
    AllOf((Word("body", "side"), Word("body", "radiat"))),
    AnyOf((Word("body", "fatigu"), Word("body", "radiat", 0.5),
           Phrase("body", ("side", "effect")))),
    AllOf((AnyOf((Word("body", "seizur"), Word("body", "nausea"))),
           Phrase("body", ("whole", "brain", "radiat")))),
    AllOf((Word("body", "talk"),)),
]


def test_weights_inside_ranges_of_both_engines_agree(engines):
    fast, reference = engines
    size = sum(leaf.doc_count_all() for leaf, _ in fast.searcher(PASSAGES).leaf_searchers())
    checked = 0
    for ranges in ([(0, size - 1)], [(1, 2), (5, 5), (9, size + 3)], [(3, 7), (40, 90)]):
        for query in PASSAGE_QUERIES:
            ours = fast.weights_in(query, ranges)
            assert ours == reference.weights_in(query, ranges), (query, ranges)
            checked += len(ours)
    assert checked > 100


def test_only_the_fast_engine_reads_files_in_place(engines):
    fast, reference = engines
    for engine, kind in ((fast, ViewBufferFile), (reference, BufferFile)):
        for leaf, _ in engine.searcher(PASSAGES).leaf_searchers():
            assert type(leaf.reader()._terms._postfile) is kind  # Whoosh's own, for the others


def test_lookups_of_both_engines_agree(engines):
    fast, reference = engines
    for engine in engines:
        assert engine.frequency(PASSAGES, "body", "fatigu") > 0
    assert fast.terms(WEBCASTS, "slug") == reference.terms(WEBCASTS, "slug")
    for index in (WEBCASTS, PASSAGES):
        for slug in fast.terms(index, "slug"):
            docs = fast.documents_with(index, "slug", slug)
            assert docs == reference.documents_with(index, "slug", slug)
            assert [fast.stored(index, d) for d in docs] == [
                reference.stored(index, d) for d in docs]
    assert fast.documents_with(WEBCASTS, "slug", "talk-4") == []  # removed
    assert fast.prefix_terms("title", "ta", 10) == reference.prefix_terms("title", "ta", 10)
    assert fast.frequency(WEBCASTS, "pairs", "whole brain") == reference.frequency(
        WEBCASTS, "pairs", "whole brain")


@pytest.mark.parametrize("query", ["talk", '"whole brain radiation"', "side effects fatigue",
                                   "radiation*", "insomnia talk", "fatigeu", "mucositis"])
def test_searches_of_both_engines_agree(changed_index, query):
    fast = SearchIndex(changed_index).search(query, hits_per_webcast=5)
    reference = SearchIndex(changed_index, engine=ReferenceEngine).search(
        query, hits_per_webcast=5)
    assert fast.total > 0
    assert_same_results(fast, reference)
