"""What the tests of the two search engines share."""

from __future__ import annotations

import pytest

from medialib.search.model import SearchResults


def assert_same_results(fast: SearchResults, reference: SearchResults) -> None:
    """The two engines' results are equal: scores to the last digits a sum's order can change
    (the engines add a phrase's or a query's parts in different orders), the rest exactly."""
    assert [r.score for r in fast.results] == pytest.approx(
        [r.score for r in reference.results], rel=1e-12, abs=0)
    for ours in (fast, reference):
        for result in ours.results:
            result.score = 0.0
    assert fast == reference
