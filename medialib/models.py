"""SQLAlchemy 2 mapped classes: the derived, rebuildable store of a library."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text, desc
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from .translated import (
    DEFAULT_LANGUAGE,
    SeriesText,
    TopicText,
    WebcastText,
    series_text,
    topic_text,
    webcast_text,
)


class Base(DeclarativeBase):
    pass


class Speaker(Base):
    __tablename__ = "speakers"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    credentials: Mapped[str] = mapped_column(String(200), default="")
    webcast_count: Mapped[int] = mapped_column(Integer, default=0)  # see store.count_webcasts

    appearances: Mapped[list[WebcastSpeaker]] = relationship(back_populates="speaker")

    @property
    def display(self) -> str:
        return f"{self.name}, {self.credentials}" if self.credentials else self.name


class Topic(Base):
    __tablename__ = "topics"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    synonyms: Mapped[str] = mapped_column(Text, default="")  # one per line
    webcast_count: Mapped[int] = mapped_column(Integer, default=0)  # see store.count_webcasts

    tagged: Mapped[list[WebcastTopic]] = relationship(back_populates="topic")
    # Loaded with the topic (one more query per list of topics): a page reads its words in the
    # page's language after the session closed.
    translations: Mapped[list[TopicTranslation]] = relationship(
        lazy="selectin", cascade="all, delete-orphan"
    )

    def text(self, lang: str) -> TopicText:
        return topic_text(DEFAULT_LANGUAGE, self.name, self.description,
                          self.synonyms.splitlines(), self.translations, lang)


class Series(Base):
    __tablename__ = "series"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    webcast_count: Mapped[int] = mapped_column(Integer, default=0)  # see store.count_webcasts

    webcasts: Mapped[list[Webcast]] = relationship(
        back_populates="series", order_by="Webcast.part"
    )
    translations: Mapped[list[SeriesTranslation]] = relationship(
        lazy="selectin", cascade="all, delete-orphan"
    )

    def text(self, lang: str) -> SeriesText:
        return series_text(DEFAULT_LANGUAGE, self.title, self.description, self.translations,
                           lang)


class Webcast(Base):
    __tablename__ = "webcasts"
    # Newest first, undated last in catalog order (web/queries.NEWEST): a page of the list is
    # read from this index, not sorted from the whole table.
    __table_args__ = (Index("ix_webcasts_newest", "undated", desc("recorded"), "position"),)

    slug: Mapped[str] = mapped_column(String(200), primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    summary: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(10), default="video")
    series_id: Mapped[str | None] = mapped_column(ForeignKey("series.id"), nullable=True,
                                                  index=True)
    part: Mapped[int | None] = mapped_column(Integer, nullable=True)
    recorded: Mapped[str | None] = mapped_column(String(40), nullable=True)
    undated: Mapped[bool] = mapped_column(Boolean, default=False)  # no recorded date
    poster: Mapped[str | None] = mapped_column(String(300), nullable=True)
    duration: Mapped[float | None] = mapped_column(Float, nullable=True)
    position: Mapped[int] = mapped_column(Integer, default=0)  # order in the catalog
    # Its medical review (see provenance): by "Name, Credentials", on and next as YYYY-MM-DD.
    reviewed_by: Mapped[str | None] = mapped_column(String(300), nullable=True)
    reviewed_on: Mapped[str | None] = mapped_column(String(10), nullable=True)
    review_next: Mapped[str | None] = mapped_column(String(10), nullable=True)
    language: Mapped[str] = mapped_column(String(20), default=DEFAULT_LANGUAGE)  # spoken

    series: Mapped[Series | None] = relationship(back_populates="webcasts")
    speaker_links: Mapped[list[WebcastSpeaker]] = relationship(
        back_populates="webcast", order_by="WebcastSpeaker.position", cascade="all, delete-orphan"
    )
    topic_links: Mapped[list[WebcastTopic]] = relationship(
        back_populates="webcast", order_by="WebcastTopic.position", cascade="all, delete-orphan"
    )
    media_files: Mapped[list[MediaFile]] = relationship(
        back_populates="webcast", cascade="all, delete-orphan"
    )
    caption_tracks: Mapped[list[CaptionTrack]] = relationship(
        back_populates="webcast", order_by="CaptionTrack.position", cascade="all, delete-orphan"
    )
    chapters: Mapped[list[Chapter]] = relationship(
        back_populates="webcast", order_by="Chapter.start", cascade="all, delete-orphan"
    )
    resources: Mapped[list[Resource]] = relationship(
        back_populates="webcast", order_by="Resource.position", cascade="all, delete-orphan"
    )
    translations: Mapped[list[WebcastTranslation]] = relationship(
        lazy="selectin", cascade="all, delete-orphan"
    )

    @property
    def speakers(self) -> list[Speaker]:
        return [link.speaker for link in self.speaker_links]

    @property
    def topics(self) -> list[Topic]:
        return [link.topic for link in self.topic_links]

    @property
    def media(self) -> MediaFile | None:
        return self.media_files[0] if self.media_files else None

    @property
    def caption_langs(self) -> list[str]:
        """The languages of its caption tracks, in the catalog's order."""
        return [track.lang for track in self.caption_tracks]

    def text(self, lang: str) -> WebcastText:
        """Its title, summary, chapter titles and resources in `lang`, or the original's (whose
        `lang` then says so)."""
        return webcast_text(self.language, self.title, self.summary,
                            lambda: (c.title for c in self.chapters), lambda: self.resources,
                            self.translations, lang)

    def captions(self, lang: str = "en") -> CaptionTrack | None:
        for track in self.caption_tracks:
            if track.lang == lang:
                return track
        return self.caption_tracks[0] if self.caption_tracks else None


