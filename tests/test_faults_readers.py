"""No half-published state is ever visible: kill -9 at each of the last steps while a site reads.

A real `medialib serve` serves the library while a reader thread asks, over and over, for a
webcast's page and, whenever the page is there, for every file a page of that webcast names
(the media, poster and caption files, whichever version). Meanwhile an ingest (or a removal) in
another process is paused at one of the last steps, read at that point, killed there with
kill -9, and resolved by the next command (`check`), read all along. The reader must never see a
page without its files (page 200, media 404), nor an older version once it saw a newer one.
"""

from __future__ import annotations

import re
import shutil
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from medialib.catalog import Catalog
from medialib.journal import COMMIT_POINTS
from tests.ingest_support import (
    cli,
    get_when_listening,
    kill9,
    launch,
    published_template,
    serving,
    wait_paused,
)

# The steps after which something is written that a reader could see, and every commit point.
LAST_POINTS = ("catalog", "database", "index", *COMMIT_POINTS)
SRT = "1\n00:00:00,100 --> 00:00:00,900\nVersion {n} of the talk.\n"
TITLE = re.compile(r"<title>([^<|]*)")
MEDIA = re.compile(r'(?:src|poster)="(/media/[^"?#]+)')


@pytest.fixture
def library(tmp_path_factory: pytest.TempPathFactory, tiny_video: Path, tmp_path: Path) -> Path:
    """A copy of the session's published library ('existing-talk'), to change."""
    return Path(shutil.copytree(published_template(tmp_path_factory, tiny_video),
                                tmp_path / "library"))


@dataclass
class Seen:
    """One reading: the page's status and title, the status of each file asked for, and the
    page's status and title once more after the files (so a file that went away because the
    page had just changed is told apart from a page shown without its files)."""

    status: int
    title: str = ""
    files: dict[str, int] = field(default_factory=dict)
    after: tuple[int, str] = (0, "")


class Reader:
    """Reads one webcast's page and files in a loop, on a thread, until stopped."""

    def __init__(self, base: str, slug: str, files: set[str]):
        self.base, self.slug, self.files = base, slug, set(files)
        self.seen: list[Seen] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _get(self, path: str) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(self.base + path, timeout=10) as response:
                return int(response.status), response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, b""

    def _page(self) -> tuple[int, str, str]:
        status, body = self._get(f"/webcasts/{self.slug}")
        html = body.decode("utf-8")
        title = TITLE.search(html)
        return status, title.group(1).split(" \u00b7 ")[0].strip() if title else "", html

    def _loop(self) -> None:
        while not self._stop.is_set():
            status, title, html = self._page()
            seen = Seen(status, title)
            if status == 200:
                # Each file the page names, by its path in the webcast's folder (hls/...).
                prefix = f"/media/{self.slug}/"
                names = self.files | {p.removeprefix(prefix) for p in MEDIA.findall(html)}
                for name in sorted(names):
                    seen.files[name] = self._get(f"/media/{self.slug}/{name}")[0]
                seen.after = self._page()[:2]
            self.seen.append(seen)

    def readings(self, more: int) -> None:
        """Wait until `more` further readings are done (each a page and its files)."""
        target = len(self.seen) + more
        deadline = time.monotonic() + 60
        while len(self.seen) < target:
            assert self._thread.is_alive() and time.monotonic() < deadline, "the reader stopped"
            time.sleep(0.01)

    @contextmanager
    def reading(self) -> Iterator[Reader]:
        self._thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            self._thread.join(30)


def kill_while_reading(library: Path, reader: Reader, point: str, *args: str | Path) -> None:
    """Run `medialib ARGS` to `point`; read there; kill -9; read; resolve with `check`; read."""
    proc = launch(library, point, *args)
    wait_paused(proc, point)
    reader.readings(3)
    kill9(proc)
    reader.readings(3)
    result = cli(library, "check")
    assert result.exit_code == 0, result.stderr
    reader.readings(3)


def broken(seen: list[Seen]) -> list[Seen]:
    """Readings of a page whose files were not all there while that page was being served
    (the same page before and after the files were asked for)."""
    return [s for s in seen if s.status == 200 and s.after == (200, s.title)
            and any(code != 200 for code in s.files.values())]


