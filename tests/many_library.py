"""A synthetic library of many short webcasts, for the paging tests and bench/pages_bench.py.

`count` webcasts, each one cue long with a placeholder media file (the pages and feeds only
stat it), spread over three topics, two speakers
and a series; every seventh undated; written, reindexed and ready to serve.
"""

from __future__ import annotations

from pathlib import Path

from medialib.config import Settings
from medialib.library import Library

TOPICS = ("fatigue", "nutrition", "sleep")


def recorded(i: int) -> str | None:
    """Dates over the years, in no catalog order; every seventh webcast undated."""
    if i % 7 == 3:
        return None
    return f"{2000 + (i * 37) % 25}-{1 + (i * 5) % 12:02d}-{1 + i % 28:02d}"


def write_many_library(root: Path, count: int, database_url: str | None = None) -> Path:
    """The library at `root`, built and indexed."""
    lines = ["library: {title: Many talks}", "speakers:",
             "  ana: {name: Ana Ortiz, credentials: RN}", "  ben: {name: Ben Ames}", "topics:"]
    lines += [f"  {t}: {{name: {t.title()}}}" for t in TOPICS]
    lines += ["series:", "  basics: {title: The basics}", "webcasts:"]
    for i in range(count):
        slug = f"talk-{i:05d}"
        folder = root / "media" / slug
        folder.mkdir(parents=True)
        (folder / "video.mp4").write_bytes(b"placeholder")
        (folder / "captions.en.vtt").write_text(
            f"WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nWords of talk number {i}.\n",
            encoding="utf-8")
        date = recorded(i)
        lines += [
            f"  {slug}:",
            f"    title: Talk number {i}",
            f"    speakers: [{'ana' if i % 2 else 'ben'}]",
            f"    topics: [{TOPICS[i % 3]}]",
            *([f"    recorded: '{date}'"] if date else []),
            *(["    series: basics", f"    part: {i // 10 + 1}"] if i % 10 == 0 else []),
            "    media: {file: video.mp4, type: video/mp4, duration: 2}",
            "    captions: [{lang: en, file: captions.en.vtt}]",
        ]
    (root / "catalog.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with Library(Settings(library=root, database_url=database_url)) as library:
        library.reindex()
    return root
