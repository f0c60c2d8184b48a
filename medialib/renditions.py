"""HLS renditions of a webcast's web file, in media/<slug>/hls/, beside the MP4 (which stays the
universal fallback: browsers without HLS, downloads, the podcast feed).

    master.m3u8        the video renditions (BANDWIDTH from the real segment sizes, CODECS from
                       the real H.264 profile and level, RESOLUTION)
    <name>/index.m3u8  a media playlist, its init.mp4 and fMP4 segments (about 6 s)
    listen.m4a         the audio rendition as one file (listen-only without HLS)
    poster-640.jpg     a smaller poster for phones
    manifest.json      written last: every file's checksum, each rendition's measured bitrates

The source rendition copies the web MP4's streams (always web-safe H.264/AAC after ingest's
normalize); 360p and 240p are encoded, never above the source; "audio" is 64 kb/s AAC. An
audio-only webcast has only the audio rendition. One ffmpeg process makes every rendition
(one decode), with progress. `build` writes into a fresh folder; callers move it into place
whole (ingest through staging, `build_for_library` by a rename), so a library never holds
half a set.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ffmpeg

from . import hls
from .media import Conversion, MediaError, Probe, _abs, file_checksum, probe

FOLDER = "hls"
MASTER = "master.m3u8"
MANIFEST = "manifest.json"
LISTEN = "listen.m4a"
SMALL_POSTER = "poster-640.jpg"
SMALL_POSTER_WIDTH = 640
SEGMENT_SECONDS = 6
AUDIO_KBPS = 64
FORMAT = 1  # manifest.json's format


@dataclass(frozen=True)
class Rung:
    """One rendition to make: "source" (copied), an encoded height, or "audio"."""

    name: str
    height: int | None = None  # None: the source's own (copied) or no video
    video_kbps: int = 0
    audio_kbps: int = 0
    copy: bool = False

    @property
    def kind(self) -> str:
        return "audio" if self.name == "audio" else "video"


LOWER = (Rung("360p", 360, 700, 96), Rung("240p", 240, 350, 64))


def ladder(p: Probe) -> list[Rung]:
    """The renditions of a probed web file: source, the lower heights below it, audio."""
    rungs: list[Rung] = []
    if p.video is not None:
        rungs.append(Rung("source", copy=True))
        short = min(p.video.width, p.video.height)
        rungs += [r for r in LOWER if r.height is not None and r.height < short]
    if p.audio is not None:
        rungs.append(Rung("audio", audio_kbps=AUDIO_KBPS))
    return rungs


def _hls_options(folder: Path, name: str) -> dict[str, Any]:
    return {
        "f": "hls", "hls_time": SEGMENT_SECONDS, "hls_playlist_type": "vod",
        "hls_segment_type": "fmp4", "hls_fmp4_init_filename": "init.mp4",
        "hls_segment_filename": _abs(folder / name / "seg%05d.m4s"),
        "hls_flags": "independent_segments",
    }


def ffmpeg_command(src: Path, folder: Path, p: Probe, rungs: list[Rung]) -> list[str]:
    """One ffmpeg command writing every rendition of `rungs` (and listen.m4a) into `folder`."""
    source = ffmpeg.input(_abs(src))
    video = source[str(p.video.index)] if p.video else None
    audio = source[str(p.audio.index)] if p.audio else None
    outputs = []
    for rung in rungs:
        (folder / rung.name).mkdir(parents=True, exist_ok=True)
        opts = _hls_options(folder, rung.name)
        streams = []
        if rung.kind == "video" and video is not None:
            if rung.copy:
                streams.append(video)
                opts["c:v"] = "copy"
            else:
                streams.append(video.filter("scale", -2, rung.height))
                opts.update({
                    "c:v": "libx264", "preset": "veryfast", "profile:v": "main",
                    "pix_fmt": "yuv420p", "crf": 26, "maxrate": f"{rung.video_kbps}k",
                    "bufsize": f"{rung.video_kbps * 2}k", "sc_threshold": 0,
                    "force_key_frames": f"expr:gte(t,n_forced*{SEGMENT_SECONDS})",
                })
        if audio is not None:
            streams.append(audio)
            if rung.copy:
                opts["c:a"] = "copy"
            else:
                opts.update({"c:a": "aac", "b:a": f"{rung.audio_kbps}k",
                             "ac": 1 if rung.kind == "audio" else 2})
        outputs.append(ffmpeg.output(*streams, _abs(folder / rung.name / "index.m3u8"), **opts))
    if audio is not None and p.video is not None:
        outputs.append(ffmpeg.output(audio, _abs(folder / LISTEN), f="mp4", movflags="+faststart",
                                     **{"c:a": "aac", "b:a": f"{AUDIO_KBPS}k", "ac": 1}))
    args = ffmpeg.merge_outputs(*outputs).compile(cmd="ffmpeg", overwrite_output=True)
    return [args[0], "-hide_banner", "-nostdin", "-v", "error", *args[1:]]


def avc_codec(init: Path) -> str:
    """"avc1.PPCCLL" from the avcC box of an init segment: profile, constraints, level."""
    data = init.read_bytes()
    at = data.find(b"avcC")
    if at < 0 or len(data) < at + 8:
        raise MediaError(init, "no H.264 configuration (avcC) in this init segment")
    return "avc1." + data[at + 5:at + 8].hex().upper()


_AAC_OBJECT = {"LC": 2, "HE-AAC": 5, "HE-AACv2": 29}


def _aac_object(src: Path, index: int) -> int:
    info = ffmpeg.probe(_abs(src), v="error", select_streams=str(index))
    stream = (info.get("streams") or [{}])[0]
    return _AAC_OBJECT.get(str(stream.get("profile") or "LC"), 2)


def _finish_rendition(folder: Path, rung: Rung, src: Path, p: Probe) -> dict[str, Any]:
    """Version the playlist's URIs, measure the bitrates, read the codecs; the manifest row."""
    path = folder / rung.name / "index.m3u8"
    playlist = hls.read_media_playlist(path)
    names = ([hls.file_of(playlist.init)] if playlist.init else []) + [
        hls.file_of(s.uri) for s in playlist.segments]
    sums = {name: file_checksum(path.parent / name) for name in names}
    path.write_text(hls.write_media_playlist(playlist, sums), encoding="utf-8")
    sizes = [(path.parent / hls.file_of(s.uri)).stat().st_size for s in playlist.segments]
    rates = [size * 8 / s.duration for size, s in zip(sizes, playlist.segments, strict=True)
             if s.duration >= 1.0] or [sum(sizes) * 8 / max(playlist.duration, 0.001)]
    codecs = []
    if rung.kind == "video" and p.video is not None:
        codecs.append(avc_codec(path.parent / "init.mp4"))
    if p.audio is not None:
        aot = _aac_object(src, p.audio.index) if rung.copy else 2
        codecs.append(f"mp4a.40.{aot}")
    width = height = None
    if rung.kind == "video" and p.video is not None:
        size = probe(path.parent / "init.mp4").video
        width, height = (size.width, size.height) if size else (None, None)
    init = path.parent / "init.mp4"
    return {
        "name": rung.name, "kind": rung.kind, "playlist": f"{rung.name}/index.m3u8",
        "playlist_checksum": file_checksum(path),
        "bandwidth": int(max(rates) * 1.05), "average_bandwidth": int(sum(sizes) * 8 /
                                                                     playlist.duration),
        "codecs": ",".join(codecs), "width": width, "height": height,
        "duration": round(playlist.duration, 3),
        "bytes": sum(sizes) + (init.stat().st_size if init.exists() else 0),
        "files": {f"{rung.name}/{name}": digest for name, digest in sums.items()},
    }


