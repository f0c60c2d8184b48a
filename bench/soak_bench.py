"""Soak: `medialib serve` under mixed kept-alive traffic for a long time, with writes meanwhile.

    .venv/bin/python bench/soak_bench.py --hours 1000 --minutes 30 --write

Builds the synthetic library of bench/search_bench.py (catalog + WebVTT, `medialib reindex`),
starts `medialib serve` on 127.0.0.1 (an ephemeral port), and runs CLIENTS threads, each on its
own kept-alive connection, cycling every page type (home, player of a one-hour talk, transcript,
search, talk search, /api/search, feeds, sitemap, topic). Meanwhile it ingests webcasts into the
library (`medialib ingest` of a synthetic talk's captions over a small audio file) and runs a
`medialib reindex`. The server's resident memory (its own and its forked workers', summed) is
sampled every few seconds, and shown before each write. It passes when
every answer was a 200, the server is still alive at the end, and memory is flat after warm-up.
Memory is reported as a whole (VmRSS) and split into anonymous memory (RssAnon: Python's heap,
where a leak would show) and file-backed memory (RssFile: the index's memory-mapped files, which
grow as pages are read and again when a reindex swaps in a new index), first against last five
minutes after warm-up.
tests/test_soak.py runs the same traffic (smaller, bounded by a request count) in the suite.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from results import write_section  # noqa: E402
from search_bench import write_library  # noqa: E402

CLIENTS = 4
SAMPLE_SECONDS = 5.0
# Collections of the youngest generation every 100 allocations instead of 700: more chances for
# one to start at the wrong moment. The crash of issue 12 (CPython 3.11, see medialib/db.py)
# came within ~50 to ~1,500 requests with Python's defaults, and within the first few hundred,
# every time, with these.
GC_STRESS = (100, 10, 10)


def page_paths(catalog: dict[str, Any], n: int) -> list[str]:
    """The n-th round of pages a client asks for: every page type, slugs and topics rotating."""
    slugs = list(catalog["webcasts"])
    topics = list(catalog["topics"])
    slug = slugs[(n * 7) % len(slugs)]
    topic = topics[n % len(topics)]
    return [
        "/",
        f"/webcasts/{slug}",
        f"/webcasts/{slugs[(n * 3 + 1) % len(slugs)]}/transcript",
        "/search?q=radiation+fatigue",
        f"/webcasts/{slug}?q=radiation",
        "/api/search?q=tamoxifen+insomnia",
        "/feed.xml",
        f"/topics/{topic}",
        f"/topics/{topic}/feed.xml",
        "/sitemap.xml",
    ]


def build_library(root: Path, hours: int, medialib: list[str]) -> float:
    """A fresh synthetic library of `hours` one-hour webcasts, reindexed; returns the seconds."""
    shutil.rmtree(root, ignore_errors=True)
    write_library(root, hours)
    start = time.perf_counter()
    subprocess.run([*medialib, "--library", str(root), "reindex"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(root: Path, medialib: list[str], log: Path,
                 gc_threshold: tuple[int, int, int] | None = None,
                 ) -> tuple[subprocess.Popen[bytes], int]:
    """`medialib serve` on 127.0.0.1 at an ephemeral port, once it answers; with `gc_threshold`,
    the server's garbage collector runs with those thresholds (gc.set_threshold)."""
    port = free_port()
    if gc_threshold is not None:
        medialib = [sys.executable, "-c", "import gc, sys; from medialib.cli import entry; "
                    f"gc.set_threshold(*{tuple(gc_threshold)!r}); entry()"]
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [*medialib, "--library", str(root), "serve", "--port", str(port)],
            stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONFAULTHANDLER": "1"},
        )
    for _ in range(600):
        if server.poll() is not None:
            raise RuntimeError(f"medialib serve exited with {server.returncode}: {log}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server, port
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("medialib serve did not start listening")


class Traffic:
    """CLIENTS kept-alive clients cycling the pages until `stop` is set or `limit` requests."""

    def __init__(self, port: int, catalog: dict[str, Any], clients: int = CLIENTS):
        self.port = port
        self.catalog = catalog
        self.clients = clients
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.statuses: Counter[str] = Counter()  # "200", "503", "error: ..." -> count
        self.failures: list[str] = []  # the first few non-200 answers, for the report

    def run(self, limit: int | None = None) -> None:
        """Run the clients; return when each has made `limit` requests (or `stop` is set)."""
        threads = [threading.Thread(target=self._client, args=(i, limit), daemon=True)
                   for i in range(self.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())

    def _client(self, number: int, limit: int | None) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        made, rounds = 0, number * 11
        try:
            while not self.stop.is_set() and (limit is None or made < limit):
                for path in page_paths(self.catalog, rounds):
                    if self.stop.is_set() or (limit is not None and made >= limit):
                        break
                    self._note(path, self._get(connection, path))
                    made += 1
                rounds += 1
        finally:
            connection.close()

    def _get(self, connection: http.client.HTTPConnection, path: str) -> str:
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            return str(response.status)
        except (OSError, http.client.HTTPException) as exc:
            connection.close()  # a fresh connection next time (the server may be gone)
            return f"error: {type(exc).__name__}"

    def _note(self, path: str, status: str) -> None:
        with self.lock:
            self.statuses[status] += 1
            if status != "200" and len(self.failures) < 20:
                self.failures.append(f"{status} {path}")


def in_process_traffic(root: Path, requests: int,
                       gc_threshold: tuple[int, int, int] | None = None) -> Counter[str]:
    """`requests` GETs of the same pages through Flask's test client, in this process and
    thread: no server, no threads, the same order every time (the quickest way to the crash
    tests/test_soak.py guards against). With `gc_threshold`, gc.set_threshold(*gc_threshold)."""
    import gc

    from medialib.app import create_app
    from medialib.config import Settings

    if gc_threshold is not None:
        gc.set_threshold(*gc_threshold)
    catalog = json.loads((root / "catalog.yaml").read_text(encoding="utf-8"))
    client = create_app(Settings(library=root)).test_client()
    statuses: Counter[str] = Counter()
    n = 0
    while True:
        for path in page_paths(catalog, n):
            if sum(statuses.values()) >= requests:
                return statuses
            statuses[str(client.get(path).status_code)] += 1
        n += 1


MEMORY_FIELDS = ("VmRSS", "RssAnon", "RssFile")  # all, anonymous (heap), file-backed (mmaps)
TREND_SECONDS = 300.0  # the post-warm-up trend: the first five minutes against the last five


def memory_mb(pid: int) -> dict[str, float] | None:
    """The server's resident memory from /proc/<pid>/status, in MB: VmRSS, and its anonymous
    (Python's heap) and file-backed parts (the index's memory-mapped files, shared libraries)."""
    found: dict[str, float] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in MEMORY_FIELDS:
                found[name] = int(value.split()[0]) / 1024
    except (OSError, ValueError):
        return None
    return found if len(found) == len(MEMORY_FIELDS) else None


def server_memory_mb(pid: int) -> tuple[dict[str, float] | None, int]:
    """memory_mb() summed over `medialib serve` and its worker processes (it forks one per CPU
    by default; the pages are served, and the heap grows, in the workers), and how many
    processes that was."""
    pids = [pid]
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            pids += [int(p) for p in (task / "children").read_text().split()]
    except OSError:
        pass
    found = [mb for mb in map(memory_mb, pids) if mb is not None]
    if not found:
        return None, 0
    return {field: sum(mb[field] for mb in found) for field in MEMORY_FIELDS}, len(found)


def writes(root: Path, medialib: list[str], out: Path, stop: threading.Event,
           minutes: float, ingests: int = 2,
           marks: list[tuple[float, str]] | None = None) -> list[str]:
    """`ingests` ingests spread over the run and one reindex at 45 % of it; returns what was
    done, with seconds; appends (time.monotonic(), what) to `marks` as each one starts."""
    from search_synth import synthetic_library

    from medialib.captions import cues_to_webvtt

    audio = out / "tone.m4a"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    "sine=frequency=440:duration=300", "-c:a", "aac", str(audio)], check=True)
    done: list[str] = []
    spread = [0.2 + 0.5 * i / max(1, ingests - 1) for i in range(ingests)]
    plan = sorted([(at, "ingest", n) for n, at in enumerate(spread, 1)] + [(0.45, "reindex", 0)])
    start = time.monotonic()
    for at, what, n in plan:
        if stop.wait(max(0.0, start + at * minutes * 60 - time.monotonic())):
            break
        began = time.perf_counter()
        if marks is not None:
            marks.append((time.monotonic(), f"{what} {n}" if what == "ingest" else what))
        if what == "ingest":
            talk = next(synthetic_library(1, 7000 + n))
            captions = out / f"soak-{n}.vtt"
            captions.write_text(cues_to_webvtt(talk.cues[:60]), encoding="utf-8")
            command = [*medialib, "--library", str(root), "ingest", str(audio), "--title",
                       f"Soak ingest {n}", "--slug", f"soak-ingest-{n}", "--captions",
                       str(captions)]
        else:
            command = [*medialib, "--library", str(root), "reindex"]
        result = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                text=True)
        seconds = time.perf_counter() - began
        status = "ok" if result.returncode == 0 else f"failed ({result.stderr[-300:]})"
        done.append(f"{what} {status} in {seconds:.1f} s (from {at * minutes:.1f} min)")
    return done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hours", type=int, default=1000, help="one-hour webcasts to generate")
    parser.add_argument("--minutes", type=float, default=30.0, help="how long the traffic runs")
    parser.add_argument("--clients", type=int, default=CLIENTS, help="kept-alive clients")
    parser.add_argument("--out", default=str(HERE / "out" / "soak"), help="working folder")
    parser.add_argument("--ingests", type=int, default=2, help="ingests during the run")
    parser.add_argument("--reuse", action="store_true", help="keep the library of a former run")
    parser.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    root = out / "library"
    medialib = [sys.executable, "-m", "medialib.cli"]
    reindex_s = None
    if not (args.reuse and (root / "instance").exists()):
        reindex_s = build_library(root, args.hours, medialib)
    catalog = json.loads((root / "catalog.yaml").read_text(encoding="utf-8"))
    server, port = start_server(root, medialib, out / "serve.log")
    traffic = Traffic(port, catalog, args.clients)
    samples: list[tuple[float, dict[str, float]]] = []
    most_processes = 0
    marks: list[tuple[float, str]] = []
    done: list[str] = []
    began = time.monotonic()
    writer = threading.Thread(
        target=lambda: done.extend(writes(root, medialib, out, traffic.stop, args.minutes,
                                          args.ingests, marks)),
        daemon=True)
    runner = threading.Thread(target=traffic.run, daemon=True)
    runner.start()
    writer.start()
    try:
        while time.monotonic() - began < args.minutes * 60 and server.poll() is None:
            mb, processes = server_memory_mb(server.pid)
            if mb is not None:
                samples.append((time.monotonic() - began, mb))
                most_processes = max(most_processes, processes)
            time.sleep(SAMPLE_SECONDS)
    finally:
        traffic.stop.set()
        runner.join()
        writer.join()
        alive = server.poll() is None
        server.terminate()
        code = server.wait(timeout=60) if alive else server.returncode
    elapsed = time.monotonic() - began
    report = summary(args, traffic, samples, done, alive, code, elapsed, reindex_s,
                     most_processes, [(t - began, what) for t, what in marks])
    print(report)
    if args.write:
        command = (f".venv/bin/python bench/soak_bench.py --hours {args.hours} "
                   f"--minutes {args.minutes:g} --clients {args.clients} --ingests {args.ingests} "
                   "--write")
        write_section("Soak", report, command)
    ok = alive and set(traffic.statuses) == {"200"} and all(" ok " in d for d in done)
    sys.exit(0 if ok else 1)


