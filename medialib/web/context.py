"""Per-request state: one database session per request, closed on teardown."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from ..config import Settings
from ..library import Library


def library() -> Library:
    return current_app.extensions["medialib"]


def settings() -> Settings:
    return current_app.config["MEDIALIB_SETTINGS"]


def session() -> Session:
    """The request's session, opened on first use."""
    if "db_session" not in g:
        g.db_session = library().sessions()
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    sess = g.pop("db_session", None)
    if sess is not None:
        sess.close()


def init_app(app: Flask) -> None:
    app.teardown_appcontext(_close_session)
