"""The library's browsing pages: home, topics, speakers, series."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from . import queries
from .context import session
from .params import clean_id

bp = Blueprint("pages", __name__)

NEWEST = 48  # a page of cards; topics, series, speakers and search reach the rest


@bp.route("/")
def home() -> str:
    """Search box, continue watching (filled in the browser), newest, topics, series, speakers."""
    db = session()
    webcasts = queries.all_webcasts(db)
    return render_template(
        "home.html",
        newest=queries.newest_first(webcasts)[:NEWEST],
        total=len(webcasts),
        topics=queries.topics_with_counts(db),
        series_list=queries.all_series(db),
        speakers=queries.speakers_with_counts(db),
    )


@bp.route("/topics/<topic_id>")
def topic(topic_id: str) -> str:
    key = clean_id(topic_id)
    found = queries.topic(session(), key) if key else None
    if found is None:
        abort(404, description="We could not find that topic.")
    return render_template(
        "topic.html", topic=found, webcasts=queries.webcasts_with_topic(session(), found.id)
    )


@bp.route("/speakers/<speaker_id>")
def speaker(speaker_id: str) -> str:
    key = clean_id(speaker_id)
    found = queries.speaker(session(), key) if key else None
    if found is None:
        abort(404, description="We could not find that speaker.")
    return render_template(
        "speaker.html", speaker=found, webcasts=queries.webcasts_by_speaker(session(), found.id)
    )


@bp.route("/series/<series_id>")
def series(series_id: str) -> str:
    key = clean_id(series_id)
    found = queries.series(session(), key) if key else None
    if found is None:
        abort(404, description="We could not find that series.")
    return render_template(
        "series.html", series=found, webcasts=queries.webcasts_in_series(session(), found.id)
    )
