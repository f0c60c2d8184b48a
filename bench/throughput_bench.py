"""50 clients on the sample library's home, player and search pages: `medialib serve` with its
defaults beside nginx sending the same bytes as static files (loopback, wrk).

Builds the sample library (catalog and captions; no rendered media is needed for these pages),
starts `medialib serve` as a user would (default workers and threads), and runs wrk with
CONNECTIONS clients for DURATION seconds on each page; then saves each page's bytes as a file
and runs the same wrk against nginx serving that folder. Reports requests/s, p50, p99, errors.
Usage: .venv/bin/python bench/throughput_bench.py [--duration 30] [--connections 50]
Needs Debian's wrk and nginx-light. Writes bench/RESULTS.md (section "Throughput").
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from results import write_section  # noqa: E402

from medialib.config import Settings  # noqa: E402
from medialib.library import Library  # noqa: E402
from tests.libraries import copy_sample_library  # noqa: E402

PAGES = {"home": "/", "player": "/webcasts/role-of-radiation-mbc",
         "search": "/search?q=whole+brain+radiation"}
NGINX = """daemon off; worker_processes auto; pid {root}/nginx.pid; error_log {root}/error.log;
events {{ worker_connections 4096; }}
http {{ access_log off; default_type text/html;
  server {{ listen 127.0.0.1:{port}; root {root}/site; }} }}
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_listening(url: str) -> None:
    for _ in range(600):
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} never answered")


def wrk(url: str, connections: int, duration: int) -> dict[str, str]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url],
        check=True, capture_output=True, text=True).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M)
    errors = re.search(r"Socket errors: (.*)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rate": rate.group(1) if rate else "?", "p50": p50.group(1) if p50 else "?",
            "p99": p99.group(1) if p99 else "?",
            "errors": (errors.group(1) if errors else "0") + (
                f"; non-2xx {non2xx.group(1)}" if non2xx else "")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--no-write", action="store_true", help="Print, do not write RESULTS.md.")
    args = parser.parse_args()
    results: dict[str, dict[str, dict[str, str]]] = {"medialib": {}, "nginx": {}}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        os.chmod(root, 0o755)  # nginx's workers run as another user
        library = copy_sample_library(root / "library")
        Library(Settings(library=library)).reindex()
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "medialib.cli", "--library", str(library), "serve",
             "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        site = root / "site"
        site.mkdir()
        try:
            base = f"http://127.0.0.1:{port}"
            wait_listening(base + "/")
            for name, path in PAGES.items():
                with urllib.request.urlopen(base + path) as page:
                    (site / f"{name}.html").write_bytes(page.read())
                results["medialib"][name] = wrk(base + path, args.connections, args.duration)
        finally:
            server.terminate()
            server.wait(timeout=60)
        nginx_port = free_port()
        (root / "nginx.conf").write_text(NGINX.format(root=root, port=nginx_port))
        nginx = subprocess.Popen(["nginx", "-c", str(root / "nginx.conf"), "-p", str(root)],
                                 stderr=subprocess.DEVNULL)
        try:
            wait_listening(f"http://127.0.0.1:{nginx_port}/home.html")
            for name in PAGES:
                results["nginx"][name] = wrk(f"http://127.0.0.1:{nginx_port}/{name}.html",
                                             args.connections, args.duration)
        finally:
            nginx.terminate()
            nginx.wait(timeout=60)
    rows = ["| page | medialib req/s | p50 | p99 | errors | nginx req/s | p50 | ratio |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for name, path in PAGES.items():
        ours, theirs = results["medialib"][name], results["nginx"][name]
        ratio = float(theirs["rate"]) / max(float(ours["rate"]), 1e-9)
        rows.append(f"| {name} `{path}` | {float(ours['rate']):,.0f} | {ours['p50']} | "
                    f"{ours['p99']} | {ours['errors']} | {float(theirs['rate']):,.0f} | "
                    f"{theirs['p50']} | {ratio:,.0f}x |")
    body = "\n".join([
        f"wrk, {args.connections} connections, 2 threads, {args.duration} s per page, loopback, "
        f"{os.cpu_count()} CPUs shared with wrk. `medialib serve` with its defaults (one worker "
        "process per CPU, 8 threads each, the page cache on); nginx-light serving the same "
        f"bytes as static files. Load average at the end: {os.getloadavg()[0]:.1f}.", "", *rows,
    ])
    print(body)
    if not args.no_write:
        write_section("Throughput", body,
                      "apt-get install wrk nginx-light && .venv/bin/python "
                      "bench/throughput_bench.py")


if __name__ == "__main__":
    main()
