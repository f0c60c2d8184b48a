"""Everything that calls ffmpeg/ffprobe: probe, normalize (remux/transcode) with progress, poster.

Commands are built with ffmpeg-python and run with `subprocess`, so a failure carries the tail of
ffmpeg's own message and an interrupted run never leaves a partial output behind. Paths are made
absolute before they reach ffmpeg, so a file name with a colon or a leading dash is never read as
a protocol or an option.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import blake3
import ffmpeg

from .chapters import Chapter
from .errors import MedialibError

WEB_CONTAINERS = {"mov", "mp4", "m4a"}  # ffprobe's format_name for MP4/MOV/M4A lists these
COPYABLE_CONTAINERS = WEB_CONTAINERS | {"matroska", "webm"}  # clean timestamps, avcC/ASC headers
TEXT_SUBTITLES = {"mov_text", "subrip", "srt", "webvtt", "ass", "ssa", "text"}
IMAGE_FORMATS = {"image2", "gif", "apng"}  # and every "*_pipe" (png_pipe, jpeg_pipe, ...)
MAX_SHORT_SIDE, MAX_LONG_SIDE = 1080, 1920
STDERR_TAIL = 1500  # characters of ffmpeg's stderr kept in an error message
CHECKSUM = "blake3"  # the algorithm of every checksum an ingest records
THREADED_BYTES = 32 << 20  # files this large are hashed memory-mapped, on every core
_PR_SET_PDEATHSIG = 1
_LIBC = ctypes.CDLL(None) if sys.platform.startswith("linux") else None


class MediaError(MedialibError):
    """A media file cannot be read or converted; the message names the file."""

    def __init__(self, path: Path | str, message: str):
        self.path = str(path)
        self.message = message
        super().__init__(f"{self.path}: {message}")


@dataclass(frozen=True)
class VideoStream:
    codec: str
    width: int
    height: int
    pix_fmt: str | None
    fps: float | None
    profile: str | None
    index: int = 0


@dataclass(frozen=True)
class AudioStream:
    codec: str
    channels: int
    sample_rate: int | None
    index: int = 0


@dataclass(frozen=True)
class SubtitleStream:
    index: int
    codec: str
    language: str | None

    @property
    def is_text(self) -> bool:
        """A text stream (convertible to WebVTT), not a bitmap one such as DVD or PGS."""
        return self.codec in TEXT_SUBTITLES


@dataclass(frozen=True)
class Probe:
    """What ffprobe says about a media file, reduced to what ingest needs."""

    path: str
    duration: float
    format_name: str
    size: int
    video: VideoStream | None
    audio: AudioStream | None
    subtitles: list[SubtitleStream] = field(default_factory=list)
    chapters: list[Chapter] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return "video" if self.video else "audio"

    @property
    def containers(self) -> set[str]:
        return set(self.format_name.split(","))


@dataclass(frozen=True)
class Plan:
    """How a probed file becomes web-ready: what is copied and what is re-encoded."""

    kind: str  # "video" | "audio"
    action: str  # "remux" (nothing re-encoded) | "transcode"
    output: str  # "video.mp4" | "audio.m4a"
    mime: str  # "video/mp4" | "audio/mp4"
    description: str
    video_index: int | None = None
    audio_index: int | None = None
    copy_video: bool = False
    copy_audio: bool = False
    audio_sample_rate: int | None = None  # set when the source rate must change for AAC


def _ratio(text: str | None) -> float | None:
    try:
        num, _, den = (text or "").partition("/")
        value = float(num) / float(den or 1)
    except (ValueError, ZeroDivisionError):
        return None
    return round(value, 3) if value > 0 else None


def _float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _is_image(format_name: str) -> bool:
    return format_name in IMAGE_FORMATS or format_name.endswith("_pipe")


def _abs(path: Path | str) -> str:
    return str(Path(path).resolve())


def probe(path: Path | str) -> Probe:
    """Probe a media file with ffprobe; MediaError if unreadable or without audio and video."""
    try:
        info = ffmpeg.probe(_abs(path), v="error", show_chapters=None)
    except ffmpeg.Error as exc:
        detail = _tail(exc.stderr) or "unknown error"
        raise MediaError(path, f"ffprobe cannot read this file ({detail})") from None
    except OSError as exc:
        raise MediaError(path, f"cannot run ffprobe ({exc})") from None
    except ValueError as exc:  # output that is not JSON
        raise MediaError(path, f"ffprobe cannot read this file ({exc})") from None
    fmt = info.get("format") or {}
    format_name = str(fmt.get("format_name") or "")
    video = audio = None
    subtitles: list[SubtitleStream] = []
    for s in info.get("streams") or []:
        kind, codec = s.get("codec_type"), str(s.get("codec_name") or "unknown")
        disposition = s.get("disposition") or {}
        if kind == "video" and video is None:
            # Cover art in an M4A or MP3 is an "attached picture"; a JPEG or PNG file is a still.
            if disposition.get("attached_pic") or _is_image(format_name):
                continue
            video = VideoStream(
                codec=codec,
                width=int(s.get("width") or 0),
                height=int(s.get("height") or 0),
                pix_fmt=s.get("pix_fmt"),
                fps=_ratio(s.get("avg_frame_rate")) or _ratio(s.get("r_frame_rate")),
                profile=s.get("profile"),
                index=int(s["index"]),
            )
        elif kind == "audio" and audio is None:
            audio = AudioStream(
                codec=codec,
                channels=int(s.get("channels") or 0),
                sample_rate=int(s["sample_rate"]) if s.get("sample_rate") else None,
                index=int(s["index"]),
            )
        elif kind == "subtitle":
            language = (s.get("tags") or {}).get("language")
            subtitles.append(SubtitleStream(int(s["index"]), codec, language))
    if video is None and audio is None:
        raise MediaError(path, "no audio or video stream")
    duration = _float(fmt.get("duration"))
    if duration is None:  # some raw streams only know their streams' durations
        durations = [_float(s.get("duration")) for s in info.get("streams") or []]
        duration = max((d for d in durations if d), default=0.0)
    chapters = [
        Chapter(
            start=round(max(0.0, _float(c.get("start_time")) or 0.0), 3),
            title=str((c.get("tags") or {}).get("title") or "").strip() or f"Chapter {n}",
        )
        for n, c in enumerate(info.get("chapters") or [], start=1)
    ]
    size = int(fmt.get("size") or 0) or Path(path).stat().st_size
    return Probe(_abs(path), duration, format_name, size, video, audio, subtitles, chapters)


def plan(p: Probe) -> Plan:
    """Decide remux or transcode: web-safe H.264/AAC streams are copied, anything else re-encoded.

    H.264 (8-bit 4:2:0) video and AAC audio are copied from MP4/MOV and from Matroska/WebM, whose
    timestamps and codec headers carry over to MP4 cleanly; other containers (AVI, MPEG-TS, FLV)
    are re-encoded. Subtitle, data and chapter streams never reach the output.
    """
    copyable = bool(p.containers & COPYABLE_CONTAINERS)
    a, v = p.audio, p.video
    copy_audio = bool(a and a.codec == "aac" and copyable)
    rate = 48000 if a and not copy_audio and a.sample_rate not in (44100, 48000) else None
    if v is None:
        assert a is not None
        copy_audio = copy_audio and bool(p.containers & WEB_CONTAINERS)
        what = (f"copy {a.codec} audio into M4A (fast start)" if copy_audio
                else f"transcode {a.codec} audio to AAC M4A")
        return Plan("audio", "remux" if copy_audio else "transcode", "audio.m4a", "audio/mp4",
                    what, audio_index=a.index, copy_audio=copy_audio, audio_sample_rate=rate)
    copy_video = v.codec == "h264" and v.pix_fmt == "yuv420p" and copyable
    size = f"{v.codec} {v.width}x{v.height}"
    parts = [f"copy {size} video" if copy_video else f"transcode {size} video to H.264"]
    if a:
        parts.append(f"copy {a.codec} audio" if copy_audio else f"transcode {a.codec} audio to AAC")
    remux = copy_video and (a is None or copy_audio)
    return Plan("video", "remux" if remux else "transcode", "video.mp4", "video/mp4",
                ", ".join(parts) + " into MP4 (fast start)", video_index=v.index,
                audio_index=a.index if a else None, copy_video=copy_video, copy_audio=copy_audio,
                audio_sample_rate=rate)


# Fit inside 1920x1080 (1080x1920 when portrait), never upscale, even dimensions. The expressions
# see the frame after ffmpeg's autorotation, so a phone's portrait video is fitted as portrait.
_FIT = (
    f"min(1,if(gte(iw,ih),min({MAX_LONG_SIDE}/iw,{MAX_SHORT_SIDE}/ih),"
    f"min({MAX_SHORT_SIDE}/iw,{MAX_LONG_SIDE}/ih)))"
)
SCALE_FILTER = f"scale=w='max(2,2*trunc(iw*{_FIT}/2))':h='max(2,2*trunc(ih*{_FIT}/2))'"


def ffmpeg_args(src: Path | str, dest: Path | str, plan: Plan) -> list[str]:
    """The ffmpeg command line (without progress options) that turns `src` into `dest`."""
    opts: dict[str, Any] = {"f": "mp4", "movflags": "+faststart", "map_chapters": -1}
    source = ffmpeg.input(_abs(src))
    streams = []
    if plan.kind == "video" and plan.video_index is not None:
        streams.append(source[str(plan.video_index)])
        if plan.copy_video:
            opts["c:v"] = "copy"
        else:
            opts.update({"c:v": "libx264", "preset": "veryfast", "crf": 23,
                         "pix_fmt": "yuv420p", "vf": SCALE_FILTER})
    if plan.audio_index is not None:
        streams.append(source[str(plan.audio_index)])
        if plan.copy_audio:
            opts["c:a"] = "copy"
        else:
            opts.update({"c:a": "aac", "b:a": "128k", "ac": 2})
            if plan.audio_sample_rate:
                opts["ar"] = plan.audio_sample_rate
    opts["max_muxing_queue_size"] = 1024
    args = ffmpeg.output(*streams, _abs(dest), **opts).compile(cmd="ffmpeg", overwrite_output=True)
    return [args[0], "-hide_banner", "-nostdin", "-v", "error", *args[1:]]


def normalize(
    src: Path | str,
    dest: Path | str,
    plan: Plan,
    duration: float,
    progress: Callable[[float], None] | None = None,
) -> None:
    """Remux or transcode `src` into `dest` per `plan`, reporting seconds done to `progress`.

    On failure (or Ctrl-C) ffmpeg is stopped and `dest` removed; MediaError carries the tail of
    ffmpeg's message.
    """
    conversion = Conversion.start(src, dest, plan, duration)
    conversion.follow(progress)


class Conversion:
    """ffmpeg turning a recording into the web file, running while this process does other work.

    `start` launches it; `done` is the media seconds converted so far (from ffmpeg's progress
    output, read by a thread); `follow` waits for the end, reporting progress, and raises
    MediaError if ffmpeg failed; `cancel` stops it. Either way a failed or stopped conversion
    leaves no output file behind.
    """

    def __init__(self, proc: subprocess.Popen[bytes], err: IO[bytes], src: Path | str,
                 dest: Path | str, duration: float):
        self._proc, self._err, self.src, self.dest = proc, err, src, dest
        self.duration = duration
        self.done = 0.0
        self._reader = threading.Thread(target=self._read_progress, name="ffmpeg-progress",
                                        daemon=True)
        self._reader.start()

    @classmethod
    def start(cls, src: Path | str, dest: Path | str, plan: Plan, duration: float) -> Conversion:
        return cls.launch(ffmpeg_args(src, dest, plan), src, dest, duration)

    @classmethod
    def launch(cls, args: list[str], src: Path | str, dest: Path | str,
               duration: float) -> Conversion:
        """Run the ffmpeg command `args` (which writes `dest`) with progress on its stdout."""
        args = [args[0], "-progress", "pipe:1", "-nostats", *args[1:]]
        err = tempfile.TemporaryFile()
        try:
            # A new session: Ctrl-C reaches Python, which stops ffmpeg and cleans up.
            proc = subprocess.Popen(
                args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err,
                start_new_session=True, preexec_fn=_die_with_parent,
            )
        except OSError as exc:
            err.close()
            raise MediaError(src, f"cannot run ffmpeg ({exc})") from None
        return cls(proc, err, src, dest, duration)

    def _read_progress(self) -> None:
        assert self._proc.stdout is not None
        for raw in self._proc.stdout:
            key, _, value = raw.decode("ascii", "replace").strip().partition("=")
            # Both keys are microseconds (ffmpeg's out_time_ms is misnamed); "N/A" early on.
            micros = _float(value) if key in ("out_time_us", "out_time_ms") else None
            if micros is not None:
                seconds = micros / 1e6
                self.done = max(self.done, min(seconds, self.duration) if self.duration > 0
                                else seconds)

    def finished(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds; has ffmpeg exited?"""
        try:
            self._proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return False
        return True

    def follow(self, progress: Callable[[float], None] | None = None,
               interval: float = 0.25) -> None:
        """Wait for the end, passing seconds done to `progress`; MediaError if ffmpeg failed.
        Interrupted (Ctrl-C), ffmpeg is stopped first."""
        try:
            reported = 0.0
            while not self.finished(interval):
                if progress is not None and self.done > reported:
                    reported = self.done
                    progress(reported)
            self._reader.join()
            if self._proc.returncode == 0 and progress is not None and self.duration > 0:
                progress(self.duration)
        except BaseException:  # Ctrl-C, or the progress callback's own error
            self.cancel()
            raise
        code = self._proc.returncode
        message = _read_tail(self._err) if code != 0 else ""
        self._close()
        if code != 0:
            Path(self.dest).unlink(missing_ok=True)
            raise MediaError(self.src, f"ffmpeg failed (exit status {code}): {message}")

    def cancel(self) -> None:
        """Stop ffmpeg (if still running) and remove what it wrote."""
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.wait()
        self._reader.join()
        self._close()
        Path(self.dest).unlink(missing_ok=True)

    def _close(self) -> None:
        if self._proc.stdout is not None:
            self._proc.stdout.close()
        self._err.close()


