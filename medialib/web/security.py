"""Security headers on every response, and gzip for text the app renders itself."""

from __future__ import annotations

import gzip

from flask import Flask, Response, abort, request

from .context import settings

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "media-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
# The embeddable player is the one page other sites may put in a frame.
FRAMEABLE = {"discovery.embed"}
EMBED_CSP = CSP.replace("frame-ancestors 'none'", "frame-ancestors *")
PERMISSIONS = "camera=(), microphone=(), geolocation=(), interest-cohort=()"
HSTS = "max-age=31536000; includeSubDomains"

COMPRESSIBLE = {
    "text/html", "text/css", "text/javascript", "application/javascript", "application/json",
    "text/plain", "text/vtt", "image/svg+xml", "application/xml", "application/rss+xml",
}
MIN_COMPRESS = 1024


def security_headers(response: Response) -> Response:
    """Headers that keep a strict policy on every page, file and error."""
    headers = response.headers
    frameable = request.endpoint in FRAMEABLE
    headers["Content-Security-Policy"] = EMBED_CSP if frameable else CSP
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"
    headers["Permissions-Policy"] = PERMISSIONS
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if not frameable:
        headers["X-Frame-Options"] = "DENY"
    if settings().https:
        headers["Strict-Transport-Security"] = HSTS
    return response


def compress(response: Response) -> Response:
    """gzip pages, JSON, CSS and JS for clients that accept it (media is served as is)."""
    if (
        request.method == "HEAD"
        or response.status_code != 200
        or request.blueprint == "media"
        or response.mimetype not in COMPRESSIBLE
        or "Content-Encoding" in response.headers
        or "gzip" not in request.headers.get("Accept-Encoding", "").lower()
    ):
        return response
    response.vary.add("Accept-Encoding")
    response.direct_passthrough = False
    original = response.response
    data = response.get_data()
    if hasattr(original, "close"):
        original.close()  # a static file's wrapper: get_data() read it but leaves it open
    if len(data) < MIN_COMPRESS:
        return response
    response.set_data(gzip.compress(data, compresslevel=6, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    etag, weak = response.get_etag()
    if etag:
        response.set_etag(etag + "-gz", weak=bool(weak))
    return response


def refuse_body() -> None:
    """413 for a request that carries a body: no page takes one, so it is never read.

    A request for an unknown route or method keeps its 404 or 405. `medialib serve` refuses
    the same requests before they reach the app (see serving.py); this covers any server."""
    if request.routing_exception is not None:
        return
    environ = request.environ
    length = str(environ.get("CONTENT_LENGTH") or "").strip()
    if environ.get("HTTP_TRANSFER_ENCODING") or length not in ("", "0"):
        abort(413)


def init_app(app: Flask) -> None:
    app.before_request(refuse_body)
    # Registered first, so they run last: compression sees the final body, headers cover all.
    app.after_request(security_headers)
    app.after_request(compress)
