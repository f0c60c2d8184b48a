"""`medialib check` names each problem: files, checksums, captions, chapters, database, index."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from medialib.checks import check_library, interoperable_webvtt
from medialib.config import Settings
from medialib.library import Library
from medialib.staging import Staging
from tests.ingest_support import cli, published_template

SLUG = "existing-talk"


@pytest.fixture(scope="session")
def published(tmp_path_factory: pytest.TempPathFactory, tiny_video: Path) -> Path:
    return published_template(tmp_path_factory, tiny_video)


@pytest.fixture
def library(published: Path, tmp_path: Path) -> Path:
    root = tmp_path / "library"
    shutil.copytree(published, root)
    return root


def problems(root: Path) -> list[str]:
    lib = Library(Settings(library=root))
    try:
        return [str(p) for p in check_library(lib)]
    finally:
        lib.close()


def edit_catalog(root: Path, old: str, new: str) -> None:
    path = root / "catalog.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_fresh_ingest_checks_clean(library: Path) -> None:
    assert problems(library) == []
    result = cli(library, "check")
    assert result.exit_code == 0 and "whole and in step" in result.output


def _append(path: Path, data: bytes) -> None:
    with open(path, "ab") as fh:
        fh.write(data)


BREAKAGES: dict[str, tuple[Callable[[Path], None], list[str]]] = {
    "media missing": (lambda r: (r / "media" / SLUG / "video.mp4").unlink(),
                      [f"media/{SLUG}/video.mp4: media file of '{SLUG}' is missing"]),
    "media changed": (lambda r: _append(r / "media" / SLUG / "video.mp4", b"x"),
                      [f"video.mp4: media file of '{SLUG}': does not match its checksum"]),
    "poster changed": (lambda r: _append(r / "media" / SLUG / "poster.jpg", b"x"),
                       [f"poster.jpg: poster of '{SLUG}': does not match its checksum"]),
    "captions broken": (lambda r: (r / "media" / SLUG / "captions.en.vtt").write_text(
        "WEBVTT\n\n00:00.100 -> 00:00.900\nbroken\n"),
        [f"captions.en.vtt: en captions of '{SLUG}': does not match its checksum",
         "captions.en.vtt:3: broken timing line"]),
    "transcript missing": (lambda r: (r / "transcripts" / f"{SLUG}.en.txt").unlink(),
                           [f"{SLUG}.en.txt: transcript is missing"]),
    "transcript edited": (lambda r: _append(r / "transcripts" / f"{SLUG}.en.txt", b"more\n"),
                          [f"{SLUG}.en.txt: transcript is out of date"]),
    "chapter past the end": (lambda r: edit_catalog(r, "- start: 1\n", "- start: 99\n"),
                             ["chapter 'Questions' of 'existing-talk' starts at 99 s, outside",
                              "database: 'existing-talk' differs from the catalog (chapters)"]),
    "title edited by hand": (lambda r: edit_catalog(r, "title: Existing talk",
                                                    "title: A better title"),
                             ["database: 'existing-talk' differs from the catalog (title)",
                              "transcript is out of date"]),
    "stray folder": (lambda r: (r / "media" / "leftover").mkdir(),
                     ["media/leftover: a media folder with no catalog entry"]),
    "stray transcript": (lambda r: (r / "transcripts" / "old-talk.en.txt").write_text("x"),
                         ["old-talk.en.txt: a transcript with no catalog entry"]),
    "database deleted": (lambda r: [p.unlink() for p in (r / "instance").glob("*.sqlite3*")],
                         ["database: missing or incomplete (run `medialib reindex`)"]),
    "index deleted": (lambda r: shutil.rmtree(r / "instance" / "index"),
                      ["search index"]),
}


@pytest.mark.parametrize("name", list(BREAKAGES))
def test_each_problem_is_named(library: Path, name: str) -> None:
    breakage, expected = BREAKAGES[name]
    breakage(library)
    found = problems(library)
    for needle in expected:
        assert any(needle in p for p in found), f"{needle!r} not in {found}"
    result = cli(library, "check")
    assert result.exit_code == 1
    assert f"{len(found)} problem(s) found" in result.stderr


@pytest.mark.parametrize("name", ["title edited by hand", "database deleted", "index deleted",
                                  "transcript edited"])
def test_reindex_repairs_derived_state(library: Path, name: str) -> None:
    BREAKAGES[name][0](library)
    assert cli(library, "reindex").exit_code == 0
    assert problems(library) == []


def test_index_out_of_step(library: Path) -> None:
    lib = Library(Settings(library=library))
    try:
        lib.index.remove(SLUG)
    finally:
        lib.close()
    assert problems(library) == [f"search index: '{SLUG}' is in the catalog but not in the index"]


def test_an_abandoned_staging_area_is_rolled_back_by_check(library: Path) -> None:
    lib = Library(Settings(library=library))
    stage = Staging.create(lib, "ingest", "half-done")
    stage.new_media.mkdir(parents=True)
    (stage.new_media / "video.mp4").write_bytes(b"half a video")
    lib.close()
    result = cli(library, "check")
    assert result.exit_code == 0, result.stderr
    assert "rolled back an interrupted ingest of 'half-done'" in result.stderr
    assert not (library / ".staging").exists()


def test_a_captions_file_only_our_reader_accepts_is_reported(library: Path) -> None:
    vtt = next((library / "media" / SLUG).glob("captions.*.vtt"))
    text = vtt.read_text(encoding="utf-8")
    assert text.startswith("WEBVTT")
    vtt.write_text(text.split("\n", 1)[1].lstrip("\n"), encoding="utf-8")  # no WEBVTT header
    found = problems(library)
    assert any("a standard WebVTT reader cannot read it" in p and str(vtt.name) in p
               for p in found), found


def test_interoperable_webvtt_counts_cues(tmp_path: Path) -> None:
    path = tmp_path / "c.vtt"
    path.write_text("WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n\n00:01.000 --> 00:02.000\n"
                    "there\n", encoding="utf-8")
    assert interoperable_webvtt(path, 2) is None
    assert interoperable_webvtt(path, 3) == (
        "a standard WebVTT reader finds 2 cues in it, medialib 3")
