"""Two `medialib serve` nodes over one PostgreSQL database and one library folder, each with its own
instance folder and search index: what one node's command line publishes or removes, the other
serves and finds within seconds, without a restart."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.ingest_support import (
    free_port,
    get_when_listening,
    make_published_library,
    serve_command,
)
from tests.postgres import PostgresServer

DEADLINE = 90.0  # seconds: generous on a loaded machine (a bound, not a speed assertion)
SLUG = "zebrafish-models"


def node_env(database_url: str, instance: Path) -> dict[str, str]:
    return {**os.environ, "MEDIALIB_DATABASE_URL": database_url,
            "MEDIALIB_INSTANCE_DIR": str(instance)}


def command(library: Path, env: dict[str, str], *args: str | Path) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "medialib.cli", "--library", str(library), *map(str, args)],
        capture_output=True, text=True, timeout=180, env=env,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@contextmanager
def node(library: Path, env: dict[str, str]) -> Iterator[str]:
    """`medialib serve --workers 2` of one node on a free port; its base URL."""
    port = free_port()
    server = subprocess.Popen(
        serve_command(library, port, "--workers", "2", "--threads", "2"),
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        assert get_when_listening(f"{url}/", timeout=DEADLINE) == 200
        yield url
    finally:
        server.terminate()
        said = server.communicate(timeout=30)[1]
        assert "Traceback" not in said, said


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as page:
            return int(page.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def found(url: str, query: str) -> list[str] | None:
    """The slugs a node's search finds; None while it has no index yet (503)."""
    try:
        with urllib.request.urlopen(f"{url}/api/search?q={query}", timeout=30) as page:
            return [r["slug"] for r in json.load(page)["results"]]
    except urllib.error.HTTPError as exc:
        if exc.code == 503:
            return None
        raise


def eventually(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not check():
        assert time.monotonic() < deadline, f"not within {DEADLINE:.0f} s: {what}"
        time.sleep(0.2)


def test_what_one_node_publishes_or_removes_the_other_serves_and_finds(
    postgres_server: PostgresServer, tiny_video: Path, tmp_path: Path
) -> None:
    database_url = postgres_server.new_database("nodes")
    library = tmp_path / "shared-library"
    library.mkdir()
    a = node_env(database_url, tmp_path / "node-a")
    b = node_env(database_url, tmp_path / "node-b")
    make_published_library(library, tiny_video)  # one webcast, in a SQLite file of its own
    command(library, a, "reindex")  # into PostgreSQL, and node A's index
    captions = tmp_path / "zebrafish.vtt"
    captions.write_text(
        "WEBVTT\n\n00:00:00.000 --> 00:00:01.500\nZebrafish models help study cancer.\n",
        encoding="utf-8",
    )
    with node(library, a) as node_a, node(library, b) as node_b:
        eventually(lambda: found(node_b, "welcome") == ["existing-talk"],
                   "node B built its own index from the shared library")
        assert status(f"{node_b}/webcasts/{SLUG}") == 404 and found(node_b, "zebrafish") == []
        command(library, a, "ingest", tiny_video, "--title", "Zebrafish models",
                "--slug", SLUG, "--captions", captions)
        assert status(f"{node_b}/webcasts/{SLUG}") == 200  # the rows: at once
        eventually(lambda: found(node_b, "zebrafish") == [SLUG], "node B finds the new webcast")
        assert found(node_a, "zebrafish") == [SLUG]
        assert not (tmp_path / "node-b" / "index").samefile(tmp_path / "node-a" / "index")
        command(library, a, "remove", SLUG)
        assert status(f"{node_b}/webcasts/{SLUG}") == 404
        eventually(lambda: found(node_b, "zebrafish") == [], "node B stops finding it")
        assert found(node_b, "welcome") == ["existing-talk"]
