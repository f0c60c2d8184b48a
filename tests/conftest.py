"""Shared fixtures: settings over a temporary library, the app, its client and the CLI runner."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from medialib.app import create_app
from medialib.config import Settings
from medialib.library import Library

pytest_plugins = ["tests.media_fixtures", "tests.web_fixtures"]

REPO = Path(__file__).resolve().parent.parent


def copy_sample_library(dest: Path) -> Path:
    """The committed sample library (catalog and captions, no rendered media) copied to `dest`."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(REPO / "catalog.yaml", dest / "catalog.yaml")
    for vtt in (REPO / "media").glob("*/*.vtt"):
        target = dest / "media" / vtt.parent.name
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy2(vtt, target / vtt.name)
    return dest


@pytest.fixture(scope="session")
def sample_library_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample library, reindexed once per session (database, index, transcripts)."""
    root = copy_sample_library(tmp_path_factory.mktemp("sample") / "library")
    lib = Library(Settings(library=root))
    lib.reindex()
    lib.close()
    return root


@pytest.fixture
def settings(sample_library_dir: Path) -> Settings:
    """Settings over the session's sample library (read-only use)."""
    return Settings(library=sample_library_dir)


@pytest.fixture
def app(settings: Settings):
    app = create_app(settings)
    app.config["TESTING"] = True
    yield app
    app.extensions["medialib"].close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def fresh_library(tmp_path: Path) -> Path:
    """A writable copy of the sample library (not yet indexed), for tests that change it."""
    return copy_sample_library(tmp_path / "library")
