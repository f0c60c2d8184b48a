"""The public, read-only web: blueprints, templates and static files."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Attach every blueprint, the per-request session and the security headers."""
    from . import context

    context.init_app(app)
