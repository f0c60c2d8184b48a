"""Full-text search over webcasts: the only part of medialib that imports Whoosh.

    index = SearchIndex(instance / "index")
    index.rebuild(webcasts)                 # or add(webcast) / remove(slug)
    results = index.search("chemo brain", topic="cognitive-changes")

Modules: analysis (tokens and stems), documents (schemas and documents), query (user input to
clauses), phrases (a faster phrase query, cached BM25F lengths), spelling ("did you mean"),
searching (ranking webcasts, finding their passages), moments (hit cues and snippets), index
(SearchIndex: generations, atomic swap, refresh, writes).
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
