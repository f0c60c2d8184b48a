"""Load test on loopback: `medialib serve` under 50 concurrent clients, and nginx beside it.

Runs, against a library whose sample media are rendered (`make sample`):
1. four wrk processes at once for the mixed load (home, player pages, searches, byte-range media
   requests), CONNECTIONS clients in all, for DURATION seconds; each reports its requests/s,
   p50/p95/p99 and errors;
2. byte-range throughput of the same media file from medialib, from nginx serving the media folder
   directly, and from nginx in front of medialib with X-Accel-Redirect (the production path).

Usage: .venv/bin/python bench/load_bench.py [--library .] [--duration 60] [--connections 50]
Writes the figures to bench/RESULTS.md (section "Load").
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from results import write_section  # noqa: E402

LUA = r"""
local paths = {}
local idx = 0
init = function(args)
  for line in io.lines(args[1]) do table.insert(paths, line) end
end
request = function()
  idx = idx % #paths + 1
  local path, range = paths[idx]:match("^(%S+)%s*(.*)$")
  local headers = {}
  if range ~= nil and range ~= "" then headers["Range"] = range end
  return wrk.format("GET", path, headers)
end
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    'JSON {"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, '
    .. '"errors": %d, "non_2xx": %d, "bytes": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, errors,
    summary.errors.status, summary.bytes))
