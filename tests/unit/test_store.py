"""medialib.store: catalog entries and cues -> database rows, in a session the test owns."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from medialib import models as m
from medialib.captions import Cue
from medialib.catalog import Catalog
from medialib.db import create_schema, make_engine, session_factory, transaction
from medialib.store import (
    clear_all,
    delete_webcast_rows,
    put_webcast_rows,
    stored_slugs,
    sync_taxonomy,
)

CATALOG = """\
speakers:
  ann: {name: Ann Lee, credentials: MD}
  bob: {name: Bob Ray}
topics:
  fatigue: {name: Fatigue, synonyms: [tiredness, exhaustion]}
series:
  care: {title: Care at home}
webcasts:
  tired:
    title: Managing fatigue
    speakers: [bob, ann]
    topics: [fatigue]
    series: care
    part: 2
    media: {file: video.mp4, type: video/mp4, duration: 90, size: 1234}
    captions: [{lang: en, file: captions.en.vtt}, {lang: es, file: captions.es.vtt, label: Español}]
    chapters: [{start: 0, title: Welcome}, {start: 30, title: Rest}]
    resources: [{title: Tips, url: "https://example.org/tips"}]
"""
EN = [Cue(0.0, 2.0, "Welcome.", "Bob Ray"), Cue(2.5, 4.0, "Rest helps.", None)]
ES = [Cue(0.0, 2.0, "Bienvenidos.", None)]


@pytest.fixture
def catalog() -> Catalog:
    return Catalog.from_text(CATALOG)


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    engine = make_engine(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    create_schema(engine)
    with transaction(session_factory(engine)) as session:
        yield session
    engine.dispose()


def count(session: Session, model: type[m.Base]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_sync_taxonomy_adds_updates_and_drops(session: Session, catalog: Catalog) -> None:
    sync_taxonomy(session, catalog)
    assert session.get(m.Speaker, "ann").display == "Ann Lee, MD"  # type: ignore[union-attr]
    assert session.get(m.Topic, "fatigue").synonyms == "tiredness\nexhaustion"  # type: ignore[union-attr]
    assert session.get(m.Series, "care").title == "Care at home"  # type: ignore[union-attr]
    fewer = Catalog.from_text(
        CATALOG.replace("  bob: {name: Bob Ray}\n", "").replace("[bob, ann]", "[ann]")
        .replace("Care at home", "Home care"))
    sync_taxonomy(session, fewer)
    session.flush()
    assert sorted(session.scalars(select(m.Speaker.id))) == ["ann"]
    assert session.get(m.Series, "care").title == "Home care"  # type: ignore[union-attr]


def test_put_webcast_rows_writes_every_part(session: Session, catalog: Catalog) -> None:
    sync_taxonomy(session, catalog)
    row = put_webcast_rows(session, catalog.webcasts["tired"], {"en": EN, "es": ES}, 90.0, 3)
    assert (row.title, row.series_id, row.part, row.duration, row.position) == (
        "Managing fatigue", "care", 2, 90.0, 3)
    assert [link.speaker_id for link in row.speaker_links] == ["bob", "ann"]  # catalog order
    assert [link.topic_id for link in row.topic_links] == ["fatigue"]
    assert [(f.file, f.size) for f in row.media_files] == [("video.mp4", 1234)]
    # Each chapter ends where the next begins; the last at the duration.
    assert [(c.title, c.start, c.end) for c in row.chapters] == [
        ("Welcome", 0.0, 30.0), ("Rest", 30.0, 90.0)]
    assert [r.url for r in row.resources] == ["https://example.org/tips"]
    session.expire_all()
    tracks = session.scalars(select(m.CaptionTrack).order_by(m.CaptionTrack.position)).all()
    assert [(t.lang, t.label) for t in tracks] == [("en", "en"), ("es", "Español")]
    assert [Cue(c.start, c.end, c.text, c.speaker) for c in tracks[0].cues] == EN
    assert [c.position for c in tracks[0].cues] == [0, 1]
    assert [c.text for c in tracks[1].cues] == ["Bienvenidos."]


def test_a_track_without_cues_gets_none(session: Session, catalog: Catalog) -> None:
    sync_taxonomy(session, catalog)
    put_webcast_rows(session, catalog.webcasts["tired"], {"en": EN}, 90.0)
    assert stored_slugs(session) == {"tired": len(EN)}
    assert count(session, m.CaptionTrack) == 2


def test_putting_a_webcast_again_replaces_it(session: Session, catalog: Catalog) -> None:
    sync_taxonomy(session, catalog)
    webcast = catalog.webcasts["tired"]
    put_webcast_rows(session, webcast, {"en": EN, "es": ES}, 90.0)
    changed = replace(webcast, title="Managing fatigue, revised", chapters=webcast.chapters[:1])
    put_webcast_rows(session, changed, {"en": EN[:1]}, 60.0)
    session.expire_all()
    assert count(session, m.Webcast) == 1
    assert session.get(m.Webcast, "tired").title == "Managing fatigue, revised"  # type: ignore[union-attr]
    assert (count(session, m.Chapter), count(session, m.Cue)) == (1, 1)
    assert count(session, m.WebcastSpeaker) == 2 and count(session, m.MediaFile) == 1


def test_delete_and_clear(session: Session, catalog: Catalog) -> None:
    sync_taxonomy(session, catalog)
    put_webcast_rows(session, catalog.webcasts["tired"], {"en": EN, "es": ES}, 90.0)
    assert stored_slugs(session) == {"tired": 3}
    delete_webcast_rows(session, "tired")
    delete_webcast_rows(session, "never-there")  # nothing to do is not an error
    assert stored_slugs(session) == {}
    for model in (m.Cue, m.CaptionTrack, m.Chapter, m.Resource, m.WebcastTopic):
        assert count(session, model) == 0, model
    put_webcast_rows(session, catalog.webcasts["tired"], {"en": EN}, 90.0)
    clear_all(session)
    assert stored_slugs(session) == {} and count(session, m.Cue) == 0
    assert count(session, m.Speaker) == 2  # the taxonomy stays for the rebuild that follows
