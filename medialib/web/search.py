"""/search (results page) and /api/search (JSON): one search result, two renderings.

The index returns one SearchResults object; /api/search sends its document() (the CLI's
`--json` document, the search contract), the page renders the object itself.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template, request

from .. import i18n
from ..languages import language_label
from ..search import SearchResults, SearchUnavailable
from . import queries
from .context import library, session, settings
from .locale import page_lang, url_in
from .params import clean_id, clean_text, page_number

bp = Blueprint("search", __name__)

KINDS = ("video", "audio")
LANG_RE = re.compile(r"^[a-z]{2,3}$")
# The link to the same search in another language, in that language: each catalog translates it
# into its own words ("Buscar en español").
SEARCH_IN = "Search in English"
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
    lang: str = i18n.SOURCE_LANGUAGE  # the language searched (the page's; the API's ?lang=)

    @classmethod
    def from_args(cls, lang: str | None = None) -> Query:
        """The search of this request's query string, in `lang` (default: its ?lang=)."""
        args = request.args
        kind = args.get("kind")
        return cls(
            q=clean_text(args.get("q")),
            topic=clean_id(args.get("topic")),
            speaker=clean_id(args.get("speaker")),
            series=clean_id(args.get("series")),
            kind=kind if kind in KINDS else None,
            page=page_number(args.get("page")),
            lang=lang or clean_lang(args.get("lang")),
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
class Outcome:
    results: SearchResults | None = None
    unavailable: bool = False


def clean_lang(value: str | None) -> str:
    """A language code from the query string ("es"); English for anything else."""
    code = (clean_id(value) or "").lower().split("-")[0]
    return code if LANG_RE.match(code) else i18n.SOURCE_LANGUAGE


def run(query: Query) -> Outcome:
    """Search once, as `medialib search` does."""
    try:
        results = library().index.search(
            query.q, topic=query.topic, speaker=query.speaker, series=query.series,
            kind=query.kind, page=query.page, per_page=settings().results_per_page,
            hits_per_webcast=HITS_PER_WEBCAST, lang=query.lang,
        )
    except SearchUnavailable as exc:
        current_app.logger.warning("search unavailable: %s", exc)
        return Outcome(unavailable=True)
    return Outcome(results=results)


@bp.route("/search")
def search_page() -> tuple[str, int] | str:
    """Results grouped by webcast, each moment a link that plays from there, searched in the
    page's language, with a link to the same search in each other language."""
    query = Query.from_args(page_lang())
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
        search_elsewhere=elsewhere(query, outcome),
    )
    if outcome.results is not None:
        context["pages"] = max(1, math.ceil(outcome.results.total / settings().results_per_page))
    html = render_template("search.html", **context)
    return (html, 503) if outcome.unavailable else html


def elsewhere(query: Query, outcome: Outcome) -> list[tuple[str, str, str, int | None]]:
    """(language, link text in that language, URL, talks found or None) of the same search in
    each other interface language. When this language found nothing, how many talks the other
    language finds (the words may only be said in English)."""
    found = []
    nothing = outcome.results is not None and not outcome.results.total
    for lang in i18n.LANGUAGES:
        if lang == query.lang:
            continue
        total = None
        if query.q and nothing:
            there = run(replace(query, lang=lang, page=1))
            total = there.results.total if there.results is not None else None
        label = i18n.gettext(lang, "Search in English")
        if label == SEARCH_IN and lang != i18n.SOURCE_LANGUAGE:
            label = language_label(lang)  # not translated yet: the language's own name
        found.append((lang, label, url_in(lang), total))
    return found


@bp.route("/api/search")
def api_search() -> Response | tuple[Response, int]:
    """The search document as JSON (the same as `medialib search --json`)."""
    query = Query.from_args()
    outcome = run(query)
    if outcome.results is None:
        return jsonify({"error": UNAVAILABLE, "query": query.q}), 503
    response = jsonify(outcome.results.document())
    response.headers["Cache-Control"] = "no-store"
    return response
