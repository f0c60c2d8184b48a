"""Shared fixtures: settings over a temporary library, `make_app`, the app and its client."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask

from medialib.app import create_app
from medialib.config import Settings
from tests.libraries import copy_sample_library, reindexed

pytest_plugins = ["tests.media_fixtures", "tests.web_fixtures", "tests.postgres"]

# What `make test-fast` leaves out, marked here so no test module has to remember it: a test is
# `slow` when it needs media rendered by ffmpeg (every fixture of tests/media_fixtures.py rests on
# `media_dir`), a served library, sample media narrated by espeak-ng or a ten-hour talk, or when
# its module starts processes or servers of its own (kill -9, a second medialib, ffmpeg, clients
# that wait out the server's timeouts). The browser tests are marked `browser` in their modules.
SLOW_FIXTURES = frozenset({"media_dir", "live_server", "rendered", "long_library",
                           "postgres_server", "postgresql", "hls_library"})
PROCESS_MODULES = frozenset({"test_faults", "test_faults_readers", "test_live_updates",
                             "test_media", "test_demo", "test_slow_clients", "test_soak",
                             "test_workers", "test_renditions", "test_review_faults", "test_asr",
                             "test_py311_dict_crash", "test_allocator"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    from tests import media_fixtures  # a plugin: imported (and rewritten) by now

    media = {name for name in vars(media_fixtures) if name.startswith("tiny_")}
    slow = SLOW_FIXTURES | media | {"not_media", "no_av_streams"}
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        # A test that picks its media with request.getfixturevalue names the fixture as a param.
        callspec = getattr(item, "callspec", None)
        used.update(v for v in (callspec.params.values() if callspec else ()) if isinstance(v, str))
        if used & slow or item.path.stem in PROCESS_MODULES:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def sample_library_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample library, reindexed once per session (database, index, transcripts)."""
    return reindexed(copy_sample_library(tmp_path_factory.mktemp("sample") / "library"))


@pytest.fixture
def settings(sample_library_dir: Path) -> Settings:
    """Settings over the session's sample library (read-only use)."""
    return Settings(library=sample_library_dir)


MakeApp = Callable[[Settings], Flask]


@contextmanager
def _app_maker() -> Iterator[MakeApp]:
    """A `make_app` whose apps are all closed when the block ends, however it ends."""
    made: list[Flask] = []

    def make(settings: Settings) -> Flask:
        app = create_app(settings)
        app.config["TESTING"] = True
        made.append(app)
        return app

    try:
        yield make
    finally:
        for app in reversed(made):
            app.extensions["medialib"].close()


@pytest.fixture
def make_app() -> Iterator[MakeApp]:
    """`make_app(settings)`: a testing app over those settings, closed when the test ends.

    The one way tests build an app (as Datasette's `make_app_client`): no test closes its own
    app in a try/finally, and every app a test made is closed even when the test fails.
    """
    with _app_maker() as make:
        yield make


@pytest.fixture(scope="session")
def make_shared_app() -> Iterator[MakeApp]:
    """`make_app` for the session's read-only libraries: one app each, shared by the tests that
    only read (a fresh app compiles its templates and opens its index again, ~0.1 s a test)."""
    with _app_maker() as make:
        yield make


@pytest.fixture(scope="session")
def app(make_shared_app: MakeApp, sample_library_dir: Path) -> Flask:
    """The app over the session's sample library (read-only use)."""
    return make_shared_app(Settings(library=sample_library_dir))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def fresh_library(tmp_path: Path) -> Path:
    """A writable copy of the sample library (not yet indexed), for tests that change it."""
    return copy_sample_library(tmp_path / "library")