end
"""

NGINX_CONF = """
worker_processes 2;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{ worker_connections 1024; }}
http {{
  include /etc/nginx/mime.types;
  types {{ text/vtt vtt; audio/mp4 m4a; }}
  access_log off;
  sendfile on;
  client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy;
  fastcgi_temp_path {tmp}/fastcgi; uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
  server {{
    listen 127.0.0.1:{static_port};
    location /media/ {{ alias {media}/; }}
  }}
  server {{
    listen 127.0.0.1:{proxy_port};
    location /protected-media/ {{ internal; alias {media}/; }}
    location / {{ proxy_pass http://127.0.0.1:{app_port}; proxy_set_header Host $host; }}
  }}
}}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {timeout} s")


def wrk(url: str, paths: list[str], connections: int, duration: int, tmp: Path) -> subprocess.Popen:
    script = tmp / "mix.lua"
    script.write_text(LUA)
    listing = tmp / f"paths-{len(list(tmp.iterdir()))}.txt"
    listing.write_text("\n".join(paths) + "\n")
    return subprocess.Popen(
        ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s", str(script),
         url, "--", str(listing)],
        stdout=subprocess.PIPE, text=True,
    )


def figures(proc: subprocess.Popen) -> dict:
    out, _ = proc.communicate()
    for line in out.splitlines():
        if line.startswith("JSON "):
            data = json.loads(line[5:])
            data["rps"] = data["requests"] / data["seconds"]
            data["mb_s"] = data["bytes"] / data["seconds"] / 1e6
            return data
    raise SystemExit(f"wrk printed no figures:\n{out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--library", type=Path, default=Path("."))
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--connections", type=int, default=50)
    args = parser.parse_args()
    library = args.library.resolve()
    medialib = shutil.which("medialib") or str(Path(sys.executable).parent / "medialib")
    listing = json.loads(subprocess.check_output([medialib, "--library", str(library), "list",
                                                  "--json"]))
    slugs = [row["slug"] for row in listing]
    video = next(r for r in listing if r["kind"] == "video")
    media_path = f"/media/{video['slug']}/video.mp4"
    size = (library / media_path.lstrip("/")).stat().st_size

    tmp = Path(tempfile.mkdtemp(prefix="medialib-load-"))
    app_port, static_port, proxy_port = free_port(), free_port(), free_port()
    env = dict(os.environ, MEDIALIB_ACCEL_REDIRECT="")
    server = subprocess.Popen(
        [medialib, "--library", str(library), "serve", "--port", str(app_port), "--threads", "16"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    accel_env = dict(os.environ, MEDIALIB_ACCEL_REDIRECT="/protected-media/")
    accel_port = free_port()
    accel_server = subprocess.Popen(
        [medialib, "--library", str(library), "serve", "--port", str(accel_port),
         "--threads", "16"], env=accel_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    conf = tmp / "nginx.conf"
    conf.write_text(NGINX_CONF.format(tmp=tmp, media=library / "media", static_port=static_port,
                                      proxy_port=proxy_port, app_port=accel_port))
    nginx = subprocess.Popen(["nginx", "-c", str(conf), "-g", "daemon off;"])
    try:
        base = f"http://127.0.0.1:{app_port}"
        wait_for(base + "/")
        wait_for(f"http://127.0.0.1:{accel_port}/")
        wait_for(f"http://127.0.0.1:{static_port}{media_path}")
        queries = ["health care proxy", "chemo brain", "whole brain radiation", "Herceptin",
                   "living will", "clinical trial", "radiosurgery", "tiredness", "brain mets",
                   "trastuzamab", "hospice", '"advance directive"', "lymph*", "memory problems"]
        ranges = [f"{media_path} bytes={start}-{start + 262143}"
                  for start in range(0, max(size - 262144, 1), max(size // 16, 1))]
        kinds = {
            "home": ["/"],
            "player": [f"/webcasts/{slug}" for slug in slugs],
            "search": [f"/search?q={urllib.request.quote(q)}" for q in queries],
            "media range": ranges,
        }
        share = max(args.connections // len(kinds), 1)
        procs = {kind: wrk(base, paths, share, args.duration, tmp) for kind, paths in kinds.items()}
        mixed = {kind: figures(proc) for kind, proc in procs.items()}

        range_duration = max(args.duration // 4, 10)
        compare = {}
        for label, url in (
            ("medialib (waitress)", base),
            ("nginx static", f"http://127.0.0.1:{static_port}"),
            ("nginx + X-Accel-Redirect to medialib", f"http://127.0.0.1:{proxy_port}"),
        ):
            compare[label] = figures(wrk(url, ranges, args.connections, range_duration, tmp))
    finally:
        for proc in (server, accel_server):
            proc.send_signal(signal.SIGINT)
        nginx.send_signal(signal.SIGQUIT)
        for proc in (server, accel_server, nginx):
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)

    total = sum(f["requests"] for f in mixed.values())
    errors = sum(f["errors"] for f in mixed.values())
    lines = [
        f"Mixed load: {args.connections} concurrent clients for {args.duration} s on loopback, "
        f"sample library, 2 cores (server and load generator share them). "
        f"{total} requests, {errors} errors.",
        "",
        "| kind | clients | requests/s | p50 ms | p95 ms | p99 ms | errors |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for kind, f in mixed.items():
        lines.append(f"| {kind} | {share} | {f['rps']:.0f} | {f['p50_ms']:.1f} | "
                     f"{f['p95_ms']:.1f} | {f['p99_ms']:.1f} | {f['errors']} |")
    ours = compare["medialib (waitress)"]["mb_s"]
    lines += [
        "",
        f"Byte ranges of 256 KiB from {media_path} ({size} bytes), {args.connections} clients, "
        f"{range_duration} s each:",
        "",
        "| server | requests/s | MB/s | p95 ms | errors | throughput vs nginx |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    nginx_mb = compare["nginx static"]["mb_s"]
    for label, f in compare.items():
        lines.append(f"| {label} | {f['rps']:.0f} | {f['mb_s']:.0f} | {f['p95_ms']:.1f} | "
                     f"{f['errors']} | {f['mb_s'] / nginx_mb:.2f}× |")
    lines += ["", f"medialib's own range throughput is {ours / nginx_mb:.2f}× nginx's."]
    write_section("Load", "\n".join(lines),
                  f".venv/bin/python bench/load_bench.py --duration {args.duration} "
                  f"--connections {args.connections}   # after `make sample`")
    print("\n".join(lines))
    if errors:
        raise SystemExit(f"{errors} errors under load")


if __name__ == "__main__":
    main()