def _die_with_parent() -> None:
    """In the child before exec: on Linux, be killed if this process is (even by kill -9).

    ffmpeg ignores SIGPIPE and write errors on its progress pipe, so an orphaned transcode would
    otherwise run to the end, writing into a scratch folder nobody owns any more.
    """
    if _LIBC is not None:
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def make_poster(video_path: Path | str, dest: Path | str, at_seconds: float) -> None:
    """Write one JPEG frame of the video (at most 1280 wide, square pixels) taken at `at_seconds`.

    A time past the end (or a file whose last frames cannot be reached) falls back to the first
    frame.
    """
    scale = "scale=w='min(1280,2*trunc(iw*sar/2))':h='2*trunc(ow/dar/2)',setsar=1"
    for at in ([max(0.0, at_seconds), 0.0] if at_seconds > 0 else [0.0]):
        Path(dest).unlink(missing_ok=True)
        args = (
            ffmpeg.input(_abs(video_path), ss=at)
            .output(_abs(dest), vf=scale, f="image2", update=1, **{"frames:v": 1, "q:v": 3})
            .compile(cmd="ffmpeg", overwrite_output=True)
        )
        args[1:1] = ["-hide_banner", "-nostdin", "-v", "error"]
        result = subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True)
        if result.returncode != 0:
            Path(dest).unlink(missing_ok=True)
            raise MediaError(video_path, f"cannot make a poster frame: {_tail(result.stderr)}")
        if Path(dest).exists() and Path(dest).stat().st_size > 0:
            return
    Path(dest).unlink(missing_ok=True)
    raise MediaError(video_path, "cannot make a poster frame: no video frame decoded")


