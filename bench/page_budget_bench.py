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
from medialib.config import Settings  # noqa: E402
from tests.long_library import write_long_library  # noqa: E402  (the budget test's library)

ROUNDS = 5
PAGES = ["/webcasts/long-talk", "/webcasts/long-talk?t=18000", "/embed/long-talk",
         "/webcasts/long-talk/transcript", "/webcasts/long-talk/transcript.txt"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=int, default=10)
    parser.add_argument("--no-write", action="store_true", help="Print, do not write RESULTS.md.")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "library"
        write_long_library(root, args.hours, slug="long-talk")
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
