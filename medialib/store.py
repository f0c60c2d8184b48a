"""Catalog entries and parsed captions -> database rows, within a session the caller owns."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from . import models as m
from .captions import Cue
from .catalog import Catalog, Webcast
from .chapters import chapter_spans
from .translated import variants


def sync_taxonomy(session: Session, catalog: Catalog) -> None:
    """Upsert speakers, topics and series from the catalog; drop those no longer listed."""
    for sp in catalog.speakers.values():
        session.merge(m.Speaker(id=sp.id, name=sp.name, credentials=sp.credentials))
    for tp in catalog.topics.values():
        session.merge(
            m.Topic(id=tp.id, name=tp.name, description=tp.description,
                    synonyms="\n".join(tp.synonyms),
                    translations=[
                        m.TopicTranslation(topic_id=tp.id, lang=t.lang, name=t.name,
                                           description=t.description,
                                           synonym_list=list(t.synonyms))
                        for t in tp.translations
                    ])
        )
    for se in catalog.series.values():
        session.merge(m.Series(
            id=se.id, title=se.title, description=se.description,
            translations=[
                m.SeriesTranslation(series_id=se.id, lang=t.lang, title=t.title,
                                    description=t.description)
                for t in se.translations
            ],
        ))
    session.execute(delete(m.LibraryTitle))
    session.add_all(m.LibraryTitle(lang=lang, title=title)
                    for lang, title in catalog.titles.items())
    session.flush()
    stale: list[m.Speaker | m.Topic | m.Series] = [
        *(r for r in session.scalars(select(m.Speaker)) if r.id not in catalog.speakers),
        *(r for r in session.scalars(select(m.Topic)) if r.id not in catalog.topics),
        *(r for r in session.scalars(select(m.Series)) if r.id not in catalog.series),
    ]
    for row in stale:
        session.delete(row)


def delete_webcast_rows(session: Session, slug: str) -> None:
    """Remove a webcast and everything hanging off it."""
    row = session.get(m.Webcast, slug)
    if row is not None:
        session.delete(row)
        session.flush()


def put_webcast_rows(
    session: Session,
    webcast: Webcast,
    tracks: Mapping[str, Sequence[Cue]],
    duration: float,
    position: int = 0,
) -> m.Webcast:
    """Replace the rows of one webcast (taxonomy rows must already exist)."""
    delete_webcast_rows(session, webcast.slug)
    row = m.Webcast(
        slug=webcast.slug,
        title=webcast.title,
        summary=webcast.summary,
        kind=webcast.kind,
        series_id=webcast.series,
        part=webcast.part,
        recorded=webcast.recorded,
        undated=not webcast.recorded,
        poster=webcast.poster,
        duration=duration,
        position=position,
        reviewed_by=review.by if (review := webcast.medical_review) else None,
        reviewed_on=review.on if review else None,
        review_next=review.next if review else None,
        language=webcast.language,
    )
    row.speaker_links = [
        m.WebcastSpeaker(speaker_id=sid, position=i) for i, sid in enumerate(webcast.speakers)
    ]
    row.topic_links = [
        m.WebcastTopic(topic_id=tid, position=i) for i, tid in enumerate(webcast.topics)
    ]
    media = webcast.media
    row.media_files = [
        m.MediaFile(
            file=media.file, mime=media.type, size=media.size, duration=duration,
            width=media.width, height=media.height, video_codec=media.video_codec,
            audio_codec=media.audio_codec, checksum=media.checksum,
        )
    ]
    row.caption_tracks = [
        m.CaptionTrack(lang=track.lang, label=track.label or track.lang, file=track.file,
                       checksum=track.checksum, position=i, source=track.source,
                       reviewed_by=track.reviewed_by, reviewed_on=track.reviewed_on)
        for i, track in enumerate(webcast.captions)
    ]
    row.chapters = [
        m.Chapter(start=ch.start, end=end, title=ch.title)
        for ch, end in chapter_spans(list(webcast.chapters), duration)
    ]
    row.resources = [
        m.Resource(position=i, title=r.title, url=r.url, description=r.description)
        for i, r in enumerate(webcast.resources)
    ]
    row.translations = [
        m.WebcastTranslation(
            lang=t.lang, title=t.title, summary=t.summary, chapter_titles=list(t.chapters),
            resource_list=None if t.resources is None else [
                {"title": r.title, "url": r.url, "description": r.description}
                for r in t.resources
            ],
        )
        for t in webcast.translations
    ]
    session.add(row)
    session.flush()
    # The cues (about 900 an hour) in one executemany, not one ORM object each: 10x faster.
    cue_rows = [
        {"track_id": track_row.id, "position": j, "start": c.start, "end": c.end,
         "text": c.text, "speaker": c.speaker}
        for track_row in row.caption_tracks
        for j, c in enumerate(tracks.get(track_row.lang, ()))
    ]
    if cue_rows:
        session.execute(insert(m.Cue), cue_rows)
    return row


def write_all(
    session: Session,
    catalog: Catalog,
    webcasts: Sequence[tuple[Webcast, Mapping[str, Sequence[Cue]], float, int]],
    carried: int | None,
    publish_unreviewed: bool,
) -> int:
    """Every row again (a reindex): the taxonomy and (webcast, tracks, duration, position) of
    each published webcast, counting on from generation `carried` when the database was made
    anew; the new generation."""
    clear_all(session)
    if carried:
        continue_generation(session, carried)
    sync_taxonomy(session, catalog)
    for webcast, tracks, duration, position in webcasts:
        put_webcast_rows(session, webcast, tracks, duration, position)
    return bump_generation(session, catalog.title, REINDEX, None, publish_unreviewed)


def clear_all(session: Session) -> None:
    """Delete every row (a full rebuild follows in the same transaction)."""
    for model in (m.Cue, m.CaptionTrack, m.Chapter, m.MediaFile, m.Resource,
                  m.WebcastSpeaker, m.WebcastTopic, m.WebcastTranslation, m.Webcast):
        session.execute(delete(model))
    session.flush()


def stored_slugs(session: Session) -> dict[str, int]:
    """slug -> number of cues stored, to compare the database with the catalog."""
    counts: dict[str, int] = {}
    for slug in session.scalars(select(m.Webcast.slug)):
        counts[slug] = 0
    rows = session.execute(
        select(m.CaptionTrack.webcast_slug, m.Cue.id).join(m.Cue.track)
    ).all()
    for slug, _ in rows:
        counts[slug] = counts.get(slug, 0) + 1
    return counts


# Generations of the change log kept (a few KB): a node further behind rebuilds its index.
LOG_KEPT = 1000
REINDEX = "reindex"


def bump_generation(
    session: Session,
    title: str,
    action: str,
    slug: str | None = None,
    publish_unreviewed: bool | None = None,
) -> int:
    """Count one more change of the library's rows (in the caller's transaction), noting the
    catalog's library title and logging `action` on `slug` (see models.LibraryChange); the new
    generation. Its time tells caches when the published state last changed.

    `publish_unreviewed` is the setting the rows were written with: a reindex records it, a
    single webcast's write under the other value marks the rows mixed (None)."""
    now = time.time()
    state = session.get(m.LibraryState, 1, with_for_update=True)
    if state is None:
        state = m.LibraryState(id=1, generation=0, publish_unreviewed_captions=publish_unreviewed)
        session.add(state)
    state.generation += 1
    state.changed_at, state.title = now, title
    if action == REINDEX:
        state.publish_unreviewed_captions = publish_unreviewed
    elif publish_unreviewed is not None and state.publish_unreviewed_captions != publish_unreviewed:
        state.publish_unreviewed_captions = None
    generation = state.generation
    if action != "files":
        count_webcasts(session)
    kept_after = generation - 1 if action == REINDEX else generation - LOG_KEPT
    session.execute(delete(m.LibraryChange).where(m.LibraryChange.generation <= kept_after))
    session.add(m.LibraryChange(generation=generation, slug=slug, action=action))
    session.flush()
    return generation