def memory_rows(samples: list[tuple[float, dict[str, float]]], elapsed: float) -> list[str]:
    """Table rows: each memory figure's mean over the first and the last TREND_SECONDS after
    warm-up (the first two minutes, or the first quarter of a shorter run), and its maximum."""
    warm_from = min(120.0, elapsed / 4)
    warm = [(t, mb) for t, mb in samples if t >= warm_from]
    if not warm:
        return []
    span = min(TREND_SECONDS, (warm[-1][0] - warm_from) / 3)
    first = [mb for t, mb in warm if t < warm_from + span] or [warm[0][1]]
    last = [mb for t, mb in warm if t > warm[-1][0] - span] or [warm[-1][1]]
    rows = []
    for field, label in (("VmRSS", "RSS"), ("RssAnon", "anonymous (RssAnon)"),
                         ("RssFile", "file-backed (RssFile: index mmaps, libraries)")):
        mean_first = sum(mb[field] for mb in first) / len(first)
        mean_last = sum(mb[field] for mb in last) / len(last)
        rows.append(
            f"| server {label}, first → last {span / 60:.0f} min after warm-up (mean), max | "
            f"{mean_first:.0f} MB → {mean_last:.0f} MB ({mean_last - mean_first:+.0f} MB), "
            f"max {max(mb[field] for _, mb in warm):.0f} MB |")
    rows.append(f"| memory samples | {len(samples)}, every {SAMPLE_SECONDS:g} s, from "
                "/proc/<pid>/status; warm-up = the first "
                f"{warm_from / 60:.1f} min |")
    return rows


