"""Run every benchmark in turn; each writes its own section of bench/RESULTS.md."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

BENCHMARKS = [
    ["search_bench.py", "--hours", "1000", "--procs", "2", "--rounds", "3",
     "--out", "bench/out/search1000", "--serve", "--write"],
    ["ingest_bench.py"],
    ["asr_bench.py", "--hints"],
    ["load_bench.py", "--library", str(ROOT)],
    ["lighthouse_bench.py"],
    ["slowclient_bench.py"],
    ["page_budget_bench.py"],
    ["captions_bench.py"],
    ["soak_bench.py", "--hours", "1000", "--minutes", "30", "--write"],
]


def main() -> None:
    subprocess.run([str(ROOT / ".venv/bin/medialib"), "--library", str(ROOT), "demo"], check=True)
    failed = []
    for args in BENCHMARKS:
        print(f"== {args[0]}", flush=True)
        if subprocess.run([sys.executable, str(HERE / args[0]), *args[1:]], cwd=ROOT).returncode:
            failed.append(args[0])
    if failed:
        raise SystemExit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
