"""Read-only queries the pages need, over the request's session."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from .. import models as m

_CARD = (
    selectinload(m.Webcast.speaker_links).selectinload(m.WebcastSpeaker.speaker),
    selectinload(m.Webcast.topic_links).selectinload(m.WebcastTopic.topic),
    selectinload(m.Webcast.media_files),
    selectinload(m.Webcast.series),
)


def newest_first(webcasts: list[m.Webcast]) -> list[m.Webcast]:
    """Newest recording first; undated ones last, in catalog order."""
    dated = sorted((w for w in webcasts if w.recorded), key=lambda w: w.recorded or "",
                   reverse=True)
    return dated + [w for w in webcasts if not w.recorded]


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


def webcasts_with_topic(session: Session, topic_id: str) -> list[m.Webcast]:
    return newest_first(list(session.scalars(
        select(m.Webcast).join(m.Webcast.topic_links).where(m.WebcastTopic.topic_id == topic_id)
        .options(*_CARD).order_by(m.Webcast.position)
    )))


def webcasts_by_speaker(session: Session, speaker_id: str) -> list[m.Webcast]:
    return newest_first(list(session.scalars(
        select(m.Webcast).join(m.Webcast.speaker_links)
        .where(m.WebcastSpeaker.speaker_id == speaker_id)
        .options(*_CARD).order_by(m.Webcast.position)
    )))


def webcasts_in_series(session: Session, series_id: str) -> list[m.Webcast]:
    return list(session.scalars(
        select(m.Webcast).where(m.Webcast.series_id == series_id).options(*_CARD)
        .order_by(m.Webcast.part, m.Webcast.position)
    ))
