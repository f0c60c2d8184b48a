"""Slugs: the URL names of webcasts, speakers, topics and series ("managing-fatigue").

Kept apart from the catalog so that `medialib ingest` can name its staging folder, and start
ffmpeg, before the YAML library has loaded.
"""

from __future__ import annotations

import re
import unicodedata

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def slugify(text: str) -> str:
    """A URL-safe id from a name or title: "Nancy Lin" -> "nancy-lin"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    ascii_text = re.sub(r"(?<=[A-Za-z])'(?=[A-Za-z])", "", ascii_text)  # O'Neill, don't
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
