"""resolve_inside: the one rule for every file the web reads."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from medialib.files import resolve_inside


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    media = tmp_path / "library" / "media"
    (media / "talk" / "hls").mkdir(parents=True)
    (media / "talk" / "video.mp4").write_bytes(b"v")
    (media / "talk" / "hls" / "master.m3u8").write_bytes(b"m")
    (media / "other").mkdir()
    (media / "other" / "poster.jpg").write_bytes(b"p")
    (tmp_path / "secret.txt").write_bytes(b"s")
    (media / "talk" / "out.txt").symlink_to(tmp_path / "secret.txt")
    (media / "talk" / "poster.jpg").symlink_to(media / "other" / "poster.jpg")
    (media / "escape").symlink_to(tmp_path)
    (media / "alias").symlink_to(media / "talk")
    return media


def test_plain_files_inside(tree: Path) -> None:
    assert resolve_inside(tree, "talk", "video.mp4") == tree / "talk" / "video.mp4"
    assert resolve_inside(tree, "talk", "hls/master.m3u8") == tree / "talk" / "hls" / "master.m3u8"
    assert resolve_inside(tree, "talk", "hls", "master.m3u8") == (
        tree / "talk" / "hls" / "master.m3u8")


def test_links_resolve_to_where_they_lead(tree: Path) -> None:
    # A link that stays inside is followed to its real file; one that leads out is refused.
    assert resolve_inside(tree, "talk", "poster.jpg") == tree / "other" / "poster.jpg"
    assert resolve_inside(tree, "alias", "video.mp4") == tree / "talk" / "video.mp4"
    assert resolve_inside(tree, "talk", "out.txt") is None
    assert resolve_inside(tree, "escape", "secret.txt") is None


@pytest.mark.parametrize("parts", [
    ("talk", "missing.mp4"), ("talk",), ("talk", "hls"), ("..", "secret.txt"),
    ("talk", "../../secret.txt"), ("talk", ""), ("talk", "."), ("talk", "video.mp4\x00"),
    ("/etc", "passwd"), ("talk", "/etc/passwd"), ("nope", "video.mp4"),
])
def test_what_is_refused(tree: Path, parts: tuple[str, ...]) -> None:
    assert resolve_inside(tree, *parts) is None


def test_the_base_itself_may_be_a_link(tree: Path, tmp_path: Path) -> None:
    linked = tmp_path / "linked-media"
    linked.symlink_to(tree)
    assert resolve_inside(linked, "talk", "video.mp4") == Path(os.path.realpath(tree)) / (
        "talk/video.mp4")
