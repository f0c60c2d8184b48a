"""While reindex and ingest run in another process, pages and searches keep answering."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

from medialib.config import Settings
from medialib.library import Library

PATHS = [
    "/",
    "/webcasts/role-of-radiation-mbc",
    "/webcasts/living-with-mbc-podcast/transcript",
    "/search?q=whole+brain+radiation",
    "/api/search?q=health+care+proxy",
    "/topics/clinical-trials",
]


def medialib(root: Path, *args: str, database_url: str | None = None) -> None:
    env = {**os.environ, "MEDIALIB_DATABASE_URL": database_url or ""}
    subprocess.run(
        [sys.executable, "-m", "medialib.cli", "--library", str(root), *args],
        check=True, capture_output=True, timeout=120, env=env,
    )


def test_pages_and_searches_answer_while_the_library_changes(
    make_app, fresh_library: Path, tiny_video: Path, tmp_path: Path, database_url: str | None
) -> None:
    settings = Settings(library=fresh_library, database_url=database_url)
    builder = Library(settings)
    builder.reindex()
    builder.close()
    app = make_app(settings)
    captions = tmp_path / "live.vtt"
    captions.write_text(
        "WEBVTT\n\n00:00:00.000 --> 00:00:01.500\nZebrafish models help study cancer.\n",
        encoding="utf-8",
    )
    failures: list[tuple[str, int]] = []
    answered = 0
    stop = threading.Event()

    def browse() -> None:
        nonlocal answered
        client = app.test_client()
        while not stop.is_set():
            for path in PATHS:
                status = client.get(path).status_code
                answered += 1
                if status != 200:
                    failures.append((path, status))

    readers = [threading.Thread(target=browse) for _ in range(2)]
    for reader in readers:
        reader.start()
    try:
        medialib(fresh_library, "reindex", database_url=database_url)
        medialib(fresh_library, "ingest", str(tiny_video), "--title", "Live update",
                 "--slug", "live-update", "--captions", str(captions), database_url=database_url)
        medialib(fresh_library, "reindex", database_url=database_url)
    finally:
        stop.set()
        for reader in readers:
            reader.join()

    assert answered > len(PATHS)
    assert failures == []
    client = app.test_client()
    assert client.get("/webcasts/live-update").status_code == 200
    found = client.get("/api/search?q=zebrafish").get_json()
    assert [r["slug"] for r in found["results"]] == ["live-update"]
