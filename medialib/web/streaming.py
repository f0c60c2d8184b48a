"""What the player page offers from a webcast's HLS renditions (media/<slug>/hls/, see
renditions): the master playlist first, the listen-only audio, the smaller poster, and how many
megabytes an hour each uses. A webcast without renditions (a library made before them, or
still being built) gets None, and its page offers the MP4 alone, as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .. import models as m
from ..renditions import FOLDER, LISTEN, MANIFEST, MASTER, SMALL_POSTER, megabytes_per_hour
from ..renditions import read_manifest as _read_manifest
from .context import settings
from .present import media_url

HLS_TYPE = "application/vnd.apple.mpegurl"


@dataclass(frozen=True)
class Streams:
    """A webcast's renditions as the player names them (URLs versioned by checksum)."""

    master: str | None  # the video renditions; None for an audio-only webcast
    audio: str | None  # the audio rendition's playlist
    audio_file: str | None  # the same audio as one M4A file (browsers without HLS)
    small_poster: str | None
    audio_mb_hour: int | None  # listen only
    video_mb_hour: int | None  # the MP4, what a patient otherwise downloads

    @property
    def can_listen(self) -> bool:
        return bool(self.master and self.audio and self.audio_mb_hour is not None
                    and self.video_mb_hour)


@lru_cache(maxsize=256)  # keyed by the manifest's identity: a rebuilt one is read again
def _manifest(path: str, _mtime_ns: int, _size: int) -> dict[str, Any] | None:
    return _read_manifest(Path(path).parent)


def streams(webcast: m.Webcast) -> Streams | None:
    """The renditions of `webcast`, or None when it has none (or they are incomplete)."""
    folder = Path(settings().media_dir) / webcast.slug / FOLDER
    try:
        stat = (folder / MANIFEST).stat()
    except OSError:
        return None
    manifest = _manifest(str(folder / MANIFEST), stat.st_mtime_ns, stat.st_size)
    if manifest is None:
        return None
    files: dict[str, str] = manifest.get("files") or {}
    rows = {r.get("name"): r for r in manifest.get("renditions") or []}

    def url(name: str) -> str | None:
        return media_url(webcast.slug, f"{FOLDER}/{name}", files[name]) if name in files else None

    audio = rows.get("audio")
    duration = float(manifest.get("duration") or 0)
    video_rate = int(int(manifest.get("source_size") or 0) * 8 / duration) if duration else 0
    has_video = any(r.get("kind") == "video" for r in rows.values())
    return Streams(
        master=url(MASTER) if has_video else None,
        audio=url(str(audio["playlist"])) if audio else None,
        audio_file=url(LISTEN),
        small_poster=url(SMALL_POSTER),
        audio_mb_hour=megabytes_per_hour(int(audio["average_bandwidth"])) if audio else None,
        video_mb_hour=megabytes_per_hour(video_rate) if video_rate else None,
    )
