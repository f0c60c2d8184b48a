"""Relevance over the sample library: what patients type lands on the right webcast and moment.

Each case is (query, the webcast that must come first, the start of a cue that must be among its
first three moments). The sample catalog and captions are the committed ones at the repository
root; the index is built straight from them. Every case runs on the fast engine and on the
reference engine (Whoosh's public API only), and the two must give the same results, scores
included.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from medialib.config import Settings
from medialib.library import Library
from medialib.search import IndexedWebcast, SearchIndex
from medialib.search.engine import FastEngine, ReferenceEngine
from tests.search_support import assert_same_results

ROOT = Path(__file__).resolve().parent.parent

RADIATION = "role-of-radiation-mbc"
PROXY = "healthcare-proxy-advanced-cancer"
BRAIN_1 = "breast-cancer-brain-part-1"
BRAIN_2 = "breast-cancer-brain-part-2"
COGNITIVE = "cognitive-changes-mbc"
TRIALS = "choosing-a-clinical-trial-webchat"
PODCAST = "living-with-mbc-podcast"

CASES = [
    # Advance care planning: lay words and questions as patients ask them.
    ("health care proxy", PROXY, 45.2),
    ("living will", PROXY, 45.2),
    ("advance directive", PROXY, 22.7),
    ("healthcare proxy form", PROXY, 110.8),
    ("durable power of attorney", PROXY, 66.2),
    ("who should I choose as my proxy", PROXY, 84.8),
    ("what happens if I don't have a proxy", PROXY, 149.9),
    ("breathing machine", PROXY, 52.0),
    ("MOLST", PROXY, 196.5),
    ("notary", PROXY, 125.6),
    # Cognitive changes.
    ("chemo brain", COGNITIVE, 21.7),
    ("chemo fog", COGNITIVE, 21.7),
    ("memory problems", COGNITIVE, 54.5),
    ("cognitive rehabilitation", COGNITIVE, 144.8),
    ("occupational therapist", COGNITIVE, 150.9),
    ("sticky notes", COGNITIVE, 108.0),
    ("hot flashes", COGNITIVE, 86.0),
    ("neuropsych*", COGNITIVE, 163.4),
    # Radiation.
    ("spinal cord compression", RADIATION, 109.8),
    ("bone pain", RADIATION, 72.1),
    ("palliative radiation", RADIATION, 80.1),
    ("oligometastatic", RADIATION, 182.7),
    ("SBRT", RADIATION, 57.5),
    # Brain metastases, part 1 and part 2.
    ("hippocampal avoidance", BRAIN_1, 193.5),
    ("Namenda", BRAIN_1, 185.1),
    ("Decadron", BRAIN_1, 90.4),
    ("seizures", BRAIN_1, 60.8),
    ("triple negative", BRAIN_1, 38.5),
    ("Herceptin", BRAIN_2, 96.8),
    ("trastuzamab", BRAIN_2, 96.8),  # misspelled: corrected, then found
    ("Tukysa", BRAIN_2, 114.6),
    ("Xeloda", BRAIN_2, 66.2),
    ('"blood brain barrier"', BRAIN_2, 31.5),
    ("antibody drug conjugate", BRAIN_2, 128.6),
    ("neurosurgeon", BRAIN_2, 186.0),
    # Clinical trials webchat.
    ("placebo", TRIALS, 148.4),
    ("informed consent", TRIALS, 102.2),
    ("phase 3 trial", TRIALS, 66.5),
    ("randomized", TRIALS, 131.8),
    ("Erica Mayer", TRIALS, 8.5),
    # The podcast.
    ("scanxiety", PODCAST, 130.7),
    ("scan anxiety", PODCAST, 130.7),
    ("palliative care", PODCAST, 66.1),
    ("stage four", PODCAST, 13.3),
    ("fatigue", PODCAST, 96.6),
    ("support groups", PODCAST, 174.7),
]


def sample_webcasts() -> list[IndexedWebcast]:
    """The sample library as the app hands it to the index (Library.indexed)."""
    library = Library(Settings(library=ROOT))
    catalog = library.load_catalog()
    return [library.indexed(catalog, library.load_webcast(w)) for w in catalog.webcasts.values()]


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("relevance") / "index"
    SearchIndex(path).rebuild(sample_webcasts())
    return path


@pytest.fixture(scope="module", params=[FastEngine, ReferenceEngine], ids=["fast", "reference"])
def sample_index(sample_dir: Path, request: pytest.FixtureRequest) -> SearchIndex:
    return SearchIndex(sample_dir, engine=request.param)


def test_the_relevance_set_is_large_enough():
    assert len(CASES) >= 30


@pytest.mark.parametrize(("query", "slug", "moment"), CASES)
def test_query_lands_on_the_webcast_and_moment(sample_index, query, slug, moment):
    found = sample_index.search(query)
    assert found.results, f"{query!r} found nothing"
    first = found.results[0]
    assert first.slug == slug, f"{query!r}: {[r.slug for r in found.results]}"
    starts = [hit.start for hit in first.hits]
    assert moment in starts, f"{query!r}: moments {starts} in {slug}"


def test_health_care_proxy_is_first_with_timed_hits(sample_index):
    """The walking library's acceptance check."""
    found = sample_index.search("health care proxy")
    assert found.results[0].slug == PROXY
    assert all(hit.end > hit.start for hit in found.results[0].hits)


@pytest.mark.parametrize("query", [case[0] for case in CASES])
def test_both_engines_give_the_same_results_scores_included(sample_dir, query):
    fast = SearchIndex(sample_dir).search(query)
    reference = SearchIndex(sample_dir, engine=ReferenceEngine).search(query)
    assert fast.results
    assert_same_results(fast, reference)
