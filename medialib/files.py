"""Small file helpers shared by the library's writers."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data` so readers see the old or the new file, never a mix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp makes the file private (0600); keep the replaced file's mode, or the usual
        # 0644, so a web server running as another user can still read the library.
        try:
            mode = path.stat().st_mode & 0o777
        except OSError:
            mode = 0o644
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def resolve_inside(base: Path, *parts: str) -> Path | None:
    """The real regular file base/<parts...> names, or None when it is missing, not a file, or
    resolves outside `base` (a symlink or ".." that leads elsewhere).

    The one rule for every file the web reads: media, captions, transcripts, posters and any
    rendition all pass through here.
    """
    # os.path on strings, not pathlib: the same checks at half the cost, and pages make one per
    # card or feed item (a poster, a media file).
    try:
        root = os.path.realpath(base, strict=True)
        target = _plain(root, parts) or os.path.realpath(os.path.join(root, *parts), strict=True)
    except (OSError, RuntimeError, ValueError, TypeError):
        return None
    inside = root if root.endswith(os.sep) else root + os.sep
    if not target.startswith(inside) or not os.path.isfile(target):
        return None
    return Path(target)


def _plain(root: str, parts: tuple[str, ...]) -> str | None:
    """root/<parts> when each part is one plain name and none is a symbolic link: then that is
    the real path, found with one lstat a part instead of realpath's one a component. None
    when realpath must decide (a link, "..", a separator inside a part)."""
    path = root
    for part in parts:
        if part in ("", ".", "..") or os.sep in part or (os.altsep and os.altsep in part):
            return None
        path = os.path.join(path, part)
        if stat.S_ISLNK(os.lstat(path).st_mode):  # a missing part raises: nothing is there
            return None
    return path


def read_inside(base: Path, *parts: str) -> bytes | None:
    """The bytes of the file resolve_inside finds, or None when there is none or it cannot be
    read."""
    path = resolve_inside(base, *parts)
    if path is None:
        return None
    try:
        return path.read_bytes()
    except OSError:
        return None


def escaping_links(library: Path, folder: Path) -> list[Path]:
    """Symlinks under `folder` (itself included) whose target lies outside `library`."""
    root = Path(library).resolve()
    found: list[Path] = []
    if not folder.is_symlink() and not folder.is_dir():
        return found
    candidates = [folder]
    if folder.is_dir() and not folder.is_symlink():
        for dirpath, dirnames, filenames in os.walk(folder):  # never follows a link
            candidates += [Path(dirpath, name) for name in (*dirnames, *filenames)]
    for path in candidates:
        if path.is_symlink() and not _leads_inside(path, root):
            found.append(path)
    return sorted(found)


def _leads_inside(link: Path, root: Path) -> bool:
    try:
        target = link.resolve(strict=False)
    except (OSError, RuntimeError):
        return False
    return target.is_relative_to(root)


def first_escaping_link(library: Path, *folders: Path) -> Path | None:
    """The first symlink under `folders` that leads out of `library`, if any (writers refuse to
    write through one)."""
    for folder in folders:
        links = escaping_links(library, folder)
        if links:
            return links[0]
    return None
