"""The base of the library's named errors: each names the file (and line) at fault.

Every error staff can act on derives from MedialibError, so the command line catches one class
(and prints its message, exit status 1) whichever module raised it: CatalogError, CaptionError
(and ChapterError), MediaError (and DemoError), GlossaryError, StoreUnavailable,
SearchUnavailable, IngestError, CommitError and LibraryBusy. Each lives beside the code that
raises it.
"""

from __future__ import annotations

from pathlib import Path


class MedialibError(Exception):
    """A problem staff can act on: the message is the whole story (no traceback needed)."""


class LocatedError(MedialibError):
    """An error whose message starts with "path:line:" (or "path:") so staff can find it."""

    def __init__(self, path: Path | str, message: str, line: int | None = None):
        self.path = str(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {message}")
