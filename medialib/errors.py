"""The base of the library's named errors: each names the file (and line) at fault."""

from __future__ import annotations

from pathlib import Path


class LocatedError(Exception):
    """An error whose message starts with "path:line:" (or "path:") so staff can find it."""

    def __init__(self, path: Path | str, message: str, line: int | None = None):
        self.path = str(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {message}")
