"""`medialib serve --workers N`: N waitress processes on one socket, a dead one replaced."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

from medialib.config import Settings
from medialib.library import Library
from tests.ingest_support import free_port, serve_command

WAIT = 60.0  # seconds before the test gives up (liveness, not speed)


def children_of(pid: int) -> set[int]:
    """The live (not zombie) processes whose parent is `pid`, from /proc."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rpartition(")")[2].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(entry.name))
    return found


def wait_for(condition, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def replaced(workers: set[int], first: set[int], victim: int) -> bool:
    """Two workers again, the victim gone and a new process among them."""
    return len(workers) == 2 and victim not in workers and bool(workers - first)


def get(port: int, path: str = "/") -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=WAIT) as page:
        page.read()
        return int(page.status)


def test_two_workers_answer_and_a_killed_one_is_replaced(fresh_library: Path) -> None:
    lib = Library(Settings(library=fresh_library))
    lib.reindex()
    lib.close()
    port = free_port()
    server = subprocess.Popen(
        serve_command(fresh_library, port, "--workers", "2", "--threads", "2"),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        assert "2 worker processes" in line, line
        wait_for(lambda: len(children_of(server.pid)) == 2, "two workers")
        first = children_of(server.pid)
        for path in ("/", "/search?q=whole+brain+radiation", "/webcasts/role-of-radiation-mbc"):
            for _ in range(5):
                assert get(port, path) == 200
        victim = min(first)
        os.kill(victim, signal.SIGKILL)
        # One reading of the workers per check: two readings could straddle the victim's death.
        wait_for(lambda: replaced(children_of(server.pid), first, victim), "a replacement worker")
        for _ in range(10):
            assert get(port) == 200
    finally:
        server.terminate()
        said = server.communicate(timeout=WAIT)[1]
    assert server.returncode == 0, said
    assert f"worker {victim} stopped (signal SIGKILL); starting another" in said
    assert children_of(server.pid) == set()
