"""The public, read-only web: blueprints, templates and static files."""

from __future__ import annotations

from flask import Flask, Response, request

STATIC_MAX_AGE = 365 * 24 * 3600


def register(app: Flask) -> None:
    """Attach every blueprint, the per-request session and the security headers."""
    from . import (
        cache,
        context,
        discovery,
        errors,
        hosts,
        locale,
        media,
        page_text,
        pages,
        player,
        present,
        search,
        security,
        site,
    )

    context.init_app(app)
    # "/media//etc/passwd" must be a 404, not a redirect to a merged path.
    app.url_map.merge_slashes = False
    app.json.sort_keys = False  # type: ignore[attr-defined]  # the CLI's key order
    for module in (pages, player, search, media, discovery):
        app.register_blueprint(module.bp, **locale.blueprint_options(module is not media))
    locale.init_app(app)  # each language's copy of the page rules; Flask-Babel
    present.init_app(app)
    page_text.init_app(app)
    site.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    hosts.init_app(app)
    app.after_request(_cache_static)
    app.wsgi_app = cache.PageCache(  # type: ignore[method-assign]
        app.wsgi_app, app.extensions["medialib"], app.config["MEDIALIB_SETTINGS"])


def _cache_static(response: Response) -> Response:
    """Static files linked with a content hash (?v=) are cached for a year without asking again;
    any other static file is revalidated (no-cache, with its ETag) on every use."""
    if request.endpoint == "static" and request.args.get("v") and response.status_code == 200:
        response.cache_control.no_cache = None  # send_file's default would void the year
        response.cache_control.public = True
        response.cache_control.max_age = STATIC_MAX_AGE
        response.cache_control.immutable = True
    return response
