"""One writer at a time: an advisory lock on LIBRARY/.medialib.lock held by ingest, remove, reindex.

The lock is `fcntl.flock` on an open file, so the kernel releases it when the holder exits for
any reason, kill -9 included: a stale lock file never blocks anyone. The holder writes its
command, process id and start time into the file so a second command can say who is busy.
Readers (the web app, `search`, `list`) never take it.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path
from types import TracebackType

from .errors import MedialibError

LOCK_NAME = ".medialib.lock"


class LibraryBusy(MedialibError):
    """Another medialib command is changing this library; the message says which."""

    def __init__(self, path: Path | str, holder: str):
        self.path = str(path)
        self.holder = holder
        self.message = (
            f"another medialib command is changing this library ({holder}); "
            "try again when it has finished"
        )
        super().__init__(f"{self.path}: {self.message}")


class LibraryLock:
    """An exclusive, non-blocking lock on one library, as a context manager."""

    def __init__(self, library: Path | str, command: str):
        self.path = Path(library) / LOCK_NAME
        self.command = command
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> LibraryLock:
        """Take the lock or raise LibraryBusy naming the holder; never waits."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise LibraryBusy(self.path, holder) from None
        except BaseException:
            os.close(fd)
            raise
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{self.command}, process {os.getpid()}, since {stamp}\n".encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            os.ftruncate(fd, 0)
        finally:
            os.close(fd)  # closing the descriptor releases the flock

    def __enter__(self) -> LibraryLock:
        return self.acquire()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def lock_holder(library: Path | str) -> str | None:
    """Who holds the library's lock right now ("ingest, process 123, since ..."), or None."""
    path = Path(library) / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read_holder(fd)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def _read_holder(fd: int) -> str:
    try:
        text = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
    except OSError:
        text = ""
    return text or "a medialib command"
