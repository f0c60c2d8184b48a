"""Faults lose nothing: kill -9 at every step, a full disk, a second writer, a broken database.

The faulty runs are the real command line in separate processes (forked from this one, so they
skip Python's start-up); the test hook MEDIALIB_TEST_PAUSE_AT makes one wait at a named point so
it can be killed (or interrupted) exactly there. Afterwards the library must be exactly as before
or exactly as after, `medialib check` must pass, and ingest must work again. A full disk is a
file-size limit (RLIMIT_FSIZE) set in the process: any write past it fails.
"""

from __future__ import annotations

import os
import shutil
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from medialib.catalog import Catalog
from medialib.config import Settings
from medialib.ingest import CaptionSource, IngestRequest
from medialib.ingest.pipeline import Reporter, ingest
from medialib.library import Library
from medialib.lock import LibraryLock
from tests.ingest_support import (
    Forked,
    cli,
    diff_trees,
    get_when_listening,
    kill9,
    launch,
    published_template,
    serving,
    tree_digest,
    wait_paused,
)

NEW_SRT = "1\n00:00:00,100 --> 00:00:00,900\nThe new recording.\n"

# (pause point, replace the existing webcast?) — replacing exercises moving the old folder aside.
POINTS = [
    ("probe", False),
    ("transcode", False),
    ("captions", True),
    ("catalog", True),
    ("database", False),
    ("index", True),
    ("commit", True),
    ("commit-media", True),
    ("commit-catalog", False),
    ("commit-database", True),
    ("commit-index", False),
]
AGAIN = {"transcode", "database", "commit-media"}


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory, tiny_video: Path) -> Path:
    """A library with one published webcast, 'existing-talk', made once per session."""
    return published_template(tmp_path_factory, tiny_video)


@pytest.fixture
def library(template: Path, tmp_path: Path) -> Path:
    root = tmp_path / "library"
    shutil.copytree(template, root)
    return root


@dataclass
class Run:
    """A `medialib` subprocess over its own library, and that library as it was before."""

    library: Path
    captions: Path
    args: list[str]
    point: str | None
    before: dict[str, str]
    proc: Forked

    def paused(self) -> Run:
        assert self.point is not None
        wait_paused(self.proc, self.point)
        return self

    def finish(self, timeout: float = 30) -> tuple[int, str]:
        _, err = self.proc.communicate(timeout=timeout)
        return self.proc.returncode, err.decode()


def _pad_catalog(library: Path) -> None:
    catalog = library / "catalog.yaml"
    padding = "".join(f"# note {n:05d}: kept as written\n" for n in range(4000))
    catalog.write_text(padding + catalog.read_text(encoding="utf-8"), encoding="utf-8")


class Runs:
    """The module's subprocesses, each started a little before its test needs it.

    Starting Python is most of a run's cost, so the next runs start while a test checks the
    library of its own: with two cores, that halves the wait.
    """

    AHEAD = 2

    def __init__(self, factory: pytest.TempPathFactory, template: Path,
                 plans: dict[str, tuple[str | None, list[str | Path], int | None]]):
        self.factory, self.template, self.plans = factory, template, plans
        self.started: dict[str, Run] = {}

    def __getitem__(self, name: str) -> Run:
        order = list(self.plans)
        at = order.index(name)
        for upcoming in order[at : at + 1 + self.AHEAD]:
            if upcoming not in self.started:
                self.started[upcoming] = self._start(upcoming)
        return self.started[name]

    def _start(self, name: str) -> Run:
        point, args, limit = self.plans[name]
        folder = self.factory.mktemp("fault")
        library = folder / "library"
        shutil.copytree(self.template, library)
        if name == "disk full later":
            _pad_catalog(library)
        captions = folder / "new.srt"
        captions.write_text(NEW_SRT, encoding="utf-8")
        argv = [str(a).replace("{captions}", str(captions)) for a in args]
        before = tree_digest(library)
        proc = launch(library, point, *argv, file_size_limit=limit)
        return Run(library, captions, argv, point, before, proc)

    def stop(self) -> None:
        for run in self.started.values():  # (some ended on their own, unread: a test not run)
            if run.proc.poll() is None:
                kill9(run.proc)
            elif run.proc.stderr is not None:
                run.proc.stderr.close()


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, template: Path, tiny_video: Path,
         tiny_vp9: Path) -> Iterator[Runs]:
    """Every subprocess of this module, in the order the tests below take them."""
    plans: dict[str, tuple[str | None, list[str | Path], int | None]] = {}
    for point, replacing in POINTS:
        slug = "existing-talk" if replacing else "new-talk"
        media = tiny_vp9 if point == "transcode" else tiny_video
        plans[f"kill at {point}"] = (point, ["ingest", media, "--title", "New talk", "--slug",
                                             slug, "--captions", "{captions}"], None)
    plans["kill during remove"] = ("commit-media", ["remove", "existing-talk"], None)
    plans["kill before serve"] = ("commit-media", ["ingest", tiny_video, "--title", "Served",
                                                   "--captions", "{captions}"], None)
    plans["ctrl-c after commit"] = ("commit-media", ["ingest", tiny_video, "--title", "Late",
                                                     "--captions", "{captions}"], None)
    # 4 kB stops the transcode's first writes. For a later failure the catalog is padded with
    # 120 kB of comments and the limit is 60 kB: the video (~30 kB), poster, captions and
    # transcript are staged, then staging the new catalog fails.
    for name, limit in (("disk full in transcode", 4_000), ("disk full later", 60_000)):
        plans[name] = (None, ["ingest", tiny_vp9, "--title", "Big", "--captions", "{captions}"],
                       limit)
    launched = Runs(tmp_path_factory, template, plans)
    yield launched
    launched.stop()


