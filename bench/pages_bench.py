"""Browsing pages at 7, 1,000 and 3,000 webcasts: p50 of each page, cold and from the page cache,
and the first response after start.

Builds synthetic libraries (tests/many_library.py: one short cue each, three topics, two
speakers, a series) plus the sample library, then fetches every browsing page through the Flask
test client: the first response after the app is made (as `medialib serve` makes it), then
ROUNDS requests of each page with the page cache off (rendered every time) and on (warm).
Usage: .venv/bin/python bench/pages_bench.py [--sizes 1000 3000]
Writes the figures to bench/RESULTS.md (section "Pages at scale").
"""

from __future__ import annotations

import argparse
import os
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
from medialib.library import Library  # noqa: E402
from medialib.operations import prepare_to_serve  # noqa: E402
from tests.libraries import copy_sample_library  # noqa: E402
from tests.many_library import write_many_library  # noqa: E402

ROUNDS = 15
MANY_PAGES = ["/", "/?page=2", "/topics/fatigue", "/speakers/ana", "/series/basics",
              "/feed.xml", "/topics/fatigue/feed.xml", "/series/basics/feed.xml",
              "/sitemap.xml", "/sitemap-1.xml"]
SAMPLE_PAGES = ["/", "/?page=1", "/topics/clinical-trials", "/speakers/nancy-lin",
                "/series/breast-cancer-brain", "/feed.xml", "/topics/clinical-trials/feed.xml",
                "/series/breast-cancer-brain/feed.xml", "/sitemap.xml", "/sitemap-1.xml"]


def median_ms(client, url: str) -> tuple[float, float]:
    """Median wall-clock and CPU milliseconds of a request (CPU time: this process's own, which
    other work on a shared machine inflates far less than the wall clock)."""
    times, cpu = [], []
    for _ in range(ROUNDS):
        began, began_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        times.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times) * 1000, statistics.median(cpu) * 1000


def measure(root: Path, pages: list[str]) -> tuple[float, list[tuple[float, float, float]]]:
    settings = Settings(library=root)
    began = time.perf_counter()
    library = Library(settings)
    prepare_to_serve(library, lambda _m: None)
    library.close()
    app = create_app(settings)
    assert app.test_client().get("/").status_code == 200
    first = (time.perf_counter() - began) * 1000
    app.extensions["medialib"].close()
    cold_app = create_app(settings.with_(page_cache_entries=0))
    warm_app = create_app(settings)
    cold, warm = cold_app.test_client(), warm_app.test_client()
    figures = [(*median_ms(cold, url), median_ms(warm, url)[0]) for url in pages]
    for made in (cold_app, warm_app):
        made.extensions["medialib"].close()
    return first, figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 3000])
    parser.add_argument("--no-write", action="store_true", help="Print, do not write RESULTS.md.")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    columns: list[tuple[str, float, list[tuple[float, float, float]]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        sample = copy_sample_library(Path(tmp) / "sample")
        Library(Settings(library=sample)).reindex()
        first, figures = measure(sample, SAMPLE_PAGES)
        columns.append(("7 (sample)", first, figures))
        for size in args.sizes:
            root = write_many_library(Path(tmp) / f"many-{size}", size)
            first, figures = measure(root, MANY_PAGES)
            columns.append((f"{size:,}", first, figures))
            print(f"{size}: done", file=sys.stderr)
    head = "| page | " + " | ".join(
        f"{name}: rendered (CPU) / cached" for name, _, _ in columns) + " |"
    rows = [head, "| --- |" + " --- |" * len(columns)]
    for i, url in enumerate(MANY_PAGES):
        label = url.replace("fatigue", "T").replace("ana", "S").replace("basics", "R")
        cells = [f"{fig[i][0]:.1f} ({fig[i][1]:.1f}) / {fig[i][2]:.2f} ms" for _, _, fig in columns]
        rows.append(f"| `{label}` | " + " | ".join(cells) + " |")
    rows.append("| first response after start | " + " | ".join(
        f"{first:.0f} ms" for _, first, _ in columns) + " |")
    body = "\n".join([
        "Median of "
        f"{ROUNDS} sequential requests through the Flask test client, per page: rendered (page "
        "cache off; in brackets the CPU time of the request, which other work on the machine "
        "inflates far less than the wall clock) and from the page cache. T, S and R are a "
        "topic, a speaker and a series (in the sample library: clinical-trials, nancy-lin, "
        "breast-cancer-brain; there `?page=2` is `?page=1`, the only page). Synthetic "
        "webcasts carry one short cue each: page cost depends on the cards shown, not on "
        "transcript length. First response after start: "
        "what `medialib serve` does before listening (prepare_to_serve, create_app) plus the "
        "first `/`. Load average at the end: "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (at the start: {load:.1f}).", "",
        *rows,
    ])
    print(body)
    if not args.no_write:
        write_section("Pages at scale", body, "make venv && .venv/bin/python bench/pages_bench.py")


if __name__ == "__main__":
    main()
