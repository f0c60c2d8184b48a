"""Words for people about an ingest: sizes, one-line accounts of media (times: transcripts)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..transcripts import clock

if TYPE_CHECKING:
    from .. import media
    from ..catalog import Webcast


def megabytes(size: int) -> str:
    """ "12.3 MB" (or GB for the very large)."""
    return f"{size / 2**20:.1f} MB" if size < 10 * 2**30 else f"{size / 2**30:.1f} GB"


def describe_probe(probe: media.Probe) -> str:
    """ "talk.mov: 1:02:03, h264 1280x720, aac audio" for the probe step line."""
    parts = [f"{Path(probe.path).name}: {clock(probe.duration)}"]
    if probe.video:
        parts.append(f"{probe.video.codec} {probe.video.width}x{probe.video.height}")
    if probe.audio:
        parts.append(f"{probe.audio.codec} audio")
    if probe.subtitles:
        parts.append(f"{len(probe.subtitles)} subtitle stream(s)")
    if probe.chapters:
        parts.append(f"{len(probe.chapters)} chapters")
    return ", ".join(parts)


def describe_media(webcast: Webcast) -> str:
    """ "H.264 1280x720, AAC" for the summary."""
    m = webcast.media
    names = {"h264": "H.264", "aac": "AAC"}
    parts = []
    if m.video_codec:
        parts.append(f"{names.get(m.video_codec, m.video_codec)} {m.width}x{m.height}")
    if m.audio_codec:
        parts.append(names.get(m.audio_codec, m.audio_codec))
    return ", ".join(parts)
