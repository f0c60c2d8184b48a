"""A synthetic long recording, for the page-budget test and bench/page_budget_bench.py.

One webcast, `slug`, of `hours` hours: a cue every 3 s ("Sentence number N of the long talk"), a
chapter every 10 minutes, indexed. No media file: the pages only need the captions and rows.
"""

from __future__ import annotations

from pathlib import Path

from medialib.captions import format_timestamp
from tests.libraries import reindexed

CUE_SECONDS = 3
CHAPTER_MINUTES = 10


def write_long_library(root: Path, hours: int, slug: str = "ten-hours") -> Path:
    """The library at `root`, built and indexed."""
    folder = root / "media" / slug
    folder.mkdir(parents=True)
    seconds = hours * 3600
    lines = ["WEBVTT", ""]
    for i in range(seconds // CUE_SECONDS):
        start = i * CUE_SECONDS
        lines += [f"{format_timestamp(start)} --> {format_timestamp(start + 2.9)}",
                  f"Sentence number {i} of the long talk, about living with cancer.", ""]
    (folder / "captions.en.vtt").write_text("\n".join(lines), encoding="utf-8")
    chapters = "\n".join(f"      - {{start: {m * 60}, title: Chapter at minute {m}}}"
                         for m in range(0, hours * 60, CHAPTER_MINUTES))
    (root / "catalog.yaml").write_text(f"""\
library: {{title: Long library}}
webcasts:
  {slug}:
    title: A long talk
    media: {{file: video.mp4, type: video/mp4, duration: {seconds}}}
    captions: [{{lang: en, file: captions.en.vtt}}]
    chapters:
{chapters}
""", encoding="utf-8")
    return reindexed(root)
