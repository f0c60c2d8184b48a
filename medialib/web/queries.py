"""Read-only queries the pages need, over the request's session."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session, selectinload

from .. import models as m

_CARD = (
    selectinload(m.Webcast.speaker_links).selectinload(m.WebcastSpeaker.speaker),
    selectinload(m.Webcast.topic_links).selectinload(m.WebcastTopic.topic),
    selectinload(m.Webcast.media_files),
    selectinload(m.Webcast.series),
)


# Newest recording first, undated ones last in catalog order: in SQL, so a page reads only its
# own rows.
_NEWEST = (
    case((or_(m.Webcast.recorded.is_(None), m.Webcast.recorded == ""), 1), else_=0),
    m.Webcast.recorded.desc(),
    m.Webcast.position,
)


@dataclass(frozen=True)
class WebcastPage:
    """One page of a list of webcasts, with the count of the whole list."""

    webcasts: list[m.Webcast]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def webcasts_page(session: Session, criteria: Sequence[Any], page: int, per_page: int,
                  order: Sequence[Any] = _NEWEST) -> WebcastPage:
    """Page `page` (from 1) of the webcasts matching `criteria`, newest first by default: a
    count and at most `per_page` rows, whatever the size of the library."""
    total = session.scalar(select(func.count()).select_from(m.Webcast).where(*criteria)) or 0
    rows = session.scalars(
        select(m.Webcast).where(*criteria).options(*_CARD).order_by(*order)
        .offset((page - 1) * per_page).limit(per_page)
    )
    return WebcastPage(list(rows), int(total), page, per_page)


def with_topic(topic_id: str) -> list[Any]:
    return [m.Webcast.slug.in_(
        select(m.WebcastTopic.webcast_slug).where(m.WebcastTopic.topic_id == topic_id))]


def by_speaker(speaker_id: str) -> list[Any]:
    return [m.Webcast.slug.in_(
        select(m.WebcastSpeaker.webcast_slug).where(m.WebcastSpeaker.speaker_id == speaker_id))]


def in_series(series_id: str) -> list[Any]:
    return [m.Webcast.series_id == series_id]


SERIES_ORDER = (m.Webcast.part, m.Webcast.position)


def webcast_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(m.Webcast)) or 0)


def webcasts_by_position(session: Session, offset: int, limit: int) -> list[m.Webcast]:
    """Webcasts in catalog order, a slice of them (the sitemap's files)."""
    return list(session.scalars(
        select(m.Webcast).options(*_CARD).order_by(m.Webcast.position)
        .offset(offset).limit(limit)
    ))


def all_webcasts(session: Session) -> list[m.Webcast]:
    return list(session.scalars(select(m.Webcast).options(*_CARD).order_by(m.Webcast.position)))


def topics_with_counts(session: Session) -> list[tuple[m.Topic, int]]:
    """Every shown topic with its number of webcasts (an empty, undescribed one is not shown)."""
    count = func.count(m.WebcastTopic.webcast_slug)
    rows = session.execute(
        select(m.Topic, count).outerjoin(m.Topic.tagged).group_by(m.Topic.id).order_by(m.Topic.name)
    )
    return [(topic, n) for topic, n in rows if n or topic.description.strip()]


def speakers_with_counts(session: Session) -> list[tuple[m.Speaker, int]]:
    count = func.count(m.WebcastSpeaker.webcast_slug)
    rows = session.execute(
        select(m.Speaker, count).outerjoin(m.Speaker.appearances).group_by(m.Speaker.id)
        .order_by(m.Speaker.name)
    )
    return [(speaker, n) for speaker, n in rows]


def all_series(session: Session) -> list[m.Series]:
    """Every shown series (an empty, undescribed one is not shown)."""
    return [s for s in session.scalars(
        select(m.Series).options(selectinload(m.Series.webcasts)).order_by(m.Series.title)
    ) if s.webcasts or s.description.strip()]


def webcast(session: Session, slug: str) -> m.Webcast | None:
    """One webcast with everything its player page shows."""
    return session.scalars(
        select(m.Webcast).where(m.Webcast.slug == slug).options(
            *_CARD,
            selectinload(m.Webcast.caption_tracks).selectinload(m.CaptionTrack.cues),
            selectinload(m.Webcast.chapters),
            selectinload(m.Webcast.resources),
            selectinload(m.Webcast.series).selectinload(m.Series.webcasts),
        )
    ).first()


def topic(session: Session, topic_id: str) -> m.Topic | None:
    """The topic, unless it has no webcast and no description: what a mistyped --topic leaves
    behind is no page (`medialib check` reports it)."""
    found = session.get(m.Topic, topic_id)
    if found is None or found.description.strip() or found.tagged:
        return found
    return None


def speaker(session: Session, speaker_id: str) -> m.Speaker | None:
    return session.get(m.Speaker, speaker_id)


def series(session: Session, series_id: str) -> m.Series | None:
    """The series, unless it has no webcast and no description (as for topics)."""
    found = session.get(m.Series, series_id)
    if found is None or found.description.strip() or found.webcasts:
        return found
    return None
