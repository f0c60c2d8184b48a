"""HLS playlists: reading, writing and checking the master and media playlists of a webcast's
renditions (media/<slug>/hls/). No ffmpeg here (see renditions); PlaylistError names the file
and line at fault.

Every URI a playlist lists carries `?v=<first 12 hex digits of the file's checksum>`, so a
browser or CDN may keep segments and media playlists for a year: a rebuilt rendition has new
URIs. Only the master playlist's own URL is versioned by the page that names it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .errors import LocatedError

MIME = "application/vnd.apple.mpegurl"
_ATTRIBUTE = re.compile(r'([A-Z0-9-]+)=("[^"]*"|[^,]*)')
DURATION_TOLERANCE = 0.5  # seconds: segment durations are rounded, the last frame's length differs


class PlaylistError(LocatedError):
    """A playlist cannot be read or lists something wrong; names the file and line."""


@dataclass(frozen=True)
class Segment:
    uri: str
    duration: float
    line: int


@dataclass(frozen=True)
class MediaPlaylist:
    path: Path
    target_duration: int
    init: str | None
    segments: tuple[Segment, ...]

    @property
    def duration(self) -> float:
        return sum(s.duration for s in self.segments)


@dataclass(frozen=True)
class Variant:
    uri: str
    bandwidth: int
    average_bandwidth: int | None
    codecs: str
    resolution: tuple[int, int] | None
    line: int


def file_of(uri: str) -> str:
    """The relative file a URI names (without its ?v= version)."""
    return uri.partition("?")[0]


def versioned(uri: str, checksum: str) -> str:
    """`uri?v=<12 hex digits>` of a checksum such as "blake3:<hex>"."""
    return f"{uri}?v={checksum.rpartition(':')[2][:12]}"


def attributes(text: str) -> dict[str, str]:
    """An attribute list (BANDWIDTH=1,CODECS="a,b") as a dict, quotes removed."""
    return {key: value.strip('"') for key, value in _ATTRIBUTE.findall(text)}


def _lines(path: Path) -> list[tuple[int, str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PlaylistError(path, f"cannot be read ({exc})") from None
    lines = [(n, line.strip()) for n, line in enumerate(text.splitlines(), start=1)]
    if not lines or lines[0][1] != "#EXTM3U":
        raise PlaylistError(path, "is not an HLS playlist (no #EXTM3U first line)", 1)
    return [(n, line) for n, line in lines if line]


def _safe_uri(path: Path, line: int, uri: str) -> str:
    name = file_of(uri)
    if not name or name.startswith("/") or ".." in name.split("/") or "://" in uri:
        raise PlaylistError(path, f"lists {uri!r}, which is not a file beside it", line)
    return uri


def read_media_playlist(path: Path) -> MediaPlaylist:
    """A VOD media playlist: its init segment, segments and durations."""
    target, init, pending = 0, None, None
    segments: list[Segment] = []
    ended = False
    for n, line in _lines(path):
        if line.startswith("#EXT-X-TARGETDURATION:"):
            try:
                target = int(line.partition(":")[2])
            except ValueError:
                raise PlaylistError(path, "EXT-X-TARGETDURATION is not a whole number", n) from None
        elif line.startswith("#EXT-X-MAP:"):
            init = _safe_uri(path, n, attributes(line.partition(":")[2]).get("URI", ""))
        elif line.startswith("#EXTINF:"):
            try:
                pending = float(line.partition(":")[2].partition(",")[0])
            except ValueError:
                raise PlaylistError(path, "EXTINF has no duration", n) from None
        elif line == "#EXT-X-ENDLIST":
            ended = True
        elif not line.startswith("#"):
            if pending is None:
                raise PlaylistError(path, f"{line!r} has no #EXTINF before it", n)
            segments.append(Segment(_safe_uri(path, n, line), pending, n))
            pending = None
    if not segments:
        raise PlaylistError(path, "lists no segments")
    if not ended:
        raise PlaylistError(path, "has no #EXT-X-ENDLIST (a complete recording has one)")
    longest = max(s.duration for s in segments)
    if target < round(longest):
        raise PlaylistError(path, f"EXT-X-TARGETDURATION {target} is shorter than a segment "
                            f"({longest:.3f} s)")
    return MediaPlaylist(path, target, init, tuple(segments))


def read_master_playlist(path: Path) -> list[Variant]:
    """The variants a master playlist lists, with their attributes."""
    variants: list[Variant] = []
    pending: tuple[int, dict[str, str]] | None = None
    for n, line in _lines(path):
        if line.startswith("#EXT-X-STREAM-INF:"):
            pending = (n, attributes(line.partition(":")[2]))
        elif not line.startswith("#"):
            if pending is None:
                raise PlaylistError(path, f"{line!r} has no #EXT-X-STREAM-INF before it", n)
            at, attrs = pending
            try:
                bandwidth = int(attrs["BANDWIDTH"])
                average = int(attrs["AVERAGE-BANDWIDTH"]) if "AVERAGE-BANDWIDTH" in attrs else None
                width, _, height = attrs.get("RESOLUTION", "").partition("x")
                resolution = (int(width), int(height)) if height else None
            except (KeyError, ValueError):
                raise PlaylistError(path, "EXT-X-STREAM-INF needs a numeric BANDWIDTH (and "
                                    "RESOLUTION as WxH)", at) from None
            if not attrs.get("CODECS"):
                raise PlaylistError(path, "EXT-X-STREAM-INF has no CODECS", at)
            variants.append(Variant(_safe_uri(path, n, line), bandwidth, average,
                                    attrs["CODECS"], resolution, at))
            pending = None
    if not variants:
        raise PlaylistError(path, "lists no variants")
    return variants


def write_media_playlist(playlist: MediaPlaylist, checksums: dict[str, str]) -> str:
    """The playlist's text with every URI versioned by its file's checksum (`checksums` is by
    file name)."""
    out = ["#EXTM3U", "#EXT-X-VERSION:7", f"#EXT-X-TARGETDURATION:{playlist.target_duration}",
           "#EXT-X-MEDIA-SEQUENCE:0", "#EXT-X-PLAYLIST-TYPE:VOD", "#EXT-X-INDEPENDENT-SEGMENTS"]
    if playlist.init:
        init = file_of(playlist.init)
        out.append(f'#EXT-X-MAP:URI="{versioned(init, checksums[init])}"')
    for s in playlist.segments:
        out += [f"#EXTINF:{s.duration:.6f},", versioned(file_of(s.uri), checksums[file_of(s.uri)])]
    out.append("#EXT-X-ENDLIST")
    return "\n".join(out) + "\n"


def write_master_playlist(variants: list[Variant]) -> str:
    """A master playlist listing `variants`, highest bandwidth first."""
    out = ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-INDEPENDENT-SEGMENTS"]
    for v in sorted(variants, key=lambda v: -v.bandwidth):
        attrs = [f"BANDWIDTH={v.bandwidth}"]
        if v.average_bandwidth:
            attrs.append(f"AVERAGE-BANDWIDTH={v.average_bandwidth}")
        attrs.append(f'CODECS="{v.codecs}"')
        if v.resolution:
            attrs.append(f"RESOLUTION={v.resolution[0]}x{v.resolution[1]}")
        out += ["#EXT-X-STREAM-INF:" + ",".join(attrs), v.uri]
    return "\n".join(out) + "\n"


def check_media_playlist(path: Path, duration: float | None) -> list[str]:
    """What is wrong with a media playlist: unreadable, a listed file missing, or durations
    that do not add up to the media's `duration` (seconds)."""
    try:
        playlist = read_media_playlist(path)
    except PlaylistError as exc:
        return [str(exc)]
    problems = []
    for uri, line in ([(playlist.init, 0)] if playlist.init else []) + [
            (s.uri, s.line) for s in playlist.segments]:
        if not (path.parent / file_of(uri)).is_file():
            where = f"{path}:{line}" if line else str(path)
            problems.append(f"{where}: lists {file_of(uri)}, which is missing")
    if duration and abs(playlist.duration - duration) > max(DURATION_TOLERANCE, duration * 0.01):
        problems.append(f"{path}: its segments last {playlist.duration:.3f} s, the media "
                        f"{duration:.3f} s")
    return problems
