"""Friendly error pages: a clear sentence and a way back, never a stack trace."""

from __future__ import annotations

from flask import Flask, Response, jsonify, render_template, request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: ("We could not understand that request", "Please check the address and try again."),
    404: ("Page not found", "We could not find that page. It may have been moved or renamed."),
    405: ("That is not possible here", "This page can only be viewed."),
    412: ("The file has changed", "Please reload the page."),
    413: ("That request carried more than this page takes", "Pages here take no uploads."),
    416: ("Part of a file was asked for that does not exist", "Please reload the page."),
    500: ("Something went wrong on our side", "Please try again in a moment."),
    503: ("The library is being updated", "Please try again in a few minutes."),
}


def _page(status: int, detail: str | None = None) -> tuple[str | Response, int]:
    title, text = MESSAGES.get(status, MESSAGES[500])
    if request.path.startswith("/api/"):
        return jsonify({"error": detail or title, "status": status}), status
    if request.blueprint == "media" or request.method == "HEAD":
        return Response(f"{title}\n", mimetype="text/plain"), status
    return render_template("error.html", status=status, title=title,
                           text=detail or text), status


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
