"""One library on disk and its derived state: catalog + files -> transcripts, database, index.

`Library` is what the command line and the web app hold. It owns the engine and the search
index of one library; sessions belong to the caller (one per command, one per request).

SQLAlchemy and Whoosh (0.27-0.35 s to import here) load when first used, not with this module:
LATE_MODULES below are the domain's only late imports (the command line's are its OPERATIONS
table), reached through `_database`, `_rows` and `_search`. Commands that need neither (init,
list, a dry run, --help) never pay for them, and `medialib ingest` loads them on a thread while
ffprobe and ffmpeg run (`load_in_background`), which keeps that time off a remux.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from . import follow
from .captions import CaptionError, Cue, load_captions
from .catalog import Catalog, Webcast
from .config import Settings
from .languages import primary_language
from .media import MediaError, probe
from .provenance import is_public, needs_review, unchecked_only
from .transcripts import (
    TranscriptHeader,
    build_sections,
    render_text,
    transcript_path,
    write_transcript,
)

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from .search import IndexedWebcast, SearchIndex

# The modules loaded late, by name (see the module docstring).
LATE_MODULES = ("medialib.db", "medialib.store", "medialib.search")


def _database() -> ModuleType:
    """medialib.db, with SQLAlchemy."""
    return importlib.import_module("medialib.db")


def _rows() -> ModuleType:
    """medialib.store: catalog entries -> rows."""
    return importlib.import_module("medialib.store")


def _search() -> ModuleType:
    """medialib.search, with Whoosh."""
    return importlib.import_module("medialib.search")


Progress = Callable[[str], None]


@dataclass(frozen=True)
class LoadedWebcast:
    """A catalog entry with its parsed caption tracks and its duration."""

    webcast: Webcast
    tracks: Mapping[str, Sequence[Cue]]
    duration: float


class Library:
    """The files of a library, its database and its search index."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._written: int | None = None  # the generation this Library's last write made

    # ---- owned resources -------------------------------------------------------------------

    @cached_property
    def engine(self) -> Engine:
        engine: Engine = _database().make_engine(str(self.settings.database_url))
        return engine

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        factory: sessionmaker[Session] = _database().session_factory(self.engine)
        return factory

    @cached_property
    def index(self) -> SearchIndex:
        index: SearchIndex = _search().SearchIndex(self.settings.index_path)
        return index

    @staticmethod
    def load_in_background() -> threading.Thread:
        """Import the late modules on a thread (the caller meanwhile waits on ffprobe or ffmpeg).
        An import error is left for the first real use to raise."""

        def load() -> None:
            for name in LATE_MODULES:
                try:
                    importlib.import_module(name)
                except Exception:
                    return

        thread = threading.Thread(target=load, name="late-imports", daemon=True)
        thread.start()
        return thread

    def close(self) -> None:
        if "engine" in self.__dict__:
            self.engine.dispose()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- reading the files -----------------------------------------------------------------

    def load_catalog(self) -> Catalog:
        return Catalog.load(self.settings.catalog_path)

    def webcast_dir(self, slug: str) -> Path:
        return self.settings.media_dir / slug

    def load_webcast(self, webcast: Webcast) -> LoadedWebcast:
        """Parse a webcast's caption files; CaptionError names the file and line at fault."""
        tracks: dict[str, Sequence[Cue]] = {}
        for track in webcast.captions:
            tracks[track.lang] = load_captions(self.webcast_dir(webcast.slug) / track.file)
        return LoadedWebcast(webcast, tracks, self.duration_of(webcast, tracks))

    def duration_of(self, webcast: Webcast, tracks: Mapping[str, Sequence[Cue]]) -> float:
        """The catalog's duration, else the media file's, else the end of the last cue."""
        if webcast.media.duration:
            return webcast.media.duration
        path = self.webcast_dir(webcast.slug) / webcast.media.file
        if path.exists():
            try:
                return probe(path).duration
            except MediaError:
                pass
        ends = [cues[-1].end for cues in tracks.values() if cues]
        return max(ends, default=0.0)

    # ---- derived state ---------------------------------------------------------------------

    def transcript_text(self, catalog: Catalog, loaded: LoadedWebcast, lang: str) -> str:
        """The transcript of track `lang`: its header in that language, with the title, series
        and chapter titles translated into it where the catalog has them."""
        w = loaded.webcast
        text = w.text(lang)
        series = catalog.series.get(w.series) if w.series else None
        header = TranscriptHeader(
            title=text.title,
            speakers=[catalog.speakers[s].display for s in w.speakers],
            recorded=w.recorded,
            series=series.text(lang).title if series else None,
            part=w.part,
            lang=lang,
            unchecked=any(t.lang == lang and needs_review(t) for t in w.captions),
        )
        return render_text(header, build_sections(loaded.tracks[lang], w.chapters_in(lang)))

    def write_transcripts(self, catalog: Catalog, loaded: LoadedWebcast) -> list[Path]:
        written = []
        for lang in loaded.tracks:
            path = transcript_path(self.settings.transcripts_dir, loaded.webcast.slug, lang)
            if write_transcript(path, self.transcript_text(catalog, loaded, lang)):
                written.append(path)
        return written

    def indexed(self, catalog: Catalog, loaded: LoadedWebcast, lang: str = "en",
                cues: Sequence[Cue] | None = None) -> IndexedWebcast:
        """The webcast's search document in `lang`: `cues` (default: the captions in `lang`,
        else the first track's), and its title, summary, chapter titles and topic names in
        `lang` where the catalog translates them (the original where it does not)."""
        w = loaded.webcast
        if cues is None:
            cues = loaded.tracks.get(lang) or next(iter(loaded.tracks.values()), ())
        text = w.text(lang)
        document: IndexedWebcast = _search().IndexedWebcast(
            slug=w.slug,
            title=text.title,
            summary=text.summary,
            kind=w.kind,
            series=w.series,
            recorded=w.recorded,
            speakers=tuple((s, catalog.speakers[s].display) for s in w.speakers),
            topics=tuple((t, catalog.topics[t].text(lang).name) for t in w.topics),
            chapters=w.chapters_in(lang),
            cues=tuple(cues),
            lang=lang,
        )
        return document

    def indexed_languages(self, catalog: Catalog, loaded: LoadedWebcast) -> list[IndexedWebcast]:
        """The webcast's search documents: one per language it has captions in (es-MX is
        searched as es), each analyzed as that language; without captions, one in its own
        language."""
        tracks: dict[str, Sequence[Cue]] = {}
        for lang, cues in loaded.tracks.items():
            tracks.setdefault(primary_language(lang), cues)
        if not tracks:
            tracks[primary_language(loaded.webcast.language)] = ()
        return [self.indexed(catalog, loaded, lang, cues) for lang, cues in tracks.items()]

    # ---- one webcast at a time (ingest, remove, recovery) ----------------------------------

    def is_public(self, webcast: Webcast) -> bool:
        """On the site, in search, lists, feeds and the sitemap? Not when its only captions are
        unchecked machine drafts and the setting holds those back (see provenance): its rows
        and index documents are then left out of the derived state."""
        return is_public(webcast, self.settings.publish_unreviewed_captions)

    def publish(self, catalog: Catalog, loaded: LoadedWebcast) -> None:
        """Write one webcast's rows (one transaction), then its index documents."""
        _commit(self.hold_rows(catalog, loaded))
        self.index_update(catalog, loaded)()

    def index_update(self, catalog: Catalog, loaded: LoadedWebcast) -> Callable[[], None]:
        """What the index does for this webcast: add its documents, made now, or (held back)
        remove any it had."""
        slug = loaded.webcast.slug
        if not self.is_public(loaded.webcast):
            return self.index_removal(slug)
        documents = self.indexed_languages(catalog, loaded)

        def add() -> None:
            self.index.add(documents)
            self._index_followed()

        return add

    def index_removal(self, slug: str) -> Callable[[], None]:
        """What the index does for a removed webcast: drop its documents."""

        def remove() -> None:
            self.index.remove(slug)
            self._index_followed()

        return remove

    def _index_followed(self, whole: bool = False) -> None:
        """This node's index now holds the generation this Library wrote (`whole`: rebuilt from
        every webcast): noted, so the node's server does not apply that change again (follow)."""
        if self._written is not None:
            follow.note_applied(self.settings.index_path, self._written, whole)

    def hold_rows(self, catalog: Catalog, loaded: LoadedWebcast) -> Session:
        """One webcast's rows and the catalog's taxonomy, written in a transaction left open:
        readers see the old rows until the caller commits it (or the new ones after), never a
        mix; closing it uncommitted (or a crash) leaves the database as it was. A webcast held
        back (see is_public) has its rows deleted instead."""
        slug = loaded.webcast.slug
        if not self.is_public(loaded.webcast):
            return self.hold_removal(catalog, slug)
        position = list(catalog.webcasts).index(slug) if slug in catalog.webcasts else 0

        def write(session: Session, store: ModuleType) -> None:
            store.sync_taxonomy(session, catalog)
            store.put_webcast_rows(
                session, loaded.webcast, loaded.tracks, loaded.duration, position
            )

        return self._held(write, catalog.title, slug, "publish")

    def hold_removal(self, catalog: Catalog, slug: str) -> Session:
        """One webcast's rows deleted (and the taxonomy synced) in a transaction left open."""

        def write(session: Session, store: ModuleType) -> None:
            store.delete_webcast_rows(session, slug)
            store.sync_taxonomy(session, catalog)

        return self._held(write, catalog.title, slug, "remove")

    def _held(self, write: Callable[[Session, ModuleType], None], title: str, slug: str,
              action: str) -> Session:
        self.ensure_schema()
        session = self.sessions()
        try:
            store = _rows()
            write(session, store)
            self._written = store.bump_generation(
                session, title, action, slug, self.settings.publish_unreviewed_captions)
            session.flush()
        except BaseException:
            session.close()
            raise
        return session

    def unpublish(self, catalog: Catalog, slug: str) -> None:
        """Delete one webcast's rows and index documents (the catalog no longer lists it)."""
        _commit(self.hold_removal(catalog, slug))
        self.index_removal(slug)()

    def refresh(self, slugs: Sequence[str]) -> None:
        """Bring these webcasts' rows and index documents in step with the files on disk."""
        catalog = self.load_catalog()
        for slug in slugs:
            webcast = catalog.webcasts.get(slug)
            if webcast is None:
                self.unpublish(catalog, slug)
            else:
                self.publish(catalog, self.load_webcast(webcast))

    def ensure_schema(self) -> None:
        """Create missing tables; StoreUnavailable (naming the fix) if the database is unusable."""
        db = _database()
        try:
            db.create_schema(self.engine)
        except db.SQLAlchemyError as exc:
            raise db.StoreUnavailable(
                f"database: cannot be used ({_first_line(exc)}); run `medialib reindex`"
            ) from None

    def drafts_out_of_step(self) -> bool:
        """True when the database shows a webcast the setting publish_unreviewed_captions holds
        back, or lacks one it publishes: what patients may see must follow the setting before
        serving. One row read while the setting is the one the rows were written with (see
        store.publish_setting_out_of_step); the catalog is read only after a change."""
        self.ensure_schema()

        def drafts() -> set[str]:
            return {slug for slug, w in self.load_catalog().webcasts.items() if unchecked_only(w)}

        with self.sessions() as session:
            out: bool = _rows().publish_setting_out_of_step(
                session, self.settings.publish_unreviewed_captions, drafts)
        return out

    def mark_changed(self, title: str) -> None:
        """Tell readers (the page cache, other nodes) that published files changed although no
        row did, as when renditions are built for a webcast already published."""
        self.ensure_schema()
        with _database().transaction(self.sessions) as session:
            _rows().bump_generation(session, title, "files")

    def generation(self) -> tuple[int, float] | None:
        """(generation, Unix time of the last change) of the published rows; None when the
        database has none yet or cannot be read (nothing may then be cached)."""
        db = _database()
        try:
            with self.engine.connect() as connection:
                found: tuple[int, float] | None = _rows().read_generation(connection)
                return found
        except db.SQLAlchemyError:
            return None

    def database_outdated(self) -> bool:
        """True when the database was made by an older medialib (a table lacks a column)."""
        current: bool = _database().schema_current(self.engine)
        return not current

    def reindex(self, progress: Progress | None = None, procs: int = 1) -> int:
        """Rebuild transcripts, database and index from the catalog and files; webcast count.

        With procs=2 the index is written by two processes (see SearchIndex.rebuild): for the
        command line, not for a process with threads of its own to fork."""
        db = _database()
        say = progress or (lambda _msg: None)
        catalog = self.load_catalog()
        loaded = []
        for w in catalog.webcasts.values():
            say(f"reading {w.slug}")
            item = self.load_webcast(w)
            self.write_transcripts(catalog, item)
            loaded.append(item)
        say("writing the database")
        try:
            self._rebuild_database(catalog, loaded)
        except (db.DatabaseError, db.StoreUnavailable) as exc:
            if not (db.is_corrupt(exc) and db.discard_sqlite_file(self.engine)):
                raise
            say("the database file was damaged: replaced it")
            self._rebuild_database(catalog, loaded)
        say("building the search index")
        self.index.rebuild(
            (document for item in loaded if self.is_public(item.webcast)
             for document in self.indexed_languages(catalog, item)),
            procs=procs,
        )
        self._index_followed(whole=True)
        return len(loaded)

    def _rebuild_database(self, catalog: Catalog, loaded: Sequence[LoadedWebcast]) -> None:
        db = _database()
        # Written by an older medialib: the database is derived state, so its tables are made
        # again (readers meanwhile get "try again", as before any first reindex).
        carried = db.drop_outdated_schema(self.engine)
        self.ensure_schema()
        # A webcast held back (see is_public) gets no rows: no page, list, feed or sitemap entry.
        rows = [(item.webcast, item.tracks, item.duration, position)
                for position, item in enumerate(loaded) if self.is_public(item.webcast)]
        with db.transaction(self.sessions) as session:
            self._written = _rows().write_all(
                session, catalog, rows, carried, self.settings.publish_unreviewed_captions)


def _commit(session: Session) -> None:
    try:
        session.commit()
    finally:
        session.close()


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


__all__ = ["CaptionError", "Library", "LoadedWebcast"]