class WebcastSpeaker(Base):
    __tablename__ = "webcast_speakers"

    webcast_slug: Mapped[str] = mapped_column(
        ForeignKey("webcasts.slug", ondelete="CASCADE"), primary_key=True
    )
    speaker_id: Mapped[str] = mapped_column(ForeignKey("speakers.id"), primary_key=True,
                                            index=True)  # a speaker's page and count
    position: Mapped[int] = mapped_column(Integer, default=0)

    webcast: Mapped[Webcast] = relationship(back_populates="speaker_links")
    speaker: Mapped[Speaker] = relationship(back_populates="appearances")


class WebcastTopic(Base):
    __tablename__ = "webcast_topics"

    webcast_slug: Mapped[str] = mapped_column(
        ForeignKey("webcasts.slug", ondelete="CASCADE"), primary_key=True
    )
    topic_id: Mapped[str] = mapped_column(ForeignKey("topics.id"), primary_key=True,
                                          index=True)  # a topic's page and count
    position: Mapped[int] = mapped_column(Integer, default=0)

    webcast: Mapped[Webcast] = relationship(back_populates="topic_links")
    topic: Mapped[Topic] = relationship(back_populates="tagged")


class MediaFile(Base):
    __tablename__ = "media_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    webcast_slug: Mapped[str] = mapped_column(ForeignKey("webcasts.slug", ondelete="CASCADE"))
    file: Mapped[str] = mapped_column(String(300))
    mime: Mapped[str] = mapped_column(String(100))
    size: Mapped[int | None] = mapped_column(Integer, nullable=True)
    duration: Mapped[float | None] = mapped_column(Float, nullable=True)
    width: Mapped[int | None] = mapped_column(Integer, nullable=True)
    height: Mapped[int | None] = mapped_column(Integer, nullable=True)
    video_codec: Mapped[str | None] = mapped_column(String(40), nullable=True)
    audio_codec: Mapped[str | None] = mapped_column(String(40), nullable=True)
    checksum: Mapped[str | None] = mapped_column(String(80), nullable=True)

    webcast: Mapped[Webcast] = relationship(back_populates="media_files")


class CaptionTrack(Base):
    __tablename__ = "caption_tracks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    webcast_slug: Mapped[str] = mapped_column(ForeignKey("webcasts.slug", ondelete="CASCADE"))
    lang: Mapped[str] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(100), default="")
    file: Mapped[str] = mapped_column(String(300))
    checksum: Mapped[str | None] = mapped_column(String(80), nullable=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str] = mapped_column(String(20), default="human")  # see provenance
    reviewed_by: Mapped[str | None] = mapped_column(String(300), nullable=True)
    reviewed_on: Mapped[str | None] = mapped_column(String(10), nullable=True)

    webcast: Mapped[Webcast] = relationship(back_populates="caption_tracks")
    cues: Mapped[list[Cue]] = relationship(
        back_populates="track", order_by="Cue.position", cascade="all, delete-orphan"
    )

    @property
    def unchecked(self) -> bool:
        """Machine captions nobody has checked yet: patients are told so."""
        return self.source == "machine"


