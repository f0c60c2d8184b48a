"""create_app(settings): the one place that wires settings, the library and the web blueprints;
and `serve`, the operation behind `medialib serve`."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from .config import Settings
from .follow import IndexFollower
from .library import Library
from .operations import prepare_to_serve
from .serving import address_warning, fit_connections, run_server
from .web import register


def create_app(settings: Settings | None = None) -> Flask:
    """A Flask app serving one library, read-only."""
    settings = settings or Settings.from_env()
    app = Flask(__name__, template_folder="web/templates", static_folder="web/static")
    app.config["MEDIALIB_SETTINGS"] = settings
    app.extensions["medialib"] = Library(settings)
    register(app)
    return app


def serve(library: Library, host: str, port: int, threads: int, say: Callable[[str], None],
          announce: Callable[[str], None], workers: int = 1) -> None:
    """Resolve what a killed command left (if nobody is writing), then serve the library with
    a production WSGI server (waitress, in `workers` processes) until stopped; `announce`
    gets the address line."""
    prepare_to_serve(library, say)
    library.close()  # no database connection is carried into the forked workers
    settings, limit_note = fit_connections(library.settings)
    for note in (limit_note, address_warning(host, settings)):
        if note:
            say(f"warning: {note}")
    app = create_app(settings)
    processes = f", {workers} worker processes" if workers > 1 else ""
    announce(f"Serving {settings.library} at http://{host}:{port}/{processes} (Ctrl-C to stop)")
    # Each process keeps this node's search index in step with the database (follow.py).
    follower = IndexFollower(app.extensions["medialib"], say)
    run_server(app, host, port, threads, settings, workers, say,  # the limits of serving.py
               each_process=follower.start)
