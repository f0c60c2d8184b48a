"""Friendly error pages: a clear sentence and a way back, never a stack trace."""

from __future__ import annotations

from flask import Flask, Response, g, jsonify, render_template, request
from flask_babel import gettext
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from ..i18n import N_

MESSAGES = {  # in English; an error page shows them in its language (gettext)
    400: (N_("We could not understand that request"),
          N_("Please check the address and try again.")),
    404: (N_("Page not found"),
          N_("We could not find that page. It may have been moved or renamed.")),
    405: (N_("That is not possible here"), N_("This page can only be viewed.")),
    412: (N_("The file has changed"), N_("Please reload the page.")),
    413: (N_("That request carried more than this page takes"), N_("Pages here take no uploads.")),
    416: (N_("Part of a file was asked for that does not exist"), N_("Please reload the page.")),
    500: (N_("Something went wrong on our side"), N_("Please try again in a moment.")),
    503: (N_("The library is being updated"), N_("Please try again in a few minutes.")),
}


def _page(status: int, detail: str | None = None) -> tuple[str | Response, int]:
    title, text = MESSAGES.get(status, MESSAGES[500])
    if request.path.startswith("/api/"):
        return jsonify({"error": detail or title, "status": status}), status
    if request.blueprint == "media" or request.method == "HEAD":
        return Response(f"{title}\n", mimetype="text/plain"), status
    g.error_page = True  # its language link leads home (locale.py), not back to the error
    return render_template("error.html", status=status, title=gettext(title),
                           text=detail or gettext(text)), status


def http_error(exc: HTTPException) -> tuple[str | Response, int] | HTTPException:
    if exc.code is None or exc.code < 400:
        return exc
    detail = exc.description if exc.code == 404 and exc.description and not \
        exc.description.startswith("The requested URL") else None
    body, status = _page(exc.code, detail)
    if isinstance(body, Response):
        response = body
    else:
        response = Response(body, mimetype="text/html")
    response.status_code = status
    for name, value in exc.get_headers():
        if name.lower() not in {"content-type", "content-length"}:
            response.headers[name] = value
    return response, status


def store_unavailable(exc: SQLAlchemyError) -> tuple[str | Response, int]:
    """The database is missing or being rebuilt: say so, with a 503, instead of a 500."""
    from flask import current_app

    current_app.logger.error("database unavailable: %s", exc)
    return _page(503)


def server_error(exc: Exception) -> tuple[str | Response, int]:
    return _page(500)


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(SQLAlchemyError, store_unavailable)
    app.register_error_handler(500, server_error)