class Chapter(Base):
    __tablename__ = "chapters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    webcast_slug: Mapped[str] = mapped_column(ForeignKey("webcasts.slug", ondelete="CASCADE"))
    start: Mapped[float] = mapped_column(Float)
    end: Mapped[float] = mapped_column(Float)
    title: Mapped[str] = mapped_column(String(500))

    webcast: Mapped[Webcast] = relationship(back_populates="chapters")


class Cue(Base):
    __tablename__ = "cues"
    __table_args__ = (Index("ix_cues_track_position", "track_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("caption_tracks.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    start: Mapped[float] = mapped_column(Float)
    end: Mapped[float] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text)
    speaker: Mapped[str | None] = mapped_column(String(200), nullable=True)

    track: Mapped[CaptionTrack] = relationship(back_populates="cues")


class Resource(Base):
    __tablename__ = "resources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    webcast_slug: Mapped[str] = mapped_column(ForeignKey("webcasts.slug", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(300))
    url: Mapped[str] = mapped_column(String(1000))
    description: Mapped[str] = mapped_column(Text, default="")

    webcast: Mapped[Webcast] = relationship(back_populates="resources")


class WebcastTranslation(Base):
    """A webcast's title, summary, chapter titles and resources in one more language."""

    __tablename__ = "webcast_translations"

    webcast_slug: Mapped[str] = mapped_column(
        ForeignKey("webcasts.slug", ondelete="CASCADE"), primary_key=True
    )
    lang: Mapped[str] = mapped_column(String(20), primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    summary: Mapped[str] = mapped_column(Text, default="")
    chapter_titles: Mapped[list[str]] = mapped_column(JSON, default=list)
    # [{title, url, description}], or None: the original list.
    resource_list: Mapped[list[dict[str, str]] | None] = mapped_column(JSON, nullable=True)

    @property
    def chapters(self) -> tuple[str, ...]:
        return tuple(self.chapter_titles or ())

    @property
    def resources(self) -> tuple[Any, ...] | None:
        if self.resource_list is None:
            return None
        return tuple(Resource(title=r["title"], url=r["url"], description=r.get("description", ""))
                     for r in self.resource_list)


class TopicTranslation(Base):
    __tablename__ = "topic_translations"

    topic_id: Mapped[str] = mapped_column(
        ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True
    )
    lang: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    synonym_list: Mapped[list[str]] = mapped_column(JSON, default=list)

    @property
    def synonyms(self) -> tuple[str, ...]:
        return tuple(self.synonym_list or ())


class SeriesTranslation(Base):
    __tablename__ = "series_translations"

    series_id: Mapped[str] = mapped_column(
        ForeignKey("series.id", ondelete="CASCADE"), primary_key=True
    )
    lang: Mapped[str] = mapped_column(String(20), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")


class LibraryTitle(Base):
    """The library's title in one more language (the original is in library_state)."""

    __tablename__ = "library_titles"

    lang: Mapped[str] = mapped_column(String(20), primary_key=True)
    title: Mapped[str] = mapped_column(String(500))


class LibraryState(Base):
    """One row: which state of the library the database holds. Every write of rows bumps
    `generation` in the same transaction, so a reader (the page cache, another node) can tell
    cheaply whether anything changed since it last looked."""

    __tablename__ = "library_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    generation: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[float] = mapped_column(Float, default=0.0)  # Unix time of the last write
    # The catalog's library title as of the last write: pages show it without parsing a
    # catalog.yaml that grows with the library.
    title: Mapped[str] = mapped_column(String(500), default="")
    # The setting publish_unreviewed_captions the rows were written with; None when writes
    # under both values left them mixed. `medialib serve` compares it with the setting in force
    # instead of parsing the catalog (Library.drafts_out_of_step).
    publish_unreviewed_captions: Mapped[bool | None] = mapped_column(Boolean, nullable=True)


class LibraryChange(Base):
    """The change log: one row per generation, written in the same transaction as the rows and
    the generation it made (store.bump_generation), so a serving node can bring its own search
    index up to date webcast by webcast from the generation it last applied (see follow).
    `action` is "publish" or "remove" (of `slug`), "files" (files changed, no row: renditions)
    or "reindex" (every row written again). Only the latest LOG_KEPT generations are kept; a
    node further behind rebuilds its index."""

    __tablename__ = "library_changes"

    generation: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    slug: Mapped[str | None] = mapped_column(String(200), nullable=True)
    action: Mapped[str] = mapped_column(String(20))
