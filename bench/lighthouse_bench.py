"""Lighthouse scores of the public pages, with Debian's chromium: the bars of issue 5.

    .venv/bin/python bench/lighthouse_bench.py [--library .]

Serves the library (rendered first by `make sample`) with waitress on 127.0.0.1, runs Lighthouse
from the npm registry (`npx lighthouse`, never a downloaded browser: CHROME_PATH is
/usr/bin/chromium) on the home, player (video and audio), search and transcript pages, writes the
scores to bench/RESULTS.md and exits 1 when a page misses a bar: accessibility 100, best
practices >= 95, SEO >= 90, performance >= 90.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from results import write_section  # noqa: E402

from medialib.app import create_app  # noqa: E402
from medialib.catalog import Catalog  # noqa: E402
from medialib.config import Settings  # noqa: E402

LIGHTHOUSE = "lighthouse@12"
CHROMIUM = "/usr/bin/chromium"
CHROME_FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-background-networking "
                "--disable-component-update --disable-sync --no-first-run")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
BARS = {"performance": 90, "accessibility": 100, "best-practices": 95, "seo": 90}


def pages(library: Path) -> list[tuple[str, str]]:
    catalog = Catalog.load(library / "catalog.yaml")
    video = next(w.slug for w in catalog.webcasts.values() if w.kind == "video")
    audio = next((w.slug for w in catalog.webcasts.values() if w.kind == "audio"), None)
    found = [("home", "/"), ("player (video)", f"/webcasts/{video}")]
    if audio:
        found.append(("player (audio)", f"/webcasts/{audio}"))
    found += [("search", "/search?q=radiation"), ("transcript", f"/webcasts/{video}/transcript")]
    return found


def lighthouse(url: str, out: Path) -> dict[str, int]:
    """The four category scores (0-100) of one page."""
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    subprocess.run(
        ["npx", "--yes", LIGHTHOUSE, url, "--quiet", f"--chrome-flags={CHROME_FLAGS}",
         f"--only-categories={','.join(CATEGORIES)}", "--output=json", f"--output-path={out}"],
        check=True, env=env, cwd=ROOT,
    )
    report = json.loads(out.read_text(encoding="utf-8"))
    if report.get("runtimeError"):
        raise RuntimeError(f"{url}: {report['runtimeError'].get('message')}")
    return {name: round(100 * (report["categories"][name]["score"] or 0)) for name in CATEGORIES}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--library", type=Path, default=ROOT)
    args = parser.parse_args()

    import logging

    import waitress

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    app = create_app(Settings(library=args.library))
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.effective_port}"  # type: ignore[union-attr]
    rows, failures = [], []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for name, path in pages(args.library):
                scores = lighthouse(base + path, Path(tmp) / "report.json")
                rows.append((name, path, scores))
                failures += [f"{name} {c} {scores[c]} < {bar}" for c, bar in BARS.items()
                             if scores[c] < bar]
                print(name, scores, flush=True)
    finally:
        server.close()
    header = "| page | path | " + " | ".join(CATEGORIES) + " |"
    lines = [header, "|" + " --- |" * (len(CATEGORIES) + 2)]
    lines += [f"| {n} | `{p}` | " + " | ".join(str(s[c]) for c in CATEGORIES) + " |"
              for n, p, s in rows]
    bars = ", ".join(f"{c} >= {b}" for c, b in BARS.items())
    body = ("Lighthouse 12 (npm) driving Debian's chromium, default mobile emulation and "
            f"throttling; bars: {bars}.\n\n" + "\n".join(lines))
    write_section("Lighthouse", body, ".venv/bin/python bench/lighthouse_bench.py")
    if failures:
        sys.exit("below the bar: " + "; ".join(failures))


if __name__ == "__main__":
    main()
