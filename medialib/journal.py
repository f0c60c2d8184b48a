"""The journal of a committed change and its moves: bring in, take out. See `staging`.

A journal (LIBRARY/.staging/<id>/journal.json) names the operation, the slug, the transcripts
staged, the inode of the staged media folder (so a move already made is recognized) and the
"leftovers": files only the old version had, kept in the new folder until the switch. Both moves
are idempotent: recovery runs them again after a crash at any point.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .config import Settings

Pause = Callable[[str], None]
PAUSE_VARIABLE = "MEDIALIB_TEST_PAUSE_AT"
# Where a commit can be paused, in the order an ingest passes them (a removal takes its media
# folder out last, so it passes "commit-media" last).
COMMIT_POINTS = ("commit", "commit-media", "commit-catalog", "commit-database", "commit-index")


def pause_point(point: str) -> None:
    """Test hook: wait forever at `point` when MEDIALIB_TEST_PAUSE_AT names it.

    The fault tests run the real command line in a subprocess with this variable set, wait for
    the "paused at" line on stderr, then kill -9 the process there. Unset, it does nothing.
    """
    if os.environ.get(PAUSE_VARIABLE) != point:
        return
    os.write(2, f"medialib: paused at {point} (test hook {PAUSE_VARIABLE})\n".encode())
    while True:
        time.sleep(60)


def no_pause(_point: str) -> None:
    """Recovery never pauses."""


def read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def carry_over(current: Path, staged: Path) -> list[str]:
    """Hard-link into `staged` the files of `current` it lacks, so that the folder brought in
    still holds every file the old rows name until the switch; their names (taken out after)."""
    if not current.is_dir():
        return []
    names = []
    for path in sorted(current.iterdir()):
        if (staged / path.name).exists() or (staged / path.name).is_symlink():
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.copytree(path, staged / path.name, copy_function=_link_or_copy)
        else:
            _link_or_copy(path, staged / path.name)
        names.append(path.name)
    return names


def _link_or_copy(src: str | Path, dst: str | Path) -> None:
    try:
        os.link(src, dst, follow_symlinks=False)
    except OSError:  # a file system without hard links
        shutil.copy2(src, dst, follow_symlinks=False)


_libc = ctypes.CDLL(None, use_errno=True)
_AT_FDCWD, _RENAME_EXCHANGE = -100, 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step (Linux renameat2); False where that is not supported."""
    renameat2 = getattr(_libc, "renameat2", None)
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def bring_in(settings: Settings, folder: Path, journal: dict[str, Any], pause: Pause) -> None:
    """Step 1 of a committed change: new media, new transcripts and the catalog move in."""
    slug = str(journal["slug"])
    staged = folder / "new" / "media"
    target = settings.media_dir / slug
    inode = journal.get("media_inode")
    if staged.is_dir() and not (inode is not None and _inode(target) == inode):
        settings.media_dir.mkdir(parents=True, exist_ok=True)
        if not (target.exists() and _exchange(staged, target)):
            if target.exists():  # no atomic swap here: the old folder goes aside first
                shutil.rmtree(folder / "old" / "media", ignore_errors=True)
                (folder / "old").mkdir(exist_ok=True)
                target.rename(folder / "old" / "media")
            staged.rename(target)
        fsync_dir(settings.media_dir)
    if journal["op"] != "remove":
        pause("commit-media")
    transcripts = settings.transcripts_dir
    for name in sorted(journal.get("transcripts") or []):
        new = folder / "new" / "transcripts" / name
        if new.exists():
            transcripts.mkdir(parents=True, exist_ok=True)
            os.replace(new, transcripts / name)
    fsync_dir(transcripts)
    staged_catalog = folder / "catalog.yaml"
    if staged_catalog.exists():
        os.replace(staged_catalog, settings.catalog_path)
        fsync_dir(settings.library)
    pause("commit-catalog")


def take_out(settings: Settings, folder: Path, journal: dict[str, Any], pause: Pause) -> None:
    """Step 4: what only the old version had leaves the library (into the staging folder)."""
    slug = str(journal["slug"])
    target = settings.media_dir / slug
    old = folder / "old"
    old.mkdir(exist_ok=True)
    for name in journal.get("leftovers") or []:
        path = target / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
    if journal["op"] == "remove" and target.exists():
        shutil.rmtree(old / "media", ignore_errors=True)
        target.rename(old / "media")
        fsync_dir(settings.media_dir)
        pause("commit-media")
    keep = set(journal.get("transcripts") or [])
    (old / "transcripts").mkdir(exist_ok=True)
    for path in sorted(settings.transcripts_dir.glob(f"{slug}.*.txt")):
        if path.name not in keep and path.name.count(".") == 2:
            os.replace(path, old / "transcripts" / path.name)


def _inode(path: Path) -> int | None:
    try:
        return path.stat().st_ino
    except OSError:
        return None
