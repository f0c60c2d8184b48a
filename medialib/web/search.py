"""/search (results page) and /api/search (JSON): one search, the CLI's document, two renderings."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, cast

from flask import Blueprint, Response, current_app, jsonify, render_template, request

from ..library import search_document
from ..search import SearchIndex, SearchUnavailable
from . import queries
from .context import library, session, settings
from .params import clean_id, clean_text, page_number

bp = Blueprint("search", __name__)

KINDS = ("video", "audio")
HITS_PER_WEBCAST = 3  # moments shown under each webcast; its player page lists them all
UNAVAILABLE = (
    "Search is being rebuilt right now. Please try again in a few minutes. "
    "You can still browse the talks by topic, series or speaker."
)


@dataclass
class Query:
    """The search form's values, cleaned: anything a visitor types is safe to pass on."""

    q: str = ""
    topic: str | None = None
    speaker: str | None = None
    series: str | None = None
    kind: str | None = None
    page: int = 1

    @classmethod
    def from_args(cls) -> Query:
        args = request.args
        kind = args.get("kind")
        return cls(
            q=clean_text(args.get("q")),
            topic=clean_id(args.get("topic")),
            speaker=clean_id(args.get("speaker")),
            series=clean_id(args.get("series")),
            kind=kind if kind in KINDS else None,
            page=page_number(args.get("page")),
        )

    @property
    def filters(self) -> dict[str, str | None]:
        return {"topic": self.topic, "speaker": self.speaker, "series": self.series,
                "kind": self.kind}

    def args(self, **changes: Any) -> dict[str, Any]:
        """Query-string values for a link to another page or query of the same search."""
        values: dict[str, Any] = {"q": self.q, **self.filters, "page": self.page}
        values.update(changes)
        return {k: v for k, v in values.items() if v not in (None, "", 1) or k == "q"}


@dataclass
class _Recorder:
    """Passes search calls to the index and keeps the results (for their highlighted snippets)."""

    index: SearchIndex
    results: Any = None

    def search(self, *args: Any, **kwargs: Any) -> Any:
        self.results = self.index.search(*args, **kwargs)
        return self.results


@dataclass
class Outcome:
    document: dict[str, Any] | None = None
    snippets: list[list[str]] = field(default_factory=list)
    unavailable: bool = False


def run(query: Query) -> Outcome:
    """Search once; the document is exactly what `medialib search --json` prints."""
    recorder = _Recorder(library().index)
    try:
        document = search_document(
            cast(SearchIndex, recorder), query.q, topic=query.topic,
            speaker=query.speaker, series=query.series, kind=query.kind, page=query.page,
            per_page=settings().results_per_page, hits_per_webcast=HITS_PER_WEBCAST,
        )
    except SearchUnavailable as exc:
        current_app.logger.warning("search unavailable: %s", exc)
        return Outcome(unavailable=True)
    results = getattr(recorder.results, "results", [])
    snippets = [[getattr(hit, "html", "") for hit in result.hits] for result in results]
    return Outcome(document=document, snippets=snippets)


@bp.route("/search")
def search_page() -> tuple[str, int] | str:
    """Results grouped by webcast, each moment a link that plays from there."""
    query = Query.from_args()
    outcome = run(query) if query.q else Outcome()
    db = session()
    context = dict(
        query=query,
        outcome=outcome,
        topics=queries.topics_with_counts(db),
        speakers=queries.speakers_with_counts(db),
        series_list=queries.all_series(db),
        per_page=settings().results_per_page,
        hits_per_webcast=HITS_PER_WEBCAST,
    )
    if outcome.document is not None:
        total = int(outcome.document.get("total") or 0)
        context["pages"] = max(1, math.ceil(total / settings().results_per_page))
    html = render_template("search.html", **context)
    return (html, 503) if outcome.unavailable else html


@bp.route("/api/search")
def api_search() -> Response | tuple[Response, int]:
    """The search document as JSON (the same as `medialib search --json`)."""
    query = Query.from_args()
    outcome = run(query)
    if outcome.unavailable:
        return jsonify({"error": UNAVAILABLE, "query": query.q}), 503
    response = jsonify(outcome.document)
    response.headers["Cache-Control"] = "no-store"
    return response
