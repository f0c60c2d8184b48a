"""Faults lose nothing: kill -9 at every step, a full disk, a second writer, a broken database.

The killed runs are the real command line in a subprocess; the test hook MEDIALIB_TEST_PAUSE_AT
makes it wait at a named point so it can be killed exactly there. Afterwards the library must be
exactly as before or exactly as after, `medialib check` must pass, and ingest must work again.
"""

from __future__ import annotations

import resource
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from medialib.catalog import Catalog
from medialib.config import Settings
from medialib.library import Library
from tests.ingest_support import (
    REPO,
    cli,
    diff_trees,
    kill9,
    medialib_command,
    published_template,
    start_paused,
    tree_digest,
)

NEW_SRT = "1\n00:00:00,100 --> 00:00:00,900\nThe new recording.\n"


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory, tiny_video: Path) -> Path:
    """A library with one published webcast, 'existing-talk', made once per session."""
    return published_template(tmp_path_factory, tiny_video)


@pytest.fixture
def library(template: Path, tmp_path: Path) -> Path:
    root = tmp_path / "library"
    shutil.copytree(template, root)
    return root


@pytest.fixture
def new_captions(tmp_path: Path) -> Path:
    path = tmp_path / "new.srt"
    path.write_text(NEW_SRT, encoding="utf-8")
    return path


def library_files(root: Path) -> dict[str, str]:
    """The library's own files (catalog, media, transcripts); derived state is checked apart."""
    return {k: v for k, v in tree_digest(root).items() if not k.startswith("instance/")}


def assert_whole(root: Path) -> None:
    result = cli(root, "check")
    assert result.exit_code == 0, result.stderr
    assert not (root / ".staging").exists()


# (pause point, replace the existing webcast?) — replacing exercises moving the old folder aside.
POINTS = [
    ("probe", False),
    ("transcode", False),
    ("captions", True),
    ("transcript", False),
    ("catalog", True),
    ("database", False),
    ("index", True),
    ("commit", True),
    ("commit-media", True),
    ("commit-catalog", False),
]


@pytest.mark.parametrize("point, replacing", POINTS)
def test_kill_9_at_any_step_leaves_before_or_after(
    library: Path, tiny_vp9: Path, new_captions: Path, point: str, replacing: bool
) -> None:
    slug = "existing-talk" if replacing else "new-talk"
    args = ["ingest", tiny_vp9, "--title", "New talk", "--slug", slug, "--captions", new_captions]
    before = library_files(library)
    proc = start_paused(library, point, *args)
    kill9(proc)
    if point != "probe":  # inputs are read before anything is staged
        assert (library / ".staging").exists()  # work was left behind mid-way
    assert_whole(library)  # check resolves it under the lock, then finds nothing wrong
    after = library_files(library)
    committed = point.startswith("commit")
    if committed:  # the journal was written: the change was finished
        entry = Catalog.load(library / "catalog.yaml").webcasts[slug]
        assert entry.title == "New talk"
        assert (library / "media" / slug / "video.mp4").exists()
    else:  # never committed: rolled back, byte for byte
        assert diff_trees(before, after) == []
    result = cli(library, *args)  # and ingesting again just works
    assert result.exit_code == 0, result.stderr
    assert_whole(library)


def test_kill_9_during_remove(library: Path) -> None:
    before = library_files(library)
    kill9(start_paused(library, "commit-media", "remove", "existing-talk"))
    assert_whole(library)
    assert "existing-talk" not in Catalog.load(library / "catalog.yaml").webcasts
    assert not (library / "media" / "existing-talk").exists()
    assert before != library_files(library)


def test_an_interrupted_ingest_is_resolved_by_the_next_ingest(
    library: Path, tiny_video: Path, new_captions: Path
) -> None:
    kill9(start_paused(library, "commit-media", "ingest", tiny_video, "--title", "First",
                       "--captions", new_captions))
    result = cli(library, "ingest", tiny_video, "--title", "Second", "--captions", new_captions)
    assert result.exit_code == 0, result.stderr
    assert "finished an interrupted ingest of 'first'" in result.stderr
    assert {"first", "second"} <= set(Catalog.load(library / "catalog.yaml").webcasts)
    assert_whole(library)


def test_ctrl_c_during_transcode(library: Path, tiny_vp9: Path, new_captions: Path) -> None:
    before = tree_digest(library)
    proc = start_paused(library, "transcode", "ingest", tiny_vp9, "--title", "New talk",
                        "--captions", new_captions)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 1
    assert "interrupted; nothing was changed" in err.decode()
    assert diff_trees(before, tree_digest(library)) == []


def test_ctrl_c_after_the_commit_point_finishes_the_change(
    library: Path, tiny_video: Path, new_captions: Path
) -> None:
    proc = start_paused(library, "commit-media", "ingest", tiny_video, "--title", "Late",
                        "--captions", new_captions)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err.decode()
    assert "was already committed: finished it" in err.decode()
    assert "late" in Catalog.load(library / "catalog.yaml").webcasts
    assert_whole(library)


def test_a_second_writer_is_refused_with_a_clear_message(
    library: Path, tiny_video: Path, new_captions: Path
) -> None:
    proc = start_paused(library, "captions", "ingest", tiny_video, "--title", "Slow",
                        "--captions", new_captions)
    try:
        for args in (["ingest", tiny_video, "--title", "Other"], ["remove", "existing-talk"],
                     ["reindex"]):
            result = cli(library, *args)
            assert result.exit_code == 1, args
            assert "another medialib command is changing this library (ingest, process " \
                f"{proc.pid}" in result.stderr
        busy_check = cli(library, "check")  # check reads what is committed meanwhile
        assert busy_check.exit_code == 0, busy_check.stderr
        assert "checking what is committed so far" in busy_check.stderr
    finally:
        kill9(proc)
    assert_whole(library)


def _limit_file_size(limit: int):  # noqa: ANN202 - a preexec_fn
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


@pytest.mark.parametrize("late", [False, True], ids=["during the transcode", "after it"])
def test_a_full_disk_is_a_clear_error_and_changes_nothing(
    library: Path, tiny_vp9: Path, new_captions: Path, late: bool
) -> None:
    """RLIMIT_FSIZE stands in for a full disk: any write past the limit fails.

    4 kB stops the transcode's first writes. For a later failure the catalog is padded with
    100 kB of comments and the limit set to 60 kB: the video (~30 kB), poster, captions and
    transcript are staged, then staging the new catalog fails.
    """
    limit = 4_000
    if late:
        limit = 60_000
        catalog = library / "catalog.yaml"
        padding = "".join(f"# note {n:05d}: kept as written\n" for n in range(4000))
        catalog.write_text(padding + catalog.read_text(encoding="utf-8"), encoding="utf-8")
    before = tree_digest(library)
    result = subprocess.run(
        medialib_command(library, "ingest", tiny_vp9, "--title", "Big", "--captions",
                         new_captions),
        capture_output=True, text=True, cwd=REPO, preexec_fn=_limit_file_size(limit),
        timeout=60,
    )
    assert result.returncode == 1, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    expected = (library / "catalog.yaml") if late else "video.mp4"
    assert last.startswith("error: ") and str(expected) in last and "disk is full" in last, \
        result.stderr
    assert "Traceback" not in result.stderr
    assert diff_trees(before, tree_digest(library)) == []
    assert_whole(library)


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
