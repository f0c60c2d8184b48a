"""Streaming on a weak link: HLS against the MP4, and listen only, in Chromium with the network
throttled; and what building the renditions costs at ingest.

Sources, generated once and cached in bench/out/: a 60-minute 720p H.264/AAC MP4 (the remux
path: bench/ingest_bench.py's settings, test pattern and tone, encoded as six minutes and joined
ten times without re-encoding, which takes a tenth of the time on a shared machine), with a
caption every 4 seconds; and bench/ingest_bench.py's 10-minute 720p VP9/Opus WebM (the
transcode path). Each is ingested once, in process, into bench/out/hls-<kind>/library; the
runner's own step timings give the renditions step (wall time, two shared cores) beside the
normalize step. A third library holds the same 60-minute MP4 without renditions (hard links, as
a library made before renditions), so "MP4" is the real player page of such a library.

The 60-minute webcast is then served by `medialib serve` and opened in Debian's chromium through
Playwright with DevTools network emulation (1.6 Mb/s down, 0.75 Mb/s up, 150 ms latency) and the
cache off, in a phone-sized window, three ways: the MP4 page, the HLS page (the browser picks
the master playlist), and the listen-only page (?listen=1). Bytes are what the DevTools protocol
reports on the wire (loadingFinished, else the sum of dataReceived).

1. First frame: a fresh page, play pressed at DOMContentLoaded; seconds from navigation start to
   the first frame presented (requestVideoFrameCallback; for audio, currentTime > 0).
2. Five minutes: a fresh page, left alone for 10 s (what preload="metadata" and the poster cost
   before play), then played at normal speed in real time until currentTime reaches 300 s,
   the three pages side by side (each throttled on its own). Bytes are counted up to that
   moment, so they include whatever the browser buffered ahead, as a patient's phone would.
   Playing faster than real time was rejected: on a 1.6 Mb/s link the download, not playback,
   would set the pace, and read-ahead would not be what a patient sees.

Usage: .venv/bin/python bench/hls_bench.py [--rebuild]
Writes the figures to bench/RESULTS.md (section "Streaming on a weak link").
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

from ingest_bench import SOURCES, _srt_time, ensure_source  # noqa: E402
from results import write_section  # noqa: E402

from medialib import renditions  # noqa: E402
from medialib.config import Settings  # noqa: E402
from medialib.ingest import IngestRequest  # noqa: E402
from medialib.ingest.pipeline import ingest  # noqa: E402
from medialib.ingest.runner import Reporter  # noqa: E402
from medialib.library import Library  # noqa: E402
from medialib.operations import init_library  # noqa: E402

SLUG = "talk"
CHROMIUM = "/usr/bin/chromium"
THROTTLE = {"offline": False, "latency": 150, "downloadThroughput": 1.6e6 / 8,
            "uploadThroughput": 0.75e6 / 8}
FIVE_MINUTES = 300.0


def hour_source() -> tuple[Path, Path]:
    """The one-hour 720p MP4 and its captions (made the first time)."""
    path, captions = OUT / "hls-60min-720p.mp4", OUT / "hls-60min-720p.srt"
    OUT.mkdir(exist_ok=True)
    if not path.exists():
        part, listing = OUT / "hls-6min-720p.mp4", OUT / "hls-60min.txt"
        args = [a.format(seconds=360) for a in SOURCES["remux"]["args"]]  # type: ignore[union-attr]
        subprocess.run(["ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-y", *args,
                        "-t", "360", str(part)], check=True)
        listing.write_text(f"file '{part}'\n" * 10, encoding="utf-8")
        subprocess.run(["ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-y", "-f",
                        "concat", "-safe", "0", "-i", str(listing), "-c", "copy",
                        str(path.with_suffix(".part.mp4"))], check=True)
        path.with_suffix(".part.mp4").rename(path)
    if not captions.exists():
        captions.write_text("\n".join(
            f"{n}\n{_srt_time(start)} --> {_srt_time(start + 3.8)}\nSentence {n} of the talk, "
            "about fatigue, sleep and gentle exercise.\n"
            for n, start in enumerate(range(0, 3600 - 4, 4), 1)), encoding="utf-8")
    return path, captions


def build(kind: str, rebuild: bool) -> dict[str, Any]:
    """Ingest the `kind` source into its own library (once); the ingest's figures."""
    src, captions = hour_source() if kind == "remux" else ensure_source(kind)
    root = OUT / f"hls-{kind}" / "library"
    figures = root.parent / "figures.txt"
    if figures.exists() and not rebuild:
        return dict(eval(figures.read_text()))  # noqa: S307 - our own repr, written below
    shutil.rmtree(root.parent, ignore_errors=True)
    init_library(root, "Bench")
    library = Library(Settings(library=root))
    load = os.getloadavg()[0]
    try:
        request = IngestRequest(media=src, title="A one-hour talk", slug=SLUG,
                                captions=(_caption_source(captions),))
        result = ingest(library, request, Reporter())
    finally:
        library.close()
    manifest = renditions.read_manifest(root / "media" / SLUG / renditions.FOLDER)
    assert manifest is not None
    out = {
        "kind": kind, "minutes": round(result.webcast.media.duration / 60, 1),
        "action": result.prepared.plan.action, "ingest": round(result.seconds, 1),
        "normalize": round(result.step_seconds["normalize"], 1),
        "renditions": round(result.step_seconds["renditions"], 1),
        "load": round(load, 1),
        "ladder": [(r["name"], r["height"], round(r["average_bandwidth"] / 1000),
                    round(r["bandwidth"] / 1000)) for r in manifest["renditions"]],
        "mp4_kbps": round(manifest["source_size"] * 8 / manifest["duration"] / 1000),
    }
    figures.write_text(repr(out))
    return out


