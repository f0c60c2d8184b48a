"""What a search remembers per open index stays within bounds, whatever visitors type."""

from __future__ import annotations

import tracemalloc

import pytest

from medialib.captions import Cue
from medialib.search import IndexedWebcast, SearchIndex
from medialib.search.cache import BoundedCache
from medialib.search.searching import (
    CACHED_FILTERS,
    CACHED_FREQUENCIES,
    CACHED_PREFIXES,
    CACHED_SUGGESTIONS,
)

STREAM = 10_000  # searches, each with three filter values no one asked before
MEASURED = 2_000  # more of them, memory traced


def test_the_least_recently_used_value_goes_first():
    cache: BoundedCache[int] = BoundedCache(2)
    made: list[str] = []

    def make(key: str) -> int:
        made.append(key)
        return len(made)

    assert cache.get("a", lambda: make("a")) == 1
    assert cache.get("b", lambda: make("b")) == 2
    assert cache.get("a", lambda: make("a")) == 1  # kept, and now the most recent
    assert cache.get("c", lambda: make("c")) == 3  # "b" goes
    assert len(cache) == 2
    assert cache.get("a", lambda: make("a")) == 1
    assert cache.get("b", lambda: make("b")) == 4  # made again
    assert made == ["a", "b", "c", "b"]
    with pytest.raises(ValueError):
        BoundedCache(0)


@pytest.fixture
def index(tmp_path) -> SearchIndex:
    webcast = IndexedWebcast(
        slug="radiation", title="Radiation therapy", summary="What radiation does.",
        kind="audio", series=None, recorded=None, speakers=(("s", "A Speaker, MD"),),
        topics=(("radiation-therapy", "Radiation therapy"),), chapters=(),
        cues=tuple(Cue(i * 4.0, i * 4.0 + 4.0, "Radiation treats the spot in the bone.", None)
                   for i in range(40)),
    )
    index = SearchIndex(tmp_path / "index")
    index.rebuild([webcast])
    return index


@pytest.mark.slow  # a long stream of searches: left out of make test-fast
def test_a_long_stream_of_distinct_filter_values_keeps_memory_flat(index):
    assert index.search("radiation", topic="radiation-therapy").total == 1
    generation = index._generation

    def ask(n: int) -> None:
        found = index.search("radiation", topic=f"t{n}", speaker=f"s{n}", series=f"r{n}")
        assert found.total == 0

    for n in range(STREAM):  # 30,000 distinct values
        ask(n)
    assert len(generation._filters) == CACHED_FILTERS
    tracemalloc.start()
    try:
        for n in range(STREAM, STREAM + MEASURED // 2):  # the cache's values now traced too
            ask(n)
        settled = tracemalloc.get_traced_memory()[0]
        for n in range(STREAM + MEASURED // 2, STREAM + MEASURED * 3 // 2):
            ask(n)
        grown = tracemalloc.get_traced_memory()[0] - settled
    finally:
        tracemalloc.stop()
    assert index._generation is generation  # one open index all along
    assert len(generation._filters) == CACHED_FILTERS
    # Unbounded, the filter sets of those 6,000 values alone took over a megabyte.
    assert grown < 20_000, grown
    assert index.search("radiation", topic="radiation-therapy").total == 1


def test_streams_of_distinct_prefixes_and_misspellings_stay_within_bounds(index):
    index.search("radiation")
    generation = index._generation
    for n in range(CACHED_PREFIXES + 500):
        index.search(f"rad{n:04d}*")
    for n in range(CACHED_SUGGESTIONS + 500):
        index.search(f"radiatoin {n}")
    assert len(generation._prefixes) == CACHED_PREFIXES
    assert len(generation._suggestions) == CACHED_SUGGESTIONS
    assert len(generation._known) <= CACHED_FREQUENCIES
    assert index.search("radiatoin").suggestion == "radiation"
