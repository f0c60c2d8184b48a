"""Slow and idle clients on loopback: `medialib serve` holding 1,000 of them while serving others.

Builds a small library (the sample catalog and captions, and a 64 MB file to download slowly),
starts `medialib serve` on 127.0.0.1, and measures:
1. the latency of ordinary requests (home, a player page, a search, a stylesheet) alone;
2. the same while ATTACKERS connections are held open: most open and silent, some sending a
   request line a byte every two seconds, some downloading the large file and reading 1 KB a
   second;
3. how long the server takes to drop the silent connections (the idle timeout);
4. for contrast, the ordinary requests under the same attack with waitress' own connection limit
   (100), as `medialib serve` ran before.

Everything stays on loopback and is bounded: each request waits at most REQUEST_TIMEOUT seconds.
Usage: .venv/bin/python bench/slowclient_bench.py [--attackers 1000] [--idle-timeout 10]
Writes the figures to bench/RESULTS.md (section "Slow clients").
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from results import write_section  # noqa: E402

ORDINARY = ["/", "/webcasts/role-of-radiation-mbc", "/search?q=radiation", "/static/site.css"]
REQUESTS = 200
REQUEST_TIMEOUT = 5.0
BIG = 64 * 2**20


def build_library(root: Path) -> Path:
    from medialib.config import Settings
    from medialib.library import Library

    root.mkdir(parents=True)
    shutil.copy2(ROOT / "catalog.yaml", root / "catalog.yaml")
    for vtt in (ROOT / "media").glob("*/*.vtt"):
        (root / "media" / vtt.parent.name).mkdir(parents=True, exist_ok=True)
        shutil.copy2(vtt, root / "media" / vtt.parent.name / vtt.name)
    (root / "media" / "big-file").mkdir()
    with open(root / "media" / "big-file" / "video.mp4", "wb") as fh:
        fh.truncate(BIG)
    lib = Library(Settings(library=root))
    lib.reindex()
    lib.close()
    return root


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(library: Path, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "medialib.cli", "--library", str(library), "serve",
         "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, **env},
    )
    for _ in range(400):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("the server did not start")


def one_request(port: int, path: str) -> float | None:
    """Seconds for a whole response, or None if it failed or took over REQUEST_TIMEOUT."""
    began = time.perf_counter()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=REQUEST_TIMEOUT) as sock:
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         "Connection: close\r\n\r\n".encode())
            head = b""
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                head += chunk[:16] if not head else b""
            if not head.startswith(b"HTTP/1.1 200"):
                return None
    except OSError:
        return None
    return time.perf_counter() - began


def ordinary(port: int, count: int = REQUESTS, give_up_after: int = 10) -> dict[str, Any]:
    times: list[float] = []
    failed = 0
    for i in range(count):
        took = one_request(port, ORDINARY[i % len(ORDINARY)])
        if took is None:
            failed += 1
            if failed >= give_up_after and not times:
                break
        else:
            times.append(took)
    ms = sorted(t * 1000 for t in times)
    return {
        "done": len(times), "failed": failed,
        "p50": statistics.median(ms) if ms else float("nan"),
        "p95": ms[int(len(ms) * 0.95) - 1] if len(ms) >= 20 else float("nan"),
    }


class Attack:
    """ATTACKERS held connections: silent, trickling a request line, or reading slowly."""

    def __init__(self, port: int, attackers: int) -> None:
        self.trickling_n = attackers // 4
        self.readers_n = max(1, attackers // 20)
        self.idle_n = attackers - self.trickling_n - self.readers_n
        self.idle: list[socket.socket] = []
        self.trickling: list[socket.socket] = []
        self.readers: list[socket.socket] = []
        self.stop = threading.Event()
        for group, n in ((self.idle, self.idle_n), (self.trickling, self.trickling_n),
                         (self.readers, self.readers_n)):
            for _ in range(n):
                sock = socket.socket()
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
                sock.settimeout(10)
                sock.connect(("127.0.0.1", port))
                group.append(sock)
        for sock in self.readers:
            sock.sendall(b"GET /media/big-file/video.mp4 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            sock.setblocking(False)
        self.thread = threading.Thread(target=self._drip, daemon=True)
        self.thread.start()

    def _drip(self) -> None:
        line = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 10_000
        sent = 0
        while not self.stop.wait(1.0):
            if sent % 2 == 0:  # a byte every two seconds
                for sock in self.trickling:
                    try:
                        sock.send(line[sent // 2 : sent // 2 + 1])
                    except OSError:
                        pass
            sent += 1
            for sock in self.readers:
                try:
                    sock.recv(1024)
                except OSError:
                    pass

    def open_idle(self) -> int:
        """Silent connections the server still holds."""
        return self.still_open(self.idle)

    def open_trickling(self) -> int:
        """Trickling connections the server still holds."""
        return self.still_open(self.trickling)

    @staticmethod
    def still_open(group: list[socket.socket]) -> int:
        still = 0
        for sock in group:
            sock.setblocking(False)
            try:
                still += sock.recv(1) != b""
            except BlockingIOError:
                still += 1
            except OSError:
                pass
        return still

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        for sock in self.idle + self.trickling + self.readers:
            sock.close()


def run(library: Path, attackers: int, env: dict[str, str], drop: bool) -> dict[str, Any]:
    port = free_port()
    proc = start(library, port, env)
    try:
        figures = {f"alone_{k}": v for k, v in ordinary(port).items()}
        began = time.monotonic()
        attack = Attack(port, attackers)
        figures["held"] = attackers
        figures.update({f"attack_{k}": v for k, v in ordinary(port).items()})
        if drop:
            deadline = began + float(env.get("MEDIALIB_IDLE_TIMEOUT", "30")) + 60
            while attack.open_idle() and time.monotonic() < deadline:
                time.sleep(0.5)
            figures["idle_left"] = attack.open_idle()
            figures["dropped_after"] = time.monotonic() - began
            deadline = began + float(env["MEDIALIB_REQUEST_TIMEOUT"]) + 60
            while attack.open_trickling() and time.monotonic() < deadline:
                time.sleep(0.5)
            figures["trickling_left"] = attack.open_trickling()
            figures["trickling_after"] = time.monotonic() - began
        attack.close()
        return figures
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def row(name: str, f: dict[str, Any], held: int) -> str:
    tried = f["attack_done"] + f["attack_failed"]
    return (f"| {name} | {f['alone_p50']} | {f['alone_p95']} | {held} | {f['attack_p50']} "
            f"| {f['attack_p95']} | {f['attack_failed']:.0f} of {tried:.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attackers", type=int, default=1000)
    parser.add_argument("--idle-timeout", type=int, default=10)
    parser.add_argument("--request-timeout", type=int, default=20)
    parser.add_argument("--no-write", action="store_true", help="Print, do not write RESULTS.md.")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, args.attackers * 2 + 256)),
                                                hard))
    with tempfile.TemporaryDirectory() as tmp:
        library = build_library(Path(tmp) / "library")
        ours = run(library, args.attackers,
                   {"MEDIALIB_IDLE_TIMEOUT": str(args.idle_timeout),
                    "MEDIALIB_REQUEST_TIMEOUT": str(args.request_timeout)}, drop=True)
        before = run(library, args.attackers,
                     {"MEDIALIB_MAX_CONNECTIONS": "100", "MEDIALIB_IDLE_TIMEOUT": "120"},
                     drop=False)
    a = args.attackers
    for figures in (ours, before):
        for key, value in list(figures.items()):
            if key.endswith(("p50", "p95")):
                figures[key] = f"{value:.1f} ms" if value == value else "—"  # NaN: none done
    table = "\n".join([
        "| server | ordinary p50 alone | p95 alone | connections held | ordinary p50 meanwhile "
        "| p95 meanwhile | ordinary failed meanwhile |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        row(f"medialib serve (max_connections 4000, idle_timeout {args.idle_timeout} s, "
            f"request_timeout {args.request_timeout} s)", ours, a),
        row("the old setting: waitress' connection limit of 100 (gave up after 10 failures)",
            before, a),
    ])
    held = (f"{a} held: {a - a // 4 - max(1, a // 20)} silent, {a // 4} sending a request line "
            f"a byte every 2 s, {max(1, a // 20)} downloading a 64 MB file at 1 KB/s")
    body = f"""\
`medialib serve` (8 threads) on loopback. Ordinary requests one after another, {REQUESTS} of
them ({", ".join(ORDINARY)}), each given {REQUEST_TIMEOUT:g} s. Attacking connections: {held}.

{table}

Silent connections still open at the end: {ours["idle_left"]:.0f} of
{a - a // 4 - max(1, a // 20)}; the server had dropped them {ours["dropped_after"]:.1f} s after
they opened (idle_timeout {args.idle_timeout} s, plus the sweep every 2 s and the time to open
them all). Trickling connections still open at the end: {ours["trickling_left"]:.0f} of {a // 4};
cut off {ours["trickling_after"]:.1f} s after they opened (request_timeout {args.request_timeout} s,
at their next byte). Slow readers stay as long as they read something: each costs a socket, never
a worker thread; limiting how many one address may hold is nginx's job (README, Production).
"""
    print(body)
    if not args.no_write:
        write_section("Slow clients", body,
                      f".venv/bin/python bench/slowclient_bench.py --attackers {a} "
                      f"--idle-timeout {args.idle_timeout} "
                      f"--request-timeout {args.request_timeout}")


if __name__ == "__main__":
    main()