def before_each_write(samples: list[tuple[float, dict[str, float]]],
                      marks: list[tuple[float, str]]) -> str:
    """A table row: anonymous memory in the last sample before each write began, and at the
    end (times in seconds from the start of the traffic)."""
    shown = []
    for at, what in marks:
        before = [mb for t, mb in samples if t <= at]
        if before:
            shown.append(f"before {what} ({at / 60:.1f} min): {before[-1]['RssAnon']:.0f} MB")
    if samples:
        shown.append(f"end ({samples[-1][0] / 60:.1f} min): {samples[-1][1]['RssAnon']:.0f} MB")
    return f"| anonymous memory (RssAnon) before each write, and at the end | {'; '.join(shown)} |"


def summary(args: argparse.Namespace, traffic: Traffic,
            samples: list[tuple[float, dict[str, float]]],
            done: list[str], alive: bool, code: int | None, elapsed: float,
            reindex_s: float | None, processes: int = 1,
            marks: list[tuple[float, str]] | None = None) -> str:
    lines = [
        f"{args.hours} synthetic one-hour webcasts (`bench/search_synth.py`), `medialib serve` "
        f"({processes} processes: the parent and its forked workers, waitress with 8 threads "
        f"each; memory below is their sum) on loopback, {args.clients} kept-alive clients "
        "cycling home, player, transcript, search, talk search, /api/search, feeds, topic and "
        "sitemap; "
        f"{args.ingests} `medialib ingest` runs and a `medialib reindex` during the run; "
        "2 shared cores.",
        "",
        "| figure | value |",
        "| --- | --- |",
        f"| traffic | {elapsed / 60:.1f} min, {traffic.requests:,} requests, "
        f"{traffic.requests / max(elapsed, 1):.1f} requests/s |",
        f"| answers | {', '.join(f'{k}: {v:,}' for k, v in sorted(traffic.statuses.items()))} |",
        f"| server alive at the end | {'yes' if alive else f'no (exit {code})'} |",
        f"| writes meanwhile | {'; '.join(done) or 'none'} |",
    ]
    if reindex_s is not None:
        lines.append(f"| initial `medialib reindex` | {reindex_s:.1f} s |")
    lines += memory_rows(samples, elapsed)
    if marks:
        lines.append(before_each_write(samples, marks))
    if traffic.failures:
        lines += ["", "First non-200 answers: " + "; ".join(traffic.failures)]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
