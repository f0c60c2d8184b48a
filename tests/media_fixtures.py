"""Tiny media made once per session by real ffmpeg (testsrc + sine, 2 s, small frames).

A pytest plugin: `pytest_plugins = ["tests.media_fixtures"]` in tests/conftest.py. Each fixture is
a path under one session folder, generated the first time a test asks for it (~0.1-0.3 s each).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

DURATION = 2
SUBTITLES_SRT = """1
00:00:00,200 --> 00:00:00,900
Hello from the <i>tiny</i> video.

2
00:00:01,000 --> 00:00:01,800
Second line, &amp; the last.
"""
CHAPTERS_META = """;FFMETADATA1
[CHAPTER]
TIMEBASE=1/1000
START=0
END=1000
title=Opening
[CHAPTER]
TIMEBASE=1/1000
START=1000
END=2000
title=Questions: and answers
"""


def ffmpeg(*args: str | Path) -> None:
    """Run ffmpeg quietly; fail the test with its message if it fails."""
    cmd = ["ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-y", *map(str, args)]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        pytest.fail(f"fixture generation failed: {' '.join(cmd)}\n{result.stderr}")


def testsrc(size: str = "160x120", rate: int = 10) -> list[str]:
    return ["-f", "lavfi", "-i", f"testsrc=s={size}:r={rate}:d={DURATION}"]


def sine(freq: int = 440, rate: int = 44100) -> list[str]:
    return ["-f", "lavfi", "-i", f"sine=f={freq}:r={rate}:d={DURATION}"]


def cover() -> list[str]:
    return ["-f", "lavfi", "-i", "color=c=navy:s=64x64:d=0.1"]


H264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
AAC = ["-c:a", "aac", "-b:a", "64k"]


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session folder of generated media, with the subtitle and chapter sources."""
    folder = tmp_path_factory.mktemp("media-fixtures")
    (folder / "subs.srt").write_text(SUBTITLES_SRT, encoding="utf-8")
    (folder / "chapters.ffmeta").write_text(CHAPTERS_META, encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def tiny_video(media_dir: Path) -> Path:
    """Web-safe H.264/AAC MP4, 160x120, 2 s; the moov atom is at the end (no fast start)."""
    out = media_dir / "tiny.mp4"
    ffmpeg(*testsrc(), *sine(), *H264, *AAC, out)
    return out


@pytest.fixture(scope="session")
def tiny_vp9(media_dir: Path) -> Path:
    """VP9/Opus WebM with odd dimensions (175x99), to check even dims and aspect on transcode."""
    out = media_dir / "tiny.webm"
    ffmpeg(*testsrc("175x99"), *sine(rate=48000), "-c:v", "libvpx-vp9", "-deadline", "realtime",
           "-cpu-used", "8", "-pix_fmt", "yuv420p", "-c:a", "libopus", out)
    return out


@pytest.fixture(scope="session")
def tiny_mkv_with_subs(media_dir: Path) -> Path:
    """H.264/AAC Matroska with an English subrip stream (#2) and two chapters."""
    out = media_dir / "subs.mkv"
    ffmpeg(*testsrc(), *sine(), "-i", media_dir / "subs.srt", "-i", media_dir / "chapters.ffmeta",
           "-map", "0", "-map", "1", "-map", "2", "-map_chapters", "3", *H264, *AAC,
           "-c:s", "srt", "-metadata:s:s:0", "language=eng", out)
    return out


@pytest.fixture(scope="session")
def tiny_mp4_with_subs(media_dir: Path) -> Path:
    """H.264/AAC MP4 with a French mov_text stream (#2) and two chapters."""
    out = media_dir / "subs.mp4"
    ffmpeg(*testsrc(), *sine(), "-i", media_dir / "subs.srt", "-i", media_dir / "chapters.ffmeta",
           "-map", "0", "-map", "1", "-map", "2", "-map_chapters", "3", *H264, *AAC,
           "-c:s", "mov_text", "-metadata:s:s:0", "language=fra", out)
    return out


@pytest.fixture(scope="session")
def tiny_audio_mp3(media_dir: Path) -> Path:
    """MP3 with cover art (an attached picture, which is not video)."""
    out = media_dir / "tiny.mp3"
    ffmpeg(*sine(), *cover(), "-map", "0:a", "-map", "1:v", "-frames:v", "1", "-c:a", "libmp3lame",
           "-b:a", "64k", "-c:v", "mjpeg", "-disposition:v", "attached_pic", "-id3v2_version", "3",
           out)
    return out


@pytest.fixture(scope="session")
def tiny_m4a(media_dir: Path) -> Path:
    """AAC in M4A with cover art (an attached picture)."""
    out = media_dir / "tiny.m4a"
    ffmpeg(*sine(), *cover(), "-map", "0:a", "-map", "1:v", "-frames:v", "1", *AAC,
           "-c:v", "mjpeg", "-disposition:v", "attached_pic", out)
    return out


@pytest.fixture(scope="session")
def tiny_wav(media_dir: Path) -> Path:
    """16-bit PCM WAV, 22.05 kHz mono (a rate AAC output is resampled from)."""
    out = media_dir / "tiny.wav"
    ffmpeg(*sine(rate=22050), "-c:a", "pcm_s16le", out)
    return out


@pytest.fixture(scope="session")
def tiny_flac(media_dir: Path) -> Path:
    out = media_dir / "tiny.flac"
    ffmpeg(*sine(), "-c:a", "flac", out)
    return out


@pytest.fixture(scope="session")
def tiny_mov(media_dir: Path) -> Path:
    """H.264/AAC QuickTime, as phones record (web-safe)."""
    out = media_dir / "tiny.mov"
    ffmpeg(*testsrc(), *sine(), *H264, *AAC, out)
    return out


@pytest.fixture(scope="session")
def tiny_avi(media_dir: Path) -> Path:
    """MPEG-4 Part 2 video with MP3 audio in AVI."""
    out = media_dir / "tiny.avi"
    ffmpeg(*testsrc(), *sine(), "-c:v", "mpeg4", "-q:v", "10", "-c:a", "libmp3lame", "-b:a", "64k",
           out)
    return out


@pytest.fixture(scope="session")
def not_media(media_dir: Path) -> Path:
    """A text file named like a video."""
    out = media_dir / "notes.mp4"
    out.write_text("These are meeting notes, not a recording.\n", encoding="utf-8")
    return out


@pytest.fixture(scope="session")
def no_av_streams(media_dir: Path) -> Path:
    """A valid Matroska file holding only a subtitle stream."""
    out = media_dir / "only-subs.mkv"
    ffmpeg("-i", media_dir / "subs.srt", "-c:s", "srt", out)
    return out