def _useful(folder: Path, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Without the lower renditions that came out no smaller than the source (a still slide
    compresses to almost nothing at any size): a player would gain nothing switching to them."""
    source = next((r for r in rows if r["name"] == "source"), None)
    kept = []
    for row in rows:
        if (source is not None and row["kind"] == "video" and row is not source
                and row["average_bandwidth"] >= source["average_bandwidth"]):
            shutil.rmtree(folder / row["name"])
            continue
        kept.append(row)
    return kept


def make_small_poster(poster: Path, dest: Path) -> bool:
    """A 640-pixel-wide copy of a larger poster; was one made?"""
    args = (ffmpeg.input(_abs(poster))
            .output(_abs(dest), vf=f"scale='min({SMALL_POSTER_WIDTH},iw)':-2", f="image2",
                    update=1, **{"frames:v": 1, "q:v": 4})
            .compile(cmd="ffmpeg", overwrite_output=True))
    args[1:1] = ["-hide_banner", "-nostdin", "-v", "error"]
    result = subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True)
    return result.returncode == 0 and dest.is_file()


def build(src: Path, folder: Path, poster: Path | None = None,
          progress: Callable[[float], None] | None = None,
          started: Callable[[Conversion], None] | None = None) -> dict[str, Any]:
    """Every rendition of the web file `src` in the new folder `folder`; the manifest.

    `started` is given the running ffmpeg (so a caller can cancel it). On failure the folder
    is removed and MediaError names the file."""
    p = probe(src)
    rungs = ladder(p)
    folder.mkdir(parents=True)
    try:
        args = ffmpeg_command(src, folder, p, rungs)
        conversion = Conversion.launch(args, src, folder / MASTER, p.duration)
        if started is not None:
            started(conversion)
        conversion.follow(progress)
        rows = [_finish_rendition(folder, rung, src, p) for rung in rungs]
        rows = _useful(folder, rows)
        files: dict[str, str] = {}
        for row in rows:
            files.update(row.pop("files"))
            files[row["playlist"]] = row.pop("playlist_checksum")
        videos = [r for r in rows if r["kind"] == "video"] or rows
        # The first variant is where a player starts: 360p when there is one (phones, slow links).
        first = next((r for r in videos if r["name"] == "360p"), videos[0])
        variants = [hls.Variant(hls.versioned(r["playlist"], files[r["playlist"]]),
                                r["bandwidth"], r["average_bandwidth"], r["codecs"],
                                (r["width"], r["height"]) if r["width"] else None, 0)
                    for r in videos]
        text = hls.write_master_playlist(variants)
        head, _, rest = text.partition("#EXT-X-STREAM-INF")
        chunks = ["#EXT-X-STREAM-INF" + c for c in rest.split("#EXT-X-STREAM-INF")] if rest else []
        chunks.sort(key=lambda c: 0 if f"{first['name']}/index.m3u8" in c else 1)
        (folder / MASTER).write_text(head + "".join(chunks), encoding="utf-8")
        files[MASTER] = file_checksum(folder / MASTER)
        listen = folder / LISTEN
        if listen.exists():
            files[LISTEN] = file_checksum(listen)
        if poster is not None and poster.is_file() and p.video is not None:
            if make_small_poster(poster, folder / SMALL_POSTER):
                files[SMALL_POSTER] = file_checksum(folder / SMALL_POSTER)
        manifest = {
            "format": FORMAT, "source": src.name, "source_size": p.size,
            "duration": round(p.duration, 3), "renditions": rows, "files": files,
        }
        (folder / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
        return manifest
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """hls/manifest.json of a webcast folder's renditions, or None if there is none (or it is
    unreadable)."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("format") == FORMAT else None


