"""kill -9 during `medialib captions --replace`: before the journal the library is as it was,
byte for byte; after it the replacement is finished by the next command."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from medialib.catalog import Catalog
from medialib.review import STAGED_POINT
from tests.ingest_support import (
    cli,
    diff_trees,
    kill9,
    published_template,
    start_paused,
    tree_digest,
)

SLUG = "existing-talk"
FIXED_SRT = "1\n00:00:00,100 --> 00:00:00,900\nA corrected caption.\n"


@pytest.fixture
def published(tmp_path_factory: pytest.TempPathFactory, tiny_video: Path) -> Path:
    return published_template(tmp_path_factory, tiny_video)  # made once a session


def library_files(root: Path) -> dict[str, str]:
    return {k: v for k, v in tree_digest(root).items() if not k.startswith("instance/")}


@pytest.mark.parametrize("point", [STAGED_POINT, "commit", "commit-media", "commit-database"])
def test_kill_9_during_a_caption_replacement(published: Path, tmp_path: Path, point: str) -> None:
    library = tmp_path / "library"
    shutil.copytree(published, library)
    fixed = tmp_path / "fixed.srt"
    fixed.write_text(FIXED_SRT, encoding="utf-8")
    before = library_files(library)
    proc = start_paused(library, point, "captions", SLUG, "--replace", fixed,
                        "--reviewed-by", "Jane Doe, RN")
    assert (library / ".staging").exists()
    kill9(proc)
    check = cli(library, "check")  # resolves it under the lock, then finds nothing wrong
    assert check.exit_code == 0, check.stderr
    assert not (library / ".staging").exists()
    track = Catalog.load(library / "catalog.yaml").webcasts[SLUG].captions[0]
    vtt = (library / "media" / SLUG / track.file).read_text(encoding="utf-8")
    if point == STAGED_POINT:  # never committed: rolled back, byte for byte
        assert diff_trees(before, library_files(library)) == []
        assert track.reviewed_by is None and "corrected" not in vtt
    else:  # the journal was written: finished
        assert track.reviewed_by == "Jane Doe, RN" and "A corrected caption." in vtt
        assert (library / "media" / SLUG / "video.mp4").exists()
        search = cli(library, "search", "corrected", "--json")
        assert '"existing-talk"' in search.output
