"""Helpers for the ingest, CLI and fault tests: run the command line, fingerprint a library tree."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from click.testing import CliRunner, Result

from medialib.cli import main
from medialib.lock import LOCK_NAME

REPO = Path(__file__).resolve().parent.parent


def cli(library: Path, *args: str | Path) -> Result:
    """Run `medialib --library LIBRARY ARGS...` in-process with click's CliRunner."""
    return CliRunner().invoke(main, ["--library", str(library), *map(str, args)],
                              catch_exceptions=False)


def tree_digest(root: Path) -> dict[str, str]:
    """Every file (sha256) and folder under `root`, by relative path; the lock file is left out.

    The lock file is the one thing a failed command may create: it is empty, git-ignored and
    holds no data (the kernel keeps the lock itself).
    """
    found: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = Path(dirpath).relative_to(root)
        for name in dirnames:
            found[str(rel_dir / name) + "/"] = "folder"
        for name in filenames:
            rel = rel_dir / name
            if str(rel) == LOCK_NAME:
                continue
            found[str(rel)] = hashlib.sha256((Path(dirpath) / name).read_bytes()).hexdigest()
    return found


def diff_trees(before: Mapping[str, str], after: Mapping[str, str]) -> list[str]:
    """Human-readable differences between two tree digests (empty when identical)."""
    lines = [f"removed {p}" for p in sorted(set(before) - set(after))]
    lines += [f"added {p}" for p in sorted(set(after) - set(before))]
    lines += [f"changed {p}" for p in sorted(set(before) & set(after)) if before[p] != after[p]]
    return lines


def medialib_command(library: Path, *args: str | Path) -> list[str]:
    """The real console script's command line, for subprocess tests."""
    return [sys.executable, "-m", "medialib.cli", "--library", str(library), *map(str, args)]


def start_paused(library: Path, point: str, *args: str | Path,
                 timeout: float = 30.0) -> subprocess.Popen[bytes]:
    """Start `medialib ARGS` in a subprocess and return once it waits at `point` (test hook)."""
    env = {**os.environ, "MEDIALIB_TEST_PAUSE_AT": point}
    proc = subprocess.Popen(medialib_command(library, *args), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env=env, cwd=REPO)
    assert proc.stderr is not None
    os.set_blocking(proc.stderr.fileno(), False)
    seen = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        chunk = proc.stderr.read() or b""
        seen += chunk
        if f"paused at {point}".encode() in seen:
            return proc
        if proc.poll() is not None:
            seen += proc.stderr.read() or b""
            raise AssertionError(f"exited ({proc.returncode}) before {point}: {seen.decode()}")
        time.sleep(0.02)
    proc.kill()
    raise AssertionError(f"never paused at {point}: {seen.decode()}")


def kill9(proc: subprocess.Popen[bytes]) -> None:
    proc.kill()  # SIGKILL: no cleanup of any kind runs
    proc.wait()
    if proc.stderr is not None:
        proc.stderr.close()


TALK_SRT = ("1\n00:00:00,100 --> 00:00:00,900\nHello and welcome.\n\n"
            "2\n00:00:01,000 --> 00:00:01,800\nThank you for coming.\n")


def make_published_library(root: Path, video: Path) -> Path:
    """A library (made by `medialib init`) holding one published webcast, 'existing-talk'."""
    assert cli(root, "init", root).exit_code == 0
    captions = root.parent / "existing-talk.srt"
    captions.write_text(TALK_SRT, encoding="utf-8")
    chapters = root.parent / "existing-talk-chapters.txt"
    chapters.write_text("0:00 Welcome\n0:01 Questions\n", encoding="utf-8")
    result = cli(root, "ingest", video, "--title", "Existing talk", "--captions", captions,
                 "--chapters", chapters, "--speaker", "Nancy Lin, MD", "--topic",
                 "brain-metastases")
    assert result.exit_code == 0, result.stderr
    return root


def published_template(tmp_path_factory, video: Path) -> Path:  # noqa: ANN001
    """One published library per test session, shared by every module (copy before changing)."""
    root = tmp_path_factory.getbasetemp() / "published-template" / "library"
    if not (root / "catalog.yaml").exists():
        root.parent.mkdir(parents=True, exist_ok=True)
        make_published_library(root, video)
    return root
