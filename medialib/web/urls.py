"""Public, absolute URLs of the app's pages: canonical links, feeds, sitemaps, structured data."""

from __future__ import annotations

from typing import Any

from flask import request, url_for

from .context import settings


def base_url() -> str:
    """The site's public address without a trailing slash: the setting, else this request's."""
    return settings().public_base_url.rstrip("/") or request.url_root.rstrip("/")


def absolute(path: str) -> str:
    """The public URL of an app path such as "/webcasts/x" (without the script root)."""
    return base_url() + path


def public_url(endpoint: str, **values: Any) -> str:
    """url_for(endpoint) as a public, absolute URL (canonical links, feeds, structured data)."""
    path = url_for(endpoint, **values)
    root = request.script_root
    if root and path.startswith(root):
        path = path[len(root):]
    return absolute(path)
