"""SQLAlchemy engine and session ownership; the schema is created by commands, never at import."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError as DatabaseError  # for callers that load this lazily
from sqlalchemy.exc import DisconnectionError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.state import InstanceState

from .errors import MedialibError
from .models import Base


def _state_dict_up_front() -> None:
    """On CPython 3.11, give every SQLAlchemy InstanceState its __dict__ when it is made.

    CPython 3.11 keeps an object's attributes in "inline values" indexed by its class's shared
    keys until something needs a real __dict__. Every instance made shrinks the room for new
    shared keys, so after a first query loading many rows InstanceState's keys are full without
    `_strong_obj`; storing it (Session.close) makes a __dict__ over the inline values. If the
    cyclic garbage collector starts inside that dict's allocation (3.11 collects inside
    allocations) and runs the state's weakref callback (`_cleanup`, its object being cyclic
    garbage), the callback's own stores make a second dict over the same values and free them,
    and the outer store finishes over freed memory: `medialib serve` died with SIGSEGV after ~50
    to ~1,500 requests (tests/test_soak.py). scripts/repro_3_11_dict_crash.py reproduces it
    with plain classes and with SQLAlchemy alone (tests/test_py311_dict_crash.py). With the dict
    made in __init__, before any weakref to the state's object exists, no store goes through the
    inline values. CPython 3.12 collects only between bytecodes (gh-97922) and needs nothing.
    """
    if sys.version_info >= (3, 12) or getattr(InstanceState, "_medialib_dict_up_front", False):
        return
    init = InstanceState.__init__

    def __init__(self: InstanceState[Any], obj: Any, manager: Any) -> None:
        self.__dict__  # noqa: B018 (makes the dict, see above)
        init(self, obj, manager)

    InstanceState.__init__ = __init__  # type: ignore[method-assign]
    InstanceState._medialib_dict_up_front = True  # type: ignore[attr-defined]


_state_dict_up_front()


class StoreUnavailable(MedialibError):
    """The database is missing or unreadable; `medialib reindex` rebuilds it."""


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL and a busy timeout so readers never block on ingest."""
    kwargs: dict[str, Any] = {}
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            _follow_replaced_file(engine, Path(path))
    return engine


def _inode(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


def _follow_replaced_file(engine: Engine, path: Path) -> None:
    """Pooled connections to a SQLite file that was since deleted or replaced are reopened.

    `medialib reindex` replaces a corrupt database file and people delete a broken one; a
    running server's pooled connections would otherwise keep reading the old, unlinked file.
    """

    def remember(_dbapi_connection: Any, record: Any) -> None:
        record.info["medialib_inode"] = _inode(path)

    def verify(_dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if record.info.get("medialib_inode") != _inode(path):
            raise DisconnectionError("the database file was replaced")

    event.listen(engine, "connect", remember)
    event.listen(engine, "checkout", verify)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def create_schema(engine: Engine) -> None:
    """Create every table that is missing."""
    Base.metadata.create_all(engine)


def drop_schema(engine: Engine) -> None:
    """Drop every table of ours."""
    Base.metadata.drop_all(engine)


def schema_current(engine: Engine) -> bool:
    """False when a table of ours lacks a column this version writes, or the tables are there
    without the library's state row table (a database made by an older version); True
    otherwise, an empty database included (its tables are simply created)."""
    try:
        inspector = inspect(engine)
        existing = set(inspector.get_table_names())
        if "webcasts" in existing and "library_state" not in existing:
            return False
        for name, table in Base.metadata.tables.items():
            if name in existing:
                have = {c["name"] for c in inspector.get_columns(name)}
                if not {c.name for c in table.columns} <= have:
                    return False
    except SQLAlchemyError:
        return True  # unreadable: the caller's own error handling names it
    return True


def drop_outdated_schema(engine: Engine) -> int | None:
    """Drop our tables if an older medialib made them (see schema_current); the generation
    they had counted up to, if they could tell, for the new tables to carry on from, so that no
    node takes the new database's state for one it already has (see follow)."""
    if schema_current(engine):
        return None
    try:
        with engine.connect() as connection:
            found = connection.execute(text("SELECT generation FROM library_state")).scalar()
    except SQLAlchemyError:
        found = None
    drop_schema(engine)
    return int(found) if found is not None else None


def is_corrupt(exc: BaseException) -> bool:
    """SQLite's words for a file that is not (or no longer) a database."""
    text = str(exc).lower()
    return any(word in text for word in ("not a database", "malformed", "corrupt"))


def discard_sqlite_file(engine: Engine) -> bool:
    """Delete the SQLite file (and its WAL) behind the engine; False for other databases.

    The database is derived state, never the only copy of anything, so `reindex` replaces
    a file that is not a database rather than crashing on it.
    """
    url = engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return False
    engine.dispose()
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(url.database + suffix).unlink(missing_ok=True)
    return True


def schema_ready(engine: Engine) -> bool:
    """True when every table exists."""
    try:
        names = set(inspect(engine).get_table_names())
    except SQLAlchemyError:
        return False
    return set(Base.metadata.tables) <= names


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One session, one transaction: committed on success, rolled back on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