def _caption_source(path: Path) -> Any:
    from medialib.ingest import CaptionSource

    return CaptionSource(path, "en")


def mp4_only_library(root: Path) -> Path:
    """The same webcast without renditions: a library made before them (media hard-linked)."""
    dest = root.parent.parent / "mp4-only" / "library"
    if (dest / "catalog.yaml").exists():
        return dest
    shutil.copytree(root, dest, ignore=shutil.ignore_patterns("media", "instance", ".staging"))
    for path in (root / "media").rglob("*"):
        if path.is_file() and renditions.FOLDER not in path.relative_to(root / "media").parts:
            target = dest / "media" / path.relative_to(root / "media")
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(path, target)
    with Library(Settings(library=dest)) as library:
        library.reindex()
    return dest


def serve(root: Path) -> tuple[subprocess.Popen[str], str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "medialib.cli", "--library", str(root),
                             "serve", "--port", str(port)], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None and proc.stdout.readline().startswith("Serving")
    return proc, f"http://127.0.0.1:{port}"


class Tab:
    """A throttled page with its bytes counted per request."""

    def __init__(self, browser: Any, url: str):
        self.url = url
        self.context = browser.new_context(viewport={"width": 412, "height": 915},
                                           device_scale_factor=2)
        self.page = self.context.new_page()
        self.cdp = self.context.new_cdp_session(self.page)
        self.urls: dict[str, str] = {}
        self.received: dict[str, int] = {}
        self.finished: dict[str, int] = {}
        self.cdp.on("Network.requestWillBeSent",
                    lambda e: self.urls.__setitem__(e["requestId"], e["request"]["url"]))
        self.cdp.on("Network.dataReceived", self._data)
        self.cdp.on("Network.loadingFinished",
                    lambda e: self.finished.__setitem__(e["requestId"],
                                                        int(e["encodedDataLength"])))
        self.cdp.send("Network.enable")
        self.cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        self.cdp.send("Network.emulateNetworkConditions", THROTTLE)

    def _data(self, e: dict[str, Any]) -> None:
        rid = e["requestId"]
        self.received[rid] = self.received.get(rid, 0) + int(e.get("encodedDataLength") or 0)

    def bytes(self, part: str = "") -> int:
        ids = set(self.received) | set(self.finished)
        return sum(self.finished.get(i, self.received.get(i, 0)) for i in ids
                   if part in self.urls.get(i, ""))

    def close(self) -> None:
        self.context.close()


FIRST_FRAME = """() => new Promise(resolve => {
  const m = document.getElementById('player');
  m.muted = true;
  const pressed = performance.now() / 1000;
  const done = () => resolve([pressed, performance.now() / 1000]);
  if (m.tagName === 'VIDEO' && m.requestVideoFrameCallback) { m.requestVideoFrameCallback(done); }
  else { m.addEventListener('timeupdate', function f() {
    if (m.currentTime > 0) { m.removeEventListener('timeupdate', f); done(); } }); }
  m.play();
})"""


def first_frame(browser: Any, url: str) -> tuple[float, float]:
    """Seconds from navigation start to the first frame, and from pressing play to it."""
    tab = Tab(browser, url)
    try:
        tab.page.goto(url, wait_until="domcontentloaded", timeout=120_000)
        pressed, shown = tab.page.evaluate(FIRST_FRAME)
        return float(shown), float(shown) - float(pressed)
    finally:
        tab.close()


