"""Libraries for tests and benchmarks: a copy of the committed sample library, and a reindex."""

from __future__ import annotations

import shutil
from pathlib import Path

from medialib.config import Settings
from medialib.library import Library

REPO = Path(__file__).resolve().parent.parent


def copy_sample_library(dest: Path) -> Path:
    """The committed sample library (catalog and captions, no rendered media) copied to `dest`."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(REPO / "catalog.yaml", dest / "catalog.yaml")
    for vtt in (REPO / "media").glob("*/*.vtt"):
        target = dest / "media" / vtt.parent.name
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy2(vtt, target / vtt.name)
    return dest


def reindexed(root: Path) -> Path:
    """The library at `root` after a reindex (database, index, transcripts), nothing left open."""
    with Library(Settings(library=root)) as library:
        library.reindex()
    return root
