"""create_app(settings): the one place that wires settings, the library and the web blueprints."""

from __future__ import annotations

from flask import Flask

from .config import Settings
from .library import Library


def create_app(settings: Settings | None = None) -> Flask:
    """A Flask app serving one library, read-only."""
    settings = settings or Settings.from_env()
    app = Flask(__name__, template_folder="web/templates", static_folder="web/static")
    app.config["MEDIALIB_SETTINGS"] = settings
    app.extensions["medialib"] = Library(settings)

    from .web import register

    register(app)
    return app
