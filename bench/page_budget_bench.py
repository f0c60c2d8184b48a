"""Page weight of a ten-hour recording: the player, embed and printable transcript pages.

Builds a library with one synthetic webcast (a cue every 3 s for HOURS hours, a chapter every 10
minutes), then fetches its pages through the Flask test client and reports bytes, gzipped bytes
and the time to build each page (median of ROUNDS). The budget itself is a test
(tests/test_hardening_library.py); this records the figures.
Usage: .venv/bin/python bench/page_budget_bench.py [--hours 10]
Writes the figures to bench/RESULTS.md (section "Long transcripts").
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from results import write_section  # noqa: E402

from medialib.app import create_app  # noqa: E402
from medialib.captions import format_timestamp  # noqa: E402
from medialib.config import Settings  # noqa: E402
from medialib.library import Library  # noqa: E402

ROUNDS = 5
PAGES = ["/webcasts/long-talk", "/webcasts/long-talk?t=18000", "/embed/long-talk",
         "/webcasts/long-talk/transcript", "/webcasts/long-talk/transcript.txt"]


def build(root: Path, hours: int) -> None:
    folder = root / "media" / "long-talk"
    folder.mkdir(parents=True)
    seconds = hours * 3600
    lines = ["WEBVTT", ""]
    for i in range(seconds // 3):
        lines += [f"{format_timestamp(i * 3)} --> {format_timestamp(i * 3 + 2.9)}",
                  f"Sentence number {i} of the long talk, about living with cancer.", ""]
    (folder / "captions.en.vtt").write_text("\n".join(lines), encoding="utf-8")
    chapters = "\n".join(f"      - {{start: {m * 60}, title: Chapter at minute {m}}}"
                         for m in range(0, hours * 60, 10))
    (root / "catalog.yaml").write_text(f"""\
webcasts:
  long-talk:
    title: A long talk
    media: {{file: video.mp4, type: video/mp4, duration: {seconds}}}
    captions: [{{lang: en, file: captions.en.vtt}}]
    chapters:
{chapters}
""", encoding="utf-8")
    lib = Library(Settings(library=root))
    lib.reindex()
    lib.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=int, default=10)
    parser.add_argument("--no-write", action="store_true", help="Print, do not write RESULTS.md.")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "library"
        build(root, args.hours)
        app = create_app(Settings(library=root))
        client = app.test_client()
        for url in PAGES:
            times = []
            for _ in range(ROUNDS):
                began = time.perf_counter()
                data = client.get(url).data
                times.append(time.perf_counter() - began)
            rows.append(f"| `{url}` | {len(data):,} | {len(gzip.compress(data)):,} | "
                        f"{statistics.median(times) * 1000:.0f} ms |")
        app.extensions["medialib"].close()
    body = "\n".join([
        f"One webcast of {args.hours} hours: {args.hours * 1200:,} cues (one every 3 s), a chapter "
        "every 10 minutes. Pages through the Flask test client; time to build each, median of "
        f"{ROUNDS}.", "",
        "| page | bytes | gzipped | built in |", "| --- | --- | --- | --- |", *rows, "",
        "The pages show the transcript one part at a time (about an hour of speech); the text "
        "download stays whole. Most of the build time is loading every cue from the database.",
    ])
    print(body)
    if not args.no_write:
        write_section("Long transcripts", body,
                      f".venv/bin/python bench/page_budget_bench.py --hours {args.hours}")


if __name__ == "__main__":
    main()
