"""Every wrong input: exit 1, a message naming the file (and line), and the library untouched.

The library used here already holds one published webcast (files, catalog entry, database rows,
index documents), and every file under it is compared by checksum before and after.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.ingest_support import cli, diff_trees, published_template, tree_digest


@pytest.fixture(scope="session")
def published_library(tmp_path_factory: pytest.TempPathFactory, tiny_video: Path) -> Path:
    """A library with one published webcast, made once per session (copy it before changing)."""
    return published_template(tmp_path_factory, tiny_video)


@pytest.fixture
def library(published_library: Path, tmp_path: Path) -> Path:
    root = tmp_path / "library"
    shutil.copytree(published_library, root)
    return root


def inputs(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / "inputs" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


CASES = {
    # name: (input file name, its content, option, expected message, expected line)
    "no header": ("talk.vtt", "Hello there\nthis is not a caption file\n", "--captions",
                  "not a WebVTT or SRT caption file", 1),
    "broken timing": ("talk.vtt", "WEBVTT\n\n00:00.100 --> 00:00.900\nfine\n\n"
                      "00:01.000 -> 00:01.800\nbroken\n", "--captions", "broken timing line", 6),
    "no cues": ("talk.vtt", "WEBVTT\n\nNOTE nothing here\n", "--captions", "no cues", 1),
    "end before start": ("talk.srt", "1\n00:00:02,000 --> 00:00:01,000\nbackwards\n",
                         "--captions", "before it starts", 2),
    "chapter line": ("chapters.txt", "0:00 Welcome\nQuestions at the end\n", "--chapters",
                     "not a chapter line", 2),
    "chapters out of order": ("chapters.txt", "0:01 Later\n0:00 Earlier\n", "--chapters",
                              "not after the chapter before it", 2),
    "chapter past the end": ("chapters.txt", "0:00 Welcome\n5:00 Long after\n", "--chapters",
                             "at or after the end of the media", None),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_caption_or_chapter_file(library: Path, tiny_video: Path, tmp_path: Path,
                                     case: str) -> None:
    name, content, option, message, line = CASES[case]
    path = inputs(tmp_path, name, content)
    before = tree_digest(library)
    result = cli(library, "ingest", tiny_video, "--title", "New talk", option, path)
    assert result.exit_code == 1
    where = f"{path}:{line}: " if line else f"{path}: "
    assert result.stderr.startswith(f"error: {where}"), result.stderr
    assert message in result.stderr
    assert diff_trees(before, tree_digest(library)) == []


def test_unreadable_media(library: Path, not_media: Path, no_av_streams: Path) -> None:
    before = tree_digest(library)
    for path, message in ((not_media, "ffprobe cannot read this file"),
                          (no_av_streams, "no audio or video stream")):
        result = cli(library, "ingest", path, "--title", "New talk")
        assert result.exit_code == 1
        assert result.stderr.startswith(f"error: {path}: "), result.stderr
        assert message in result.stderr
    assert diff_trees(before, tree_digest(library)) == []


def test_missing_files_are_named(library: Path, tiny_video: Path, tmp_path: Path) -> None:
    before = tree_digest(library)
    missing = tmp_path / "nowhere.mp4"
    result = cli(library, "ingest", missing, "--title", "New talk")
    assert (result.exit_code, result.stderr) == (1, f"error: {missing}: no such file "
                                                 "(the recording)\n")
    result = cli(library, "ingest", tiny_video, "--title", "New", "--captions",
                 tmp_path / "gone.srt")
    assert result.exit_code == 1 and f"error: {tmp_path / 'gone.srt'}: no such file" in \
        result.stderr
    assert diff_trees(before, tree_digest(library)) == []


def test_existing_slug_is_not_replaced_by_accident(library: Path, tiny_video: Path) -> None:
    before = tree_digest(library)
    result = cli(library, "ingest", tiny_video, "--title", "Existing talk")
    assert result.exit_code == 1
    assert f"error: {library / 'catalog.yaml'}:" in result.stderr
    assert "--slug existing-talk" in result.stderr
    assert diff_trees(before, tree_digest(library)) == []


@pytest.mark.parametrize("args, message", [
    (["--part", "2"], "--part needs --series"),
    (["--captions", "talk.srt:EN!"], "not a language code"),
    (["--recorded", "March 2024"], "not a date"),
    (["--poster-at", "-3"], "--poster-at"),
])
def test_usage_errors_exit_2(library: Path, tiny_video: Path, args: list[str],
                             message: str) -> None:
    before = tree_digest(library)
    result = cli(library, "ingest", tiny_video, "--title", "T", *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert diff_trees(before, tree_digest(library)) == []


def test_missing_title_is_usage(library: Path, tiny_video: Path) -> None:
    result = cli(library, "ingest", tiny_video)
    assert result.exit_code == 2 and "--title" in result.stderr


def test_a_broken_catalog_is_named_with_its_line(library: Path, tiny_video: Path) -> None:
    catalog = library / "catalog.yaml"
    catalog.write_text(catalog.read_text() + "  broken: [unclosed\n", encoding="utf-8")
    before = tree_digest(library)
    result = cli(library, "ingest", tiny_video, "--title", "New talk")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {catalog}:"), result.stderr
    assert diff_trees(before, tree_digest(library)) == []