def five_minutes(browser: Any, urls: dict[str, str]) -> dict[str, dict[str, Any]]:
    tabs = {name: Tab(browser, url) for name, url in urls.items()}
    out: dict[str, dict[str, Any]] = {}
    try:
        for tab in tabs.values():
            tab.page.goto(tab.url, wait_until="domcontentloaded", timeout=120_000)
        time.sleep(10)
        for name, tab in tabs.items():
            out[name] = {"before": tab.bytes(), "src": tab.page.evaluate(
                "document.getElementById('player').currentSrc")}
            tab.page.evaluate("() => { const m = document.getElementById('player');"
                              " m.muted = true; window.__t0 = performance.now(); m.play(); }")
        started, left = time.monotonic(), set(tabs)
        while left and time.monotonic() - started < FIVE_MINUTES * 1.6:
            time.sleep(2)
            for name in sorted(left):
                tab = tabs[name]
                at = float(tab.page.evaluate("document.getElementById('player').currentTime"))
                if at >= FIVE_MINUTES:
                    out[name]["five"] = tab.bytes()
                    out[name]["wall"] = round(time.monotonic() - started)
                    out[name]["variants"] = {v: round(tab.bytes(f"/hls/{v}/") / 1e6, 1)
                                             for v in ("source", "360p", "240p", "audio")
                                             if tab.bytes(f"/hls/{v}/")}
                    left.discard(name)
        for name in left:
            out[name]["five"] = None
    finally:
        for tab in tabs.values():
            tab.close()
    return out


def report(builds: list[dict[str, Any]], frames: dict[str, tuple[float, float]],
           play: dict[str, dict[str, Any]]) -> str:
    mb = lambda n: f"{n / 1e6:.1f} MB" if n is not None else "did not reach 5 min"  # noqa: E731
    mp4 = play["MP4"].get("five") or 0
    lines = [
        "A one-hour 720p webcast (test pattern and tone) on a throttled link (1.6 Mb/s down, "
        "150 ms latency), Debian chromium, phone-sized window. Goal: first frame under 3 s; "
        "five minutes of listen-only at least 5 times fewer bytes than the MP4.", "",
        "| page | first frame: from navigation / from pressing play | bytes before play (10 s "
        "idle) | bytes for the first 5 minutes | against the MP4 |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name in ("MP4", "HLS", "Listen only"):
        five = play[name].get("five")
        ratio = f"{mp4 / five:.1f}x fewer" if five and mp4 and name != "MP4" else "—"
        lines.append(f"| {name} | {frames[name][0]:.2f} s / {frames[name][1]:.2f} s | "
                     f"{mb(play[name]['before'])} | "
                     f"{mb(five)} | {ratio} |")
    lines += ["", "HLS segments fetched by rendition (MB): "
              f"{play['HLS'].get('variants')}; listen only: {play['Listen only'].get('variants')}."]
    lines += ["", "Building renditions at ingest (one ffmpeg for every rendition; wall time on "
              "2 cores shared with other work, load average at the start noted):", "",
              "| source | path | normalize | renditions | renditions / duration | whole ingest |"
              " load |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for b in builds:
        lines.append(f"| {b['minutes']} min 720p | {b['action']} | {b['normalize']} s | "
                     f"{b['renditions']} s | {b['renditions'] / (b['minutes'] * 60):.3f} | "
                     f"{b['ingest']} s | {b['load']} |")
    b = builds[0]
    lines += ["", f"Ladder of the one-hour webcast (name, height, average and peak kb/s): "
              f"{b['ladder']}; the MP4 averages {b['mp4_kbps']} kb/s."]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rebuild", action="store_true", help="Ingest the sources again.")
    args = parser.parse_args()
    builds = [build("remux", args.rebuild)]
    print(builds, flush=True)
    root = OUT / "hls-remux" / "library"
    plain = mp4_only_library(root)
    from playwright.sync_api import sync_playwright

    servers = [serve(root), serve(plain)]
    try:
        hls_url, mp4_url = servers[0][1], servers[1][1]
        urls = {"MP4": f"{mp4_url}/webcasts/{SLUG}", "HLS": f"{hls_url}/webcasts/{SLUG}",
                "Listen only": f"{hls_url}/webcasts/{SLUG}?listen=1"}
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=[
                "--no-sandbox", "--disable-gpu", "--autoplay-policy=no-user-gesture-required"])
            frames = {name: first_frame(browser, url) for name, url in urls.items()}
            print(frames, flush=True)
            play = five_minutes(browser, urls)
            print(play, flush=True)
            browser.close()
    finally:
        for proc, _ in servers:
            proc.terminate()
            proc.wait()
    builds.append(build("transcode", args.rebuild))
    write_section("Streaming on a weak link", report(builds, frames, play),
                  ".venv/bin/python bench/hls_bench.py")


if __name__ == "__main__":
    main()
