"""Chapters: WebVTT chapters files, "MM:SS Title" lines, and their WebVTT rendering."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Chapter:
    """A chapter starting at `start` seconds; it ends where the next one starts (or the media)."""

    start: float
    title: str
