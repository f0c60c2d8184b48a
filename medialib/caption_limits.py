"""Limits that keep one mistaken caption file from taking the site down.

A 50 MB SRT of 355,000 cues on a six-second clip once became a 104 MB player page. Real
captions are far below both limits: a ten-hour recording's SRT is about 1 MB, and people read
at most two or three cues a second.
"""

from __future__ import annotations

from collections.abc import Sized

from .errors import MedialibError

MAX_CAPTION_BYTES = 10 * 2**20
MAX_CUES_PER_SECOND = 4.0
MIN_RATE_SPAN = 60.0  # seconds: a short clip may still carry a minute's worth of cues


class CaptionLimitError(MedialibError):
    """A caption file over a limit; the message names the numbers (captions.py adds the file,
    as a CaptionError)."""


def check_caption_size(size: int) -> None:
    """CaptionLimitError when a caption file of `size` bytes is over the limit."""
    if size > MAX_CAPTION_BYTES:
        raise CaptionLimitError(
            f"{size / 2**20:.1f} MB is over the {MAX_CAPTION_BYTES // 2**20} MB a caption file "
            "may be; is this the right file?")


def check_cue_rate(cues: Sized, duration: float) -> None:
    """CaptionLimitError when there are more cues than a `duration`-second recording can show."""
    span = max(duration or 0.0, MIN_RATE_SPAN)
    allowed = int(MAX_CUES_PER_SECOND * span)
    if len(cues) > allowed:
        raise CaptionLimitError(
            f"{len(cues)} cues for {duration:.1f} s of media is {len(cues) / span:.1f} a second, "
            f"over the {MAX_CUES_PER_SECOND:g} a second anyone can read (at most {allowed} "
            "here); is this the right file?")