def library_files(root: Path) -> dict[str, str]:
    """The library's own files (catalog, media, transcripts); derived state is checked apart."""
    return {k: v for k, v in tree_digest(root).items() if not k.startswith("instance/")}


def assert_whole(root: Path) -> None:
    result = cli(root, "check")
    assert result.exit_code == 0, result.stderr
    assert not (root / ".staging").exists()


@pytest.mark.parametrize("point, replacing", POINTS)
def test_kill_9_at_any_step_leaves_before_or_after(
    runs: Runs, point: str, replacing: bool
) -> None:
    run = runs[f"kill at {point}"].paused()
    library = run.library
    kill9(run.proc)
    if point != "probe":  # inputs are read before anything is staged
        assert (library / ".staging").exists()  # work was left behind mid-way
    if point == "commit-media":  # the next ingest resolves it first, as check would
        result = cli(library, *run.args)
        assert result.exit_code == 0, result.stderr
        assert "finished an interrupted ingest of 'existing-talk'" in result.stderr
    assert_whole(library)  # check resolves it under the lock, then finds nothing wrong
    slug = "existing-talk" if replacing else "new-talk"
    if point.startswith("commit"):  # the journal was written: the change was finished
        entry = Catalog.load(library / "catalog.yaml").webcasts[slug]
        assert entry.title == "New talk"
        assert (library / "media" / slug / "video.mp4").exists()
    else:  # never committed: rolled back, byte for byte
        before = {k: v for k, v in run.before.items() if not k.startswith("instance/")}
        assert diff_trees(before, library_files(library)) == []
    if point in AGAIN:  # and ingesting again just works (the others end in the same states)
        result = cli(library, *run.args)
        assert result.exit_code == 0, result.stderr
        assert_whole(library)


def test_kill_9_during_remove(runs: Runs) -> None:
    run = runs["kill during remove"].paused()
    kill9(run.proc)
    assert_whole(run.library)
    assert "existing-talk" not in Catalog.load(run.library / "catalog.yaml").webcasts
    assert not (run.library / "media" / "existing-talk").exists()
    assert not list((run.library / "transcripts").glob("existing-talk.*"))


def test_serve_finishes_an_interrupted_change_before_serving(runs: Runs) -> None:
    run = runs["kill before serve"].paused()
    kill9(run.proc)
    assert (run.library / ".staging").exists()
    with serving(run.library) as served:
        assert not (run.library / ".staging").exists()  # resolved before the first request
        assert "served" in Catalog.load(run.library / "catalog.yaml").webcasts
        assert get_when_listening(f"{served.url}/webcasts/served") == 200
    assert_whole(run.library)


def test_serve_rebuilds_a_database_an_older_version_made(fresh_library: Path) -> None:
    library = Library(Settings(library=fresh_library))
    library.reindex()
    with library.engine.begin() as connection:  # as an older version left it: a renamed column
        connection.exec_driver_sql("ALTER TABLE media_files RENAME COLUMN checksum TO sha256")
    library.close()
    with serving(fresh_library) as served:
        assert get_when_listening(f"{served.url}/webcasts/role-of-radiation-mbc") == 200
    assert "made by an older medialib: rebuilding it" in served.said
    library = Library(Settings(library=fresh_library))
    try:
        assert not library.database_outdated()
    finally:
        library.close()


