"""Soak: thousands of requests on every page type of a library of one-hour webcasts.

On CPython 3.11 `medialib serve` used to die with SIGSEGV (exit -11) under ordinary traffic (see
medialib/db.py, _state_dict_up_front). Two tests, over a synthetic library of 20 one-hour
webcasts (about 900 cues each):
- the same pages asked for in one process through Flask's test client, in a child process
  (so that a segmentation fault fails the test instead of killing pytest): before the fix
  this died every time, within the first requests (exit -11);
- the real server (waitress, on 127.0.0.1 at an ephemeral port) and four clients, each on its
  own kept-alive connection, cycling home, player, transcript, search, talk search, /api/search,
  feeds, topic and sitemap pages: every answer a 200 and the server alive at the end.
Both run the garbage collector more often than Python's default (GC_STRESS, in
bench/soak_bench.py): with the default the crash came after a varying number of requests.
The long version, on 1,000 hours with ingests and a reindex meanwhile and memory sampled, is
bench/soak_bench.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

from soak_bench import (  # noqa: E402
    GC_STRESS,
    Traffic,
    before_each_write,
    build_library,
    memory_mb,
    memory_rows,
    page_paths,
    server_memory_mb,
    start_server,
)

HOURS = 20  # one-hour webcasts: the crash needed real-sized talks (the 7 samples never did)
IN_PROCESS_REQUESTS = 1_000
CLIENTS = 4
REQUESTS_PER_CLIENT = 250


MEDIALIB = [sys.executable, "-m", "medialib.cli"]


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("soak") / "library"
    build_library(root, HOURS, MEDIALIB)
    return root


@pytest.fixture
def served(library: Path, tmp_path: Path):
    catalog = json.loads((library / "catalog.yaml").read_text(encoding="utf-8"))
    server, port = start_server(library, MEDIALIB, tmp_path / "serve.log", GC_STRESS)
    try:
        yield server, port, catalog, tmp_path / "serve.log"
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=60)


def test_every_page_type_is_asked_for():
    paths = page_paths({"webcasts": {"a": {}, "b": {}}, "topics": {"t": {}}}, 0)
    kinds = {"/", "/webcasts/a", "/webcasts/b/transcript", "/search?q=radiation+fatigue",
             "/webcasts/a?q=radiation", "/api/search?q=tamoxifen+insomnia", "/feed.xml",
             "/topics/t", "/topics/t/feed.xml", "/sitemap.xml"}
    assert set(paths) == kinds


def test_a_thousand_pages_in_one_process_all_answer_200(library: Path):
    script = (
        "import json, sys; from pathlib import Path; import soak_bench; "
        "print(json.dumps(soak_bench.in_process_traffic("
        f"Path(sys.argv[1]), int(sys.argv[2]), {GC_STRESS!r})))"
    )
    child = subprocess.run(
        [sys.executable, "-X", "faulthandler", "-c", script, str(library),
         str(IN_PROCESS_REQUESTS)],
        cwd=BENCH, capture_output=True, text=True, timeout=900,
    )
    assert child.returncode == 0, f"exit {child.returncode}:\n{child.stderr[-3000:]}"
    assert json.loads(child.stdout.splitlines()[-1]) == {"200": IN_PROCESS_REQUESTS}


def test_a_thousand_kept_alive_requests_all_answer_200_and_the_server_lives(served):
    server, port, catalog, log = served
    traffic = Traffic(port, catalog, CLIENTS)
    traffic.run(limit=REQUESTS_PER_CLIENT)
    alive = server.poll() is None
    tail = log.read_text(errors="replace")[-3000:]
    assert alive, f"medialib serve died (exit {server.returncode}) after " \
                  f"{traffic.requests} requests {dict(traffic.statuses)}:\n{tail}"
    assert traffic.requests == CLIENTS * REQUESTS_PER_CLIENT
    assert dict(traffic.statuses) == {"200": CLIENTS * REQUESTS_PER_CLIENT}, traffic.failures


def test_memory_is_reported_whole_anonymous_and_file_backed():
    mine = memory_mb(os.getpid())
    assert mine is not None and set(mine) == {"VmRSS", "RssAnon", "RssFile"}
    assert mine["RssAnon"] > 0 and mine["RssFile"] > 0
    # twenty minutes sampled every five seconds: anonymous memory flat, file-backed growing
    samples = [(t * 5.0, {"VmRSS": 100.0 + t / 10, "RssAnon": 80.0, "RssFile": 20.0 + t / 10})
               for t in range(240)]
    rss, anonymous, file_backed, count = memory_rows(samples, 1200.0)
    # warm-up is the first two minutes; then the first five minutes against the last five
    assert "105 MB → 121 MB (+16 MB)" in rss  # the whole grows...
    assert "80 MB → 80 MB (+0 MB), max 80 MB" in anonymous  # ...but not the heap
    assert "first → last 5 min" in file_backed and "25 MB → 41 MB (+16 MB)" in file_backed
    assert count.startswith("| memory samples | 240, every 5 s")


def test_server_memory_counts_its_worker_processes_too():
    worker = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"],
                              stdin=subprocess.PIPE)
    try:
        total, processes = server_memory_mb(os.getpid())
        alone = memory_mb(os.getpid())
    finally:
        worker.communicate(b"")
    assert total is not None and alone is not None
    assert processes >= 2  # this process and its child (serve: the parent and its workers)
    assert total["VmRSS"] > alone["VmRSS"] + 1


def test_memory_before_each_write_and_at_the_end():
    samples = [(0.0, {"RssAnon": 100.0}), (60.0, {"RssAnon": 110.0}), (120.0, {"RssAnon": 111.0})]
    row = before_each_write(samples, [(61.0, "ingest 1"), (100.0, "reindex")])
    assert row == ("| anonymous memory (RssAnon) before each write, and at the end | "
                   "before ingest 1 (1.0 min): 110 MB; before reindex (1.7 min): 110 MB; "
                   "end (2.0 min): 111 MB |")
