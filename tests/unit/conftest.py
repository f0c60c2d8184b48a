"""A small search index for the unit tests of moments and spelling, through medialib.search's
public names only (the package's modules are free to move)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from medialib.search import SearchIndex

from .search_library import CHAT, TALK


@pytest.fixture(scope="package")
def small_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchIndex]:
    """A read-only index of TALK (one speaker, three chapters) and CHAT (two speakers)."""
    index = SearchIndex(tmp_path_factory.mktemp("unit-search") / "index")
    index.rebuild([TALK, CHAT])
    yield index
    index.close()