def extract_subtitles(src: Path | str, stream_index: int) -> bytes:
    """An embedded text subtitle stream (mov_text, subrip, webvtt, ass) as WebVTT bytes."""
    streams = {s.index: s for s in probe(src).subtitles}
    stream = streams.get(stream_index)
    if stream is None:
        raise MediaError(src, f"no subtitle stream #{stream_index}")
    if not stream.is_text:
        raise MediaError(src, f"subtitle stream #{stream_index} is {stream.codec}, not text")
    source = ffmpeg.input(_abs(src))
    output = ffmpeg.output(source[str(stream_index)], "pipe:1", f="webvtt", **{"c:s": "webvtt"})
    args = output.compile(cmd="ffmpeg")
    args[1:1] = ["-hide_banner", "-nostdin", "-v", "error"]
    result = subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True)
    if result.returncode != 0:
        raise MediaError(src, f"cannot extract subtitle stream #{stream_index}: "
                         f"{_tail(result.stderr)}")
    return result.stdout


def file_checksum(path: Path | str, algorithm: str = CHECKSUM) -> str:
    """The checksum of a file's bytes as "algorithm:hex": BLAKE3 (or SHA-256, which catalogs
    written before BLAKE3 hold). ValueError for another algorithm.

    BLAKE3 reads a large file memory-mapped on every core: a one-hour 720p recording (500 MB)
    takes about 0.1 s, against 0.35 s for SHA-256. At the end of a remux, which copies the
    streams in about a second, that wait is most of what the ingest adds to ffmpeg's time.
    """
    if algorithm == "blake3":
        if Path(path).stat().st_size < THREADED_BYTES:
            with open(path, "rb") as fh:
                return f"blake3:{blake3.blake3(fh.read()).hexdigest()}"
        # The threads are Rust's (rayon), started on first use; like any thread pool they do
        # not survive fork(), so a process that forks must not have hashed a large file first.
        hasher = blake3.blake3(max_threads=blake3.blake3.AUTO)
        hasher.update_mmap(str(path))
        return f"blake3:{hasher.hexdigest()}"
    if algorithm == "sha256":
        with open(path, "rb") as fh:
            return f"sha256:{hashlib.file_digest(fh, 'sha256').hexdigest()}"
    raise ValueError(f"unknown checksum algorithm {algorithm!r}")


_LOG_PREFIX = re.compile(r"^\[[^\]]* @ 0x[0-9a-f]+\]\s*")


def _tail(data: bytes | str | None) -> str:
    """The last lines of ffmpeg's stderr on one line, without its "[mov @ 0x55..]" prefixes."""
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else (data or "")
    lines = [_LOG_PREFIX.sub("", line.strip()) for line in text.splitlines()]
    lines = [line.partition(": ")[2] or line if line.startswith("/") else line for line in lines]
    return "; ".join(dict.fromkeys(line for line in lines if line))[-STDERR_TAIL:]


def _read_tail(fh: IO[bytes]) -> str:
    fh.seek(0, os.SEEK_END)
    fh.seek(max(0, fh.tell() - 4 * STDERR_TAIL))
    return _tail(fh.read()) or "no message"
