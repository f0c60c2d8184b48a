"""Slugs: the URL names of webcasts, speakers, topics and series ("managing-fatigue").

Kept apart from the catalog so that `medialib ingest` can name its staging folder, and start
ffmpeg, before the YAML library has loaded.
"""

from __future__ import annotations

import re
import unicodedata

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# The one rule for the CLI, the catalog and the web: an address people can read, and a name
# that fits in a file name with its suffixes ("<slug>.en.txt") on any file system.
MAX_SLUG = 100
SLUG_RULE = (f"a slug is lowercase letters, digits and dashes, at most {MAX_SLUG} characters, "
             "such as managing-fatigue")


def is_slug(text: str) -> bool:
    """`text` is a valid slug: the charset of SLUG_RE and at most MAX_SLUG characters."""
    return len(text) <= MAX_SLUG and bool(SLUG_RE.match(text))


def slug_problem(text: str) -> str | None:
    """What is wrong with `text` as a slug, naming the numbers, or None when it is one."""
    if len(text) > MAX_SLUG:
        return f"{len(text)} characters is over the {MAX_SLUG} a slug may have"
    return None if SLUG_RE.match(text) else SLUG_RULE


def slugify(text: str) -> str:
    """A URL-safe id from a name or title: "Nancy Lin" -> "nancy-lin" (cut at a dash to fit)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    ascii_text = re.sub(r"(?<=[A-Za-z])'(?=[A-Za-z])", "", ascii_text)  # O'Neill, don't
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > MAX_SLUG:
        cut = slug[:MAX_SLUG + 1].rpartition("-")[0] or slug[:MAX_SLUG]
        slug = cut.strip("-")
    return slug
