"""Full-text search over webcasts: the only part of medialib that imports Whoosh.

    index = SearchIndex(instance / "index")
    index.rebuild(webcasts)                 # or add(webcast) / remove(slug)
    results = index.search("chemo brain", topic="cognitive-changes")

Modules: analysis (tokens and stems), documents (schemas and documents), query (user input to
clauses, highlighting), spelling ("did you mean"), searching (ranking and moments), index
(SearchIndex: directories, atomic swap, refresh).
"""

from .index import SearchIndex
from .model import Hit, IndexedWebcast, SearchResults, SearchUnavailable, WebcastResult

__all__ = [
    "Hit",
    "IndexedWebcast",
    "SearchIndex",
    "SearchResults",
    "SearchUnavailable",
    "WebcastResult",
]
