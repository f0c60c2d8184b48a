"""The library's browsing pages: home, topics, speakers, series."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Blueprint, abort, render_template
from sqlalchemy.orm import Session

from . import queries
from .context import session
from .params import clean_id

T = TypeVar("T")

bp = Blueprint("pages", __name__)

NEWEST = 48  # a page of cards; topics, series, speakers and search reach the rest


def found_or_404(lookup: Callable[[Session, str], T | None], raw_id: str, what: str) -> T:
    """The topic, speaker or series named by a path id, or a friendly 404."""
    key = clean_id(raw_id)
    # The id exactly as written: "/topics/%20x" is no address of topic "x".
    found = lookup(session(), key) if key and key == raw_id else None
    if found is None:
        abort(404, description=f"We could not find that {what}.")
    return found


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
    found = found_or_404(queries.topic, topic_id, "topic")
    return render_template(
        "topic.html", topic=found, webcasts=queries.webcasts_with_topic(session(), found.id)
    )


@bp.route("/speakers/<speaker_id>")
def speaker(speaker_id: str) -> str:
    found = found_or_404(queries.speaker, speaker_id, "speaker")
    return render_template(
        "speaker.html", speaker=found, webcasts=queries.webcasts_by_speaker(session(), found.id)
    )


@bp.route("/series/<series_id>")
def series(series_id: str) -> str:
    found = found_or_404(queries.series, series_id, "series")
    return render_template(
        "series.html", series=found, webcasts=queries.webcasts_in_series(session(), found.id)
    )
