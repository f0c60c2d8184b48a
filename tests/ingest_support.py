"""Helpers for the ingest, CLI and fault tests: run the command line, fingerprint a library tree."""

from __future__ import annotations

import hashlib
import os
import resource
import signal
import socket
import subprocess
import sys
import time
import traceback
import urllib.error
import urllib.request
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from click.testing import CliRunner, Result

from medialib.cli import main
from medialib.lock import LOCK_NAME

REPO = Path(__file__).resolve().parent.parent


def cli(library: Path, *args: str | Path, database_url: str | None = None) -> Result:
    """Run `medialib --library LIBRARY ARGS...` in-process with click's CliRunner (on the
    database at `database_url` when given, as MEDIALIB_DATABASE_URL names it)."""
    env = {"MEDIALIB_DATABASE_URL": database_url} if database_url else None
    return CliRunner().invoke(main, ["--library", str(library), *map(str, args)],
                              catch_exceptions=False, env=env)


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


class Forked:
    """`medialib ARGS` run by a forked copy of this test process: a real, separate process that
    kill -9 stops dead, like any other, without paying Python's start-up and imports again.

    It looks enough like subprocess.Popen for these tests: pid, stderr (a pipe), poll, wait,
    kill, send_signal, communicate and returncode.
    """

    def __init__(self, library: Path, args: Sequence[str | Path], pause_at: str | None = None,
                 file_size_limit: int | None = None):
        read, write = os.pipe()
        with warnings.catch_warnings():
            # Python 3.12+ warns when a process with threads (pytest-xdist's) forks; the child
            # only runs the command line and exits with os._exit, touching none of them.
            warnings.filterwarnings("ignore", r".*multi-threaded.*fork", DeprecationWarning)
            pid = os.fork()
        if pid == 0:  # the child runs the command line and never returns into pytest
            code = 1
            try:
                os.close(read)
                os.dup2(write, 2)
                os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
                sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
                sys.stderr = open(2, "w", encoding="utf-8", buffering=1,  # noqa: SIM115
                                  closefd=False)
                os.environ["MEDIALIB_TEST_PAUSE_AT"] = pause_at or ""
                if file_size_limit is not None:
                    resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_limit,) * 2)
                try:
                    main(["--library", str(library), *map(str, args)], prog_name="medialib")
                    code = 0
                except SystemExit as exc:
                    code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
            except BaseException:
                traceback.print_exc()
            finally:
                try:
                    sys.stderr.flush()
                finally:
                    os._exit(code)
        os.close(write)
        self.pid = pid
        self.stderr: IO[bytes] | None = os.fdopen(read, "rb")
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float = 60.0) -> int:
        deadline = time.monotonic() + timeout
        while self.poll() is None:
            if time.monotonic() > deadline:
                raise TimeoutError(f"process {self.pid} still running after {timeout} s")
            time.sleep(0.01)
        assert self.returncode is not None
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, sig)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def communicate(self, timeout: float = 60.0) -> tuple[None, bytes]:
        assert self.stderr is not None
        os.set_blocking(self.stderr.fileno(), True)
        err = self.stderr.read()
        self.stderr.close()
        self.stderr = None
        self.wait(timeout)
        return None, err


def launch(library: Path, point: str | None, *args: str | Path,
           file_size_limit: int | None = None) -> Forked:
    """Start `medialib ARGS` in another process that will wait at `point` (the test hook)."""
    return Forked(library, args, pause_at=point, file_size_limit=file_size_limit)


def wait_paused(proc: Forked, point: str, timeout: float = 60.0) -> None:
    """Return once `proc` says it waits at `point`; fail with its stderr if it never does."""
    assert proc.stderr is not None
    os.set_blocking(proc.stderr.fileno(), False)
    seen = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen += proc.stderr.read() or b""
        if f"paused at {point}".encode() in seen:
            os.set_blocking(proc.stderr.fileno(), True)
            return
        if proc.poll() is not None:
            seen += proc.stderr.read() or b""
            raise AssertionError(f"exited ({proc.returncode}) before {point}: {seen.decode()}")
        time.sleep(0.02)
    proc.kill()
    raise AssertionError(f"never paused at {point}: {seen.decode()}")


def start_paused(library: Path, point: str, *args: str | Path, timeout: float = 60.0) -> Forked:
    """Start `medialib ARGS` in another process and return once it waits at `point`."""
    proc = launch(library, point, *args)
    wait_paused(proc, point, timeout)
    return proc


def kill9(proc: Forked) -> None:
    proc.kill()  # SIGKILL: no cleanup of any kind runs
    proc.wait()
    if proc.stderr is not None:
        proc.stderr.close()
        proc.stderr = None


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


@dataclass
class Served:
    url: str
    said: str = ""  # what the server wrote to stderr, once it stopped


def free_port() -> int:
    """A TCP port of 127.0.0.1 nobody listens on (now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve_command(library: Path, port: int, *args: str) -> list[str]:
    """`medialib --library LIBRARY serve --port PORT ARGS...` as this Python runs it."""
    return [sys.executable, "-m", "medialib.cli", "--library", str(library), "serve",
            "--port", str(port), *args]


@contextmanager
def serving(library: Path) -> Iterator[Served]:
    """`medialib serve` on a free port, from when it says it is serving until it is stopped."""
    port = free_port()
    server = subprocess.Popen(serve_command(library, port), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    served = Served(f"http://127.0.0.1:{port}")
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        assert line.startswith("Serving"), server.stderr.read() if server.stderr else line
        yield served
    finally:
        server.terminate()
        served.said = server.communicate(timeout=30)[1]


def get_when_listening(url: str, timeout: float = 30.0) -> int:
    """The status of GET `url`, trying again while the server is still starting to listen."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as page:
                return int(page.status)
        except urllib.error.URLError as exc:
            if not isinstance(exc.reason, ConnectionRefusedError) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