def test_a_replaced_webcast_switches_in_one_step(library: Path, tiny_video: Path,
                                                 tmp_path: Path) -> None:
    titles = ["Existing talk"]
    with serving(library) as site:
        assert get_when_listening(f"{site.url}/webcasts/existing-talk") == 200
        reader = Reader(site.url, "existing-talk", {"video.mp4", "poster.jpg"})
        with reader.reading():
            for n, point in enumerate(LAST_POINTS, start=1):
                captions = tmp_path / f"v{n}.srt"
                captions.write_text(SRT.format(n=n), encoding="utf-8")
                # Each version has captions in the other language: the old page names a file
                # the new version lacks, until the switch.
                lang = "es" if n % 2 else "en"
                before = len(reader.seen)
                kill_while_reading(library, reader, point, "ingest", tiny_video, "--title",
                                   f"Version {n}", "--slug", "existing-talk",
                                   "--captions", f"{captions}:{lang}")
                committed = point.startswith("commit")
                if committed:
                    titles.append(f"Version {n}")
                entry = Catalog.load(library / "catalog.yaml").webcasts["existing-talk"]
                assert entry.title == titles[-1], point
                order = [titles.index(s.title) for s in reader.seen[before:]]
                assert order == sorted(order), (point, [s.title for s in reader.seen[before:]])
                assert {s.title for s in reader.seen[before:]} <= set(titles[-2:]), point
    assert all(s.status == 200 for s in reader.seen)
    assert len({s.title for s in reader.seen}) > 3  # versions came and were seen
    asked = {name for s in reader.seen for name in s.files}  # media, poster, both captions
    assert {"video.mp4", "poster.jpg", "captions.en.vtt", "captions.es.vtt"} <= asked
    assert broken(reader.seen) == []


def test_a_new_webcast_appears_with_its_files(library: Path, tiny_video: Path,
                                              tmp_path: Path) -> None:
    captions = tmp_path / "new.srt"
    captions.write_text(SRT.format(n=1), encoding="utf-8")
    seen = []
    with serving(library) as site:
        assert get_when_listening(f"{site.url}/webcasts/existing-talk") == 200
        for point in LAST_POINTS:
            slug = f"new-at-{point}"
            reader = Reader(site.url, slug, {"video.mp4", "poster.jpg", "captions.en.vtt"})
            with reader.reading():
                kill_while_reading(library, reader, point, "ingest", tiny_video, "--title",
                                   "New talk", "--slug", slug, "--captions", str(captions))
            statuses = [s.status for s in reader.seen]
            assert set(statuses) <= {200, 404}, (point, statuses)
            assert statuses == sorted(statuses, reverse=True), (point, statuses)  # 404s, 200s
            assert (statuses[-1] == 200) == point.startswith("commit"), (point, statuses)
            seen += reader.seen
    assert broken(seen) == []
    assert any(s.status == 200 for s in seen) and any(s.status == 404 for s in seen)


def test_a_removed_webcast_disappears_before_its_files(library: Path, tiny_video: Path,
                                                       tmp_path: Path) -> None:
    captions = tmp_path / "talk.srt"
    captions.write_text(SRT.format(n=1), encoding="utf-8")
    slugs = {point: f"gone-at-{point}" for point in COMMIT_POINTS}
    for slug in slugs.values():
        result = cli(library, "ingest", tiny_video, "--title", "Going", "--slug", slug,
                     "--captions", captions)
        assert result.exit_code == 0, result.stderr
    seen = []
    with serving(library) as site:
        for point, slug in slugs.items():
            assert get_when_listening(f"{site.url}/webcasts/{slug}") == 200
            reader = Reader(site.url, slug, {"video.mp4", "poster.jpg", "captions.en.vtt"})
            with reader.reading():
                kill_while_reading(library, reader, point, "remove", slug)
            statuses = [s.status for s in reader.seen]
            assert set(statuses) <= {200, 404}, (point, statuses)
            assert statuses == sorted(statuses) and statuses[-1] == 404, (point, statuses)
            seen += reader.seen
    assert broken(seen) == []
    assert any(s.status == 200 and s.files for s in seen)