def test_ctrl_c_after_the_commit_point_finishes_the_change(runs: Runs) -> None:
    run = runs["ctrl-c after commit"].paused()
    run.proc.send_signal(signal.SIGINT)
    code, err = run.finish()
    assert code == 0, err
    assert "was already committed: finished it" in err
    assert "late" in Catalog.load(run.library / "catalog.yaml").webcasts
    assert_whole(run.library)


@pytest.mark.parametrize("name", ["disk full in transcode", "disk full later"])
def test_a_full_disk_is_a_clear_error_and_changes_nothing(runs: Runs, name: str) -> None:
    run = runs[name]
    code, err = run.finish(timeout=60)
    assert code == 1, err
    last = err.strip().splitlines()[-1]
    expected = run.library / "catalog.yaml" if name.endswith("later") else "video.mp4"
    assert last.startswith("error: ") and str(expected) in last, err
    assert "the disk is full" in last and "nothing was changed" in last
    assert "Traceback" not in err
    assert diff_trees(run.before, tree_digest(run.library)) == []
    assert_whole(run.library)


def test_reindex_repairs_a_corrupt_database_and_index(library: Path) -> None:
    settings = Settings(library=library)
    database = settings.instance / "medialib.sqlite3"
    for suffix in ("-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    database.write_bytes(b"this is not a database" * 100)
    shutil.rmtree(settings.index_path)
    settings.index_path.mkdir()
    (settings.index_path / "_MAIN_1.toc").write_bytes(b"garbage")
    (settings.index_path / "junk.seg").write_bytes(b"\x00" * 64)
    result = cli(library, "check")
    assert result.exit_code == 1
    assert "problem: database" in result.stderr and "problem: search index" in result.stderr
    result = cli(library, "reindex")
    assert result.exit_code == 0, result.stderr
    assert_whole(library)


def test_a_deleted_database_is_seen_by_a_running_site_after_reindex(library: Path) -> None:
    settings = Settings(library=library)
    site = Library(settings)
    try:
        from sqlalchemy import select

        from medialib import models as m

        with site.sessions() as session:
            assert list(session.scalars(select(m.Webcast.slug))) == ["existing-talk"]
        for path in settings.instance.glob("medialib.sqlite3*"):
            path.unlink()
        shutil.rmtree(settings.index_path)
        assert cli(library, "check").exit_code == 1
        assert cli(library, "reindex").exit_code == 0
        with site.sessions() as session:
            assert list(session.scalars(select(m.Webcast.slug))) == ["existing-talk"]
        assert list(site.index.slugs()) == ["existing-talk"]
    finally:
        site.close()


class Interrupting(Reporter):
    """Ctrl-C at the first progress report of the transcode, as a person would press it."""

    @contextmanager
    def progress(self, label: str, total: float) -> Iterator[Callable[[float], None]]:
        def update(_done: float) -> None:
            raise KeyboardInterrupt

        yield update


def test_ctrl_c_during_transcode_changes_nothing(library: Path, tiny_vp9: Path,
                                                 tmp_path: Path) -> None:
    captions = tmp_path / "new.srt"
    captions.write_text(NEW_SRT, encoding="utf-8")
    before = tree_digest(library)
    lib = Library(Settings(library=library))
    request = IngestRequest(media=tiny_vp9, title="New talk",
                            captions=(CaptionSource(captions),))
    try:
        with pytest.raises(KeyboardInterrupt):
            ingest(lib, request, Interrupting())
    finally:
        lib.close()
    assert diff_trees(before, tree_digest(library)) == []
    assert_whole(library)


def test_a_second_writer_is_refused_with_a_clear_message(library: Path,
                                                         tiny_video: Path) -> None:
    """Another process's lock looks the same: flock locks belong to open files, not processes."""
    with LibraryLock(library, "ingest"):
        for args in (["ingest", tiny_video, "--title", "Other"], ["remove", "existing-talk"],
                     ["reindex"]):
            result = cli(library, *args)
            assert result.exit_code == 1, args
            assert result.stderr.startswith(f"error: {library / '.medialib.lock'}: another "
                                            "medialib command is changing this library "
                                            f"(ingest, process {os.getpid()}, since ")
            assert "try again when it has finished" in result.stderr
        busy_check = cli(library, "check")  # check reads what is committed meanwhile
        assert busy_check.exit_code == 0, busy_check.stderr
        assert "checking what is committed so far" in busy_check.stderr
    assert_whole(library)