def is_current(folder: Path, src: Path) -> bool:
    """Renditions exist and were made from this web file (same name and size)."""
    manifest = read_manifest(folder)
    try:
        size = src.stat().st_size
    except OSError:
        return False
    return bool(manifest and manifest.get("source") == src.name
                and manifest.get("source_size") == size)


def check(folder: Path, duration: float | None) -> list[str]:
    """What is wrong with a webcast's renditions: the manifest, a playlist that does not parse
    or lists a missing file, durations that do not add up, a file that fails its checksum."""
    manifest = read_manifest(folder)
    if manifest is None:
        return [f"{folder / MANIFEST}: missing or unreadable"]
    problems: list[str] = []
    try:
        variants = hls.read_master_playlist(folder / MASTER)
    except hls.PlaylistError as exc:
        problems.append(str(exc))
        variants = []
    for v in variants:
        if not (folder / hls.file_of(v.uri)).is_file():
            problems.append(f"{folder / MASTER}:{v.line}: lists {hls.file_of(v.uri)}, which is "
                            "missing")
    for row in manifest.get("renditions") or []:
        problems += hls.check_media_playlist(folder / str(row.get("playlist")), duration)
    for name, digest in (manifest.get("files") or {}).items():
        path = folder / name
        if not path.is_file():
            problems.append(f"{path}: missing")
        elif file_checksum(path, str(digest).partition(":")[0]) != digest:
            problems.append(f"{path}: does not match its checksum")
    return problems


def megabytes_per_hour(bits_per_second: int) -> int:
    """A bitrate as the megabytes an hour of it uses, rounded."""
    return round(bits_per_second * 3600 / 8 / 1e6)