def continue_generation(session: Session, generation: int) -> None:
    """Start the generation count of a new database at `generation` (that of the one it
    replaces), before the first bump."""
    session.add(m.LibraryState(id=1, generation=generation, changed_at=time.time(), title=""))
    session.flush()


def count_webcasts(session: Session) -> None:
    """Note each topic's, speaker's and series' number of webcasts in its row (in the caller's
    transaction, after the rows changed), so pages read the counts without counting."""
    counted = ((m.Topic, select(func.count()).where(m.WebcastTopic.topic_id == m.Topic.id)),
               (m.Speaker, select(func.count()).where(m.WebcastSpeaker.speaker_id == m.Speaker.id)),
               (m.Series, select(func.count()).where(m.Webcast.series_id == m.Series.id)))
    for model, count in counted:
        session.execute(update(model).values(webcast_count=count.scalar_subquery())
                        .execution_options(synchronize_session=False))


def read_changes(connection: Connection | Session, after: int) -> list[tuple[int, str | None, str]]:
    """(generation, slug, action) of the logged changes after generation `after`, oldest first."""
    rows = connection.execute(
        select(m.LibraryChange.generation, m.LibraryChange.slug, m.LibraryChange.action)
        .where(m.LibraryChange.generation > after).order_by(m.LibraryChange.generation)
    ).all()
    return [(int(g), s, str(a)) for g, s, a in rows]


def publish_setting_out_of_step(session: Session, setting: bool,
                                 drafts: Callable[[], set[str]]) -> bool:
    """Do the rows disagree with `setting` of publish_unreviewed_captions? Not when they were
    written with it (one row read). Otherwise the webcasts whose only captions are unchecked
    drafts (`drafts()`, from the catalog) are compared with the rows; if they agree after all,
    the setting is recorded (committed), so the next look reads one row again."""
    row = session.execute(select(m.LibraryState.publish_unreviewed_captions)).first()
    if row is None or row[0] == setting:
        return False
    held = drafts()
    stored = published_slugs(session, sorted(held)) if held else set()
    if (held != stored) if setting else bool(stored):
        return True
    session.execute(update(m.LibraryState).where(m.LibraryState.id == 1)
                    .values(publish_unreviewed_captions=setting))
    session.commit()
    return False


def published_slugs(session: Session, slugs: Sequence[str] | None = None) -> set[str]:
    """The slugs (of `slugs`, or all) that have rows: the webcasts on the site."""
    query = select(m.Webcast.slug)
    if slugs is not None:
        query = query.where(m.Webcast.slug.in_(list(slugs)))
    return set(session.scalars(query))


def read_generation(connection: Connection | Session) -> tuple[int, float] | None:
    """(generation, time of the last change) of the rows, or None before the first write."""
    row = connection.execute(select(m.LibraryState.generation, m.LibraryState.changed_at)).first()
    return (int(row[0]), float(row[1])) if row else None


def library_title(session: Session, lang: str | None = None) -> str | None:
    """The catalog's library title as of the last write (in `lang` when it has one), or None
    before the first write."""
    if lang is not None:
        for wanted in variants(lang):
            translated = session.scalar(
                select(m.LibraryTitle.title).where(m.LibraryTitle.lang == wanted)
            )
            if translated is not None:
                return str(translated)
    title = session.scalar(select(m.LibraryState.title))
    return str(title) if title is not None else None
