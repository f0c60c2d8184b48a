"""Keep a long-running server's heap from stepping up at every change to the library.

glibc's malloc serves a request of 128 KB or more with its own memory map, given back on free,
but when such a block is freed it raises that threshold to the block's size (up to 32 MB), so
from then on every block below it comes from the threads' heaps. A server's big blocks are
rendered pages and their copies (a transcript page, its encoded and compressed bodies, the page
cache's entry: hundreds of KB each, several per request, on eight threads). When the library
changes, the page cache is dropped and the searchers reopened; the pages rendered next land in
fresh heap space while small long-lived blocks allocated meanwhile pin the old space, and the
freed memory stays with malloc. Measured on `medialib serve --workers 1`, 200 one-hour webcasts,
four clients and an ingest every ~80 s: anonymous memory 108 → 120 → 151 MB over two ingests;
in a second run 127 → 135 → 168 MB, malloc's free-but-kept memory 13 → 28 → 75 MB, while its
memory in use (46–58 MB) and Python's count of allocated blocks (419,000–435,000) stayed flat.
With the threshold fixed at 128 KB: 101 → 104 → 104 → 104 MB over three ingests, malloc's free
memory 3–5 MB.

settle_heap() fixes the threshold (mallopt M_MMAP_THRESHOLD, which also stops its raising) and
puts back the trim threshold (M_TRIM_THRESHOLD: the free memory atop a heap given back, raised to
twice the mmap threshold with it, so up to 64 MB when a block freed during start-up raised it), as
`MALLOC_MMAP_THRESHOLD_=131072` in the environment would from the start; `medialib serve` calls
it first. It does nothing on other C libraries, or when the environment sets malloc's tunables.
"""

from __future__ import annotations

import ctypes
import os
import sys

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # mallopt() parameter numbers, glibc's malloc.h
MMAP_THRESHOLD = 128 * 1024  # glibc's starting values: maps from 128 KB, and a heap's free
TRIM_THRESHOLD = 2 * MMAP_THRESHOLD  # top given back beyond twice that (raised alike)
TUNABLES = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TOP_PAD_", "MALLOC_TRIM_THRESHOLD_",
            "MALLOC_MMAP_MAX_", "GLIBC_TUNABLES")


def settle_heap() -> bool:
    """Fix glibc malloc's mmap threshold at 128 KB (and its trim threshold at 256 KB); True if
    they were set here."""
    if not sys.platform.startswith("linux") or any(name in os.environ for name in TUNABLES):
        return False
    try:
        libc = ctypes.CDLL(None)
        libc.gnu_get_libc_version  # noqa: B018 (glibc only: musl has mallopt but no threshold)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
                and mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
