"""Read-only queries the pages need, over the request's session."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from .. import models as m

# What each list loads beside the webcasts' own rows: only what it shows. A card names the
# speakers and the series; a feed item the speakers and the media file; a sitemap entry the file.
_SPEAKERS = selectinload(m.Webcast.speaker_links).selectinload(m.WebcastSpeaker.speaker)
CARD = (_SPEAKERS, selectinload(m.Webcast.series))
FEED_ITEM = (_SPEAKERS, selectinload(m.Webcast.media_files))
SITEMAP_ENTRY = (selectinload(m.Webcast.media_files),)
_PLAYER = (*CARD, selectinload(m.Webcast.media_files),
           selectinload(m.Webcast.topic_links).selectinload(m.WebcastTopic.topic))


# Newest recording first, undated ones last in catalog order: in SQL, so a page reads only its
# own rows.
NEWEST = (m.Webcast.undated, m.Webcast.recorded.desc(), m.Webcast.position)


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
                  order: Sequence[Any] = NEWEST, total: int | None = None) -> WebcastPage:
    """Page `page` (from 1) of the webcasts matching `criteria`, newest first by default, as
    cards: a count (unless the caller knows the `total`) and at most `per_page` rows, whatever
    the size of the library."""
    if total is None:
        total = session.scalar(select(func.count()).select_from(m.Webcast).where(*criteria)) or 0
    rows = first_webcasts(session, criteria, per_page, order, offset=(page - 1) * per_page)
    return WebcastPage(rows, int(total), page, per_page)


def first_webcasts(session: Session, criteria: Sequence[Any], limit: int,
                   order: Sequence[Any] = NEWEST, loads: Sequence[Any] = CARD, offset: int = 0
                   ) -> list[m.Webcast]:
    """At most `limit` webcasts matching `criteria` (newest first by default) from `offset`,
    with `loads` (what each one shows: CARD or FEED_ITEM)."""
    return list(session.scalars(
        select(m.Webcast).where(*criteria).options(*loads).order_by(*order)
        .offset(offset).limit(limit)
    ))


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
        select(m.Webcast).options(*SITEMAP_ENTRY).order_by(m.Webcast.position)
        .offset(offset).limit(limit)
    ))


def all_webcasts(session: Session) -> list[m.Webcast]:
    return list(session.scalars(select(m.Webcast).options(*CARD).order_by(m.Webcast.position)))


def topics_with_counts(session: Session) -> list[tuple[m.Topic, int]]:
    """Every shown topic with its number of webcasts (an empty, undescribed one is not shown)."""
    rows = session.scalars(select(m.Topic).order_by(m.Topic.name))
    return [(topic, topic.webcast_count) for topic in rows
            if topic.webcast_count or topic.description.strip()]


def speakers_with_counts(session: Session) -> list[tuple[m.Speaker, int]]:
    rows = session.scalars(select(m.Speaker).order_by(m.Speaker.name))
    return [(speaker, speaker.webcast_count) for speaker in rows]


def all_series(session: Session) -> list[m.Series]:
    """Every shown series (an empty, undescribed one is not shown), without its webcasts."""
    return [s for s in session.scalars(select(m.Series).order_by(m.Series.title))
            if s.webcast_count or s.description.strip()]


@dataclass(frozen=True)
class SeriesTile:
    """A series on the home page: its first parts and how many there are."""

    series: m.Series
    parts: list[m.Webcast]
    count: int


def series_tiles(session: Session, parts: int) -> list[SeriesTile]:
    """Every shown series with its number of webcasts and its first `parts` webcasts (by part,
    then catalog order): two queries, whatever the length of a series."""
    shown = all_series(session)
    rank = func.row_number().over(partition_by=m.Webcast.series_id,
                                  order_by=SERIES_ORDER).label("rank")
    ranked = (select(m.Webcast.slug, rank).where(m.Webcast.series_id.is_not(None))
              .subquery())
    first: dict[str, list[m.Webcast]] = {}
    for w in session.scalars(
        select(m.Webcast).join(ranked, ranked.c.slug == m.Webcast.slug)
        .where(ranked.c.rank <= parts).order_by(*SERIES_ORDER)
    ):
        first.setdefault(str(w.series_id), []).append(w)
    return [SeriesTile(s, first.get(s.id, []), s.webcast_count) for s in shown]


def webcast(session: Session, slug: str) -> m.Webcast | None:
    """One webcast with everything its player page shows."""
    return session.scalars(
        select(m.Webcast).where(m.Webcast.slug == slug).options(
            *_PLAYER,
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
    if found is None or found.description.strip() or found.webcast_count:
        return found
    return None


def speaker(session: Session, speaker_id: str) -> m.Speaker | None:
    return session.get(m.Speaker, speaker_id)


def series(session: Session, series_id: str) -> m.Series | None:
    """The series, unless it has no webcast and no description (as for topics)."""
    found = session.get(m.Series, series_id)
    if found is None or found.description.strip() or found.webcast_count:
        return found
    return None
