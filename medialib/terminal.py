"""Catalog text made safe to print on a staff member's terminal.

A title, speaker or caption line may hold terminal escape codes ("\\x1b]0;...", "\\x1b[2J") or
other control characters, typed by mistake or planted: printed as they are, they can retitle
the window, clear the screen or hide text. The CLI passes every piece of catalog text it echoes
through `printable`.
"""

from __future__ import annotations

import re

# ESC sequences (CSI "ESC [ ... final", OSC "ESC ] ... BEL/ST", and two-byte ones), then any
# remaining C0/C1 control character or bidirectional override, which can reorder what is shown.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[@-Z\\-_]"
    r"|\x9b[0-?]*[ -/]*[@-~]"
)
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: object) -> str:
    """`text` without escape sequences or control characters; tabs and newlines become spaces."""
    cleaned = _ESCAPES.sub("", str(text))
    return _CONTROLS.sub(lambda m: " " if m.group() in "\t\n\r" else "", cleaned)
