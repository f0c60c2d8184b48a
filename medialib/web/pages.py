"""The library's browsing pages: home, topics, speakers, series."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext
from sqlalchemy.orm import Session

from ..i18n import N_
from . import queries
from .context import session
from .page_text import in_page_order
from .params import clean_id, page_number

T = TypeVar("T")

bp = Blueprint("pages", __name__)

PER_PAGE = 48  # cards a page (home, topic, speaker, series); ?page=N reaches the rest
NOT_FOUND = {"topic": N_("We could not find that topic."),
             "speaker": N_("We could not find that speaker."),
             "series": N_("We could not find that series.")}
SERIES_PARTS = 6  # parts listed under a series on the home page; its own page lists them all


def found_or_404(lookup: Callable[[Session, str], T | None], raw_id: str, what: str) -> T:
    """The topic, speaker or series named by a path id, or a friendly 404."""
    key = clean_id(raw_id)
    # The id exactly as written: "/topics/%20x" is no address of topic "x".
    found = lookup(session(), key) if key and key == raw_id else None
    if found is None:
        abort(404, description=gettext(NOT_FOUND[what]))
    return found


def listing(criteria: list[Any], order: Any = None, total: int | None = None
            ) -> queries.WebcastPage:
    """The ?page= page of these webcasts (`total` of them, if known); a 404 past the last page
    (page 1 always exists)."""
    page = page_number(request.args.get("page"))
    found = queries.webcasts_page(session(), criteria, page, PER_PAGE,
                                  order if order is not None else queries.NEWEST, total)
    if page > found.pages:
        abort(404, description=gettext("There is no such page of talks."))
    return found


@bp.route("/")
def home() -> str:
    """Search box, continue watching (filled in the browser), newest, topics, series, speakers."""
    db = session()
    newest = listing([])
    return render_template(
        "home.html",
        newest=newest.webcasts,
        listing=newest,
        total=newest.total,
        topics=in_page_order(queries.topics_with_counts(db), lambda t, lang: t[0].text(lang).name),
        series_list=in_page_order(queries.series_tiles(db, SERIES_PARTS),
                                  lambda tile, lang: tile.series.text(lang).title),
        speakers=queries.speakers_with_counts(db),
    )


@bp.route("/topics/<topic_id>")
def topic(topic_id: str) -> str:
    found = found_or_404(queries.topic, topic_id, "topic")
    shown = listing(queries.with_topic(found.id), total=found.webcast_count)
    return render_template("topic.html", topic=found, webcasts=shown.webcasts, listing=shown)


@bp.route("/speakers/<speaker_id>")
def speaker(speaker_id: str) -> str:
    found = found_or_404(queries.speaker, speaker_id, "speaker")
    shown = listing(queries.by_speaker(found.id), total=found.webcast_count)
    return render_template("speaker.html", speaker=found, webcasts=shown.webcasts, listing=shown)


@bp.route("/series/<series_id>")
def series(series_id: str) -> str:
    found = found_or_404(queries.series, series_id, "series")
    shown = listing(queries.in_series(found.id), queries.SERIES_ORDER,
                    found.webcast_count)
    return render_template("series.html", series=found, webcasts=shown.webcasts, listing=shown)
