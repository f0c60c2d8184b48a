"""/media/<path>: the library's media files with byte ranges, validators and strict containment.

Only regular files inside settings.media_dir with a known media extension are served. Every
other path — `..`, encoded or not, absolute, dotfiles, NUL, backslashes, symlinks that lead out
of the folder, over-long names — is a 404, never a file from elsewhere.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from typing import BinaryIO

from flask import Blueprint, Response, abort, request
from werkzeug.http import quote_etag

from ..files import resolve_inside
from .context import settings
from .ranges import Slice, Unsatisfiable, byte_range

bp = Blueprint("media", __name__)

MEDIA_TYPES = {
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".webm": "video/webm",
    ".m4a": "audio/mp4",
    ".mp3": "audio/mpeg",
    ".vtt": "text/vtt; charset=utf-8",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".m3u8": "application/vnd.apple.mpegurl",  # HLS playlists (see renditions)
    ".m4s": "video/iso.segment",  # their fMP4 segments; an init segment is a .mp4
}
MAX_SEGMENT = 255
MAX_PATH = 1024
CHUNK = 256 * 1024
CACHE_SECONDS = 3600
YEAR = 365 * 24 * 3600


def cache_control(path: Path) -> str:
    """A year for a versioned URL (?v=, which changes with the file: pages version what they
    name, playlists every segment and playlist they list); an unversioned playlist is
    revalidated every time."""
    if request.args.get("v"):
        return f"public, max-age={YEAR}, immutable"
    if path.suffix.lower() == ".m3u8":
        return "public, no-cache"
    return f"public, max-age={CACHE_SECONDS}"


def safe_relative(relpath: str) -> tuple[str, ...] | None:
    """The path's segments if it is a plain relative path to a media file, else None."""
    if not relpath or len(relpath) > MAX_PATH or "\x00" in relpath or "\\" in relpath:
        return None
    parts = tuple(relpath.split("/"))
    for part in parts:
        if not part or len(part) > MAX_SEGMENT or part.startswith(".") or ":" in part:
            return None
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in part):
            return None
    if os.path.splitext(parts[-1])[1].lower() not in MEDIA_TYPES:
        return None
    return parts


def resolve_media(media_dir: Path, relpath: str) -> Path | None:
    """The real file under media_dir that relpath names, or None if it is missing or outside."""
    parts = safe_relative(relpath)
    return None if parts is None else resolve_inside(media_dir, *parts)


def etag_for(stat: os.stat_result) -> str:
    """A strong validator from the file's identity, size and modification time."""
    key = f"{stat.st_ino}-{stat.st_size}-{stat.st_mtime_ns}".encode()
    return hashlib.sha256(key).hexdigest()[:20]


def _read(fh: BinaryIO, first: int, length: int) -> Iterator[bytes]:
    """Yield `length` bytes from `first`, closing the file at the end or when the client leaves."""
    try:
        fh.seek(first)
        left = length
        while left > 0:
            block = fh.read(min(CHUNK, left))
            if not block:
                break
            left -= len(block)
            yield block
    finally:
        fh.close()


def _not_modified(etag: str, mtime: int) -> bool:
    """If-None-Match, else If-Modified-Since, says the client's copy is current."""
    inm = request.if_none_match
    if request.headers.get("If-None-Match") is not None:
        return inm.star_tag or inm.contains(etag)
    since = request.headers.get("If-Modified-Since")
    if since:
        try:
            return int(parsedate_to_datetime(since).timestamp()) >= mtime
        except (TypeError, ValueError, OverflowError, IndexError):
            return False
    return False


def _precondition_failed(etag: str, mtime: int) -> bool:
    """If-Match, else If-Unmodified-Since, fails."""
    if request.headers.get("If-Match") is not None:
        im = request.if_match
        return not (im.star_tag or im.contains(etag))
    since = request.headers.get("If-Unmodified-Since")
    if since:
        try:
            return int(parsedate_to_datetime(since).timestamp()) < mtime
        except (TypeError, ValueError, OverflowError, IndexError):
            return False
    return False


def _range_applies(etag: str, mtime: int) -> bool:
    """If-Range: the Range header counts only while the client's validator still matches."""
    value = request.headers.get("If-Range")
    if value is None:
        return True
    value = value.strip()
    if value.startswith(('"', "W/")):
        return value == quote_etag(etag)  # strong comparison: a weak tag never matches
    try:
        return int(parsedate_to_datetime(value).timestamp()) == mtime
    except (TypeError, ValueError, OverflowError, IndexError):
        return False


@bp.route("/media/<path:relpath>", methods=["GET", "HEAD"])
def media(relpath: str) -> Response:
    """A media file, whole or a byte range of it."""
    conf = settings()
    path = resolve_media(Path(conf.media_dir), relpath)
    if path is None:
        abort(404)
    try:
        stat = path.stat()
    except OSError:
        abort(404)
    size, mtime = stat.st_size, int(stat.st_mtime)
    etag = etag_for(stat)
    headers = {
        "Accept-Ranges": "bytes",
        "ETag": quote_etag(etag),
        "Last-Modified": formatdate(mtime, usegmt=True),
        "Cache-Control": cache_control(path),
    }
    mimetype = MEDIA_TYPES[path.suffix.lower()]

    if _precondition_failed(etag, mtime):
        return Response(status=412, headers=headers)
    if _not_modified(etag, mtime):
        return Response(status=304, headers=headers)

    if conf.accel_redirect:
        # nginx serves the bytes (ranges included) from its internal location.
        rel = path.relative_to(Path(conf.media_dir).resolve()).as_posix()
        headers["X-Accel-Redirect"] = conf.accel_redirect.rstrip("/") + "/" + rel
        return Response(b"", headers=headers, content_type=mimetype)

    part: Slice | None = None
    if "Range" in request.headers and _range_applies(etag, mtime):
        try:
            part = byte_range(request.headers["Range"], size)
        except Unsatisfiable as exc:
            headers["Content-Range"] = exc.content_range
            return Response(b"", status=416, headers=headers, content_type="text/plain")

    first, length, status = (0, size, 200) if part is None else (part.first, part.length, 206)
    if part is not None:
        headers["Content-Range"] = part.content_range
    headers["Content-Length"] = str(length)
    if request.method == "HEAD":
        return Response(status=status, headers=headers, content_type=mimetype)
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed by _read or the server when sent
    except OSError:
        abort(404)
    return Response(
        _body(fh, first, length), status=status, headers=headers, content_type=mimetype,
        direct_passthrough=True,
    )


def _body(fh: BinaryIO, first: int, length: int) -> Iterable[bytes]:
    """The bytes to send. Under a server with a file wrapper (waitress), the file itself: the
    server sends it from its event loop, Content-Length bytes from `first`, so a visitor who
    reads slowly, or not at all, holds a socket but never a worker thread."""
    wrapper = request.environ.get("wsgi.file_wrapper")
    if wrapper is not None and getattr(wrapper, "__module__", "") in SIZED_FILE_WRAPPERS:
        fh.seek(first)
        return wrapper(fh, CHUNK)  # type: ignore[no-any-return]
    return _read(fh, first, length)


# Wrappers known to send only Content-Length bytes from the file's position (waitress's
# ReadOnlyFileBasedBuffer.prepare); any other server gets the generator, which stops itself.
SIZED_FILE_WRAPPERS = frozenset({"waitress.buffers"})
