"""Full-text search over webcasts.

    index = SearchIndex(instance / "index")
    index.rebuild(webcasts)                 # or add(webcast) / remove(slug)
    results = index.search("chemo brain", topic="cognitive-changes")
    index.search("niebla mental", lang="es")  # the Spanish captions, read as Spanish
    results.document()                      # the search contract's JSON; results.text(): the CLI's

Relevance lives here: analysis (tokens and stems, per language: languages.yaml), documents
(what each index document holds), query (user input to clauses), spelling ("did you mean"),
searching (ranking webcasts, finding their passages; bounded caches, see cache), moments (hit
cues and snippets), model (the result objects and their renderings), index (SearchIndex:
generations, atomic swap, refresh, writes), layout (each language's indexes and glossary).
Whoosh lives in the engine package below it, the only importer of Whoosh (codec.py and writer.py
here only keep the class names older indexes were written with).
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
