"""medialib serve keeps glibc malloc from moving big blocks into its heaps (medialib/allocator.py).

The heap of `medialib serve` stepped up 25 to 30 MB at every change to the library
(bench/RESULTS.md, "Soak"): glibc raises its mmap threshold to the size of any big block freed,
and from then on a server's pages (hundreds of KB each) come from the threads' heaps and stay
there. Each check runs in a fresh child process, whose malloc has seen nothing yet.
"""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
from typing import Any

import pytest

from medialib import allocator, serving
from medialib.allocator import TUNABLES
from medialib.config import Settings

CHILD = """
import ctypes, sys
class Info(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in ("arena", "ordblks", "smblks", "hblks",
                "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]
libc = ctypes.CDLL(None)
libc.mallinfo2.restype = Info
if sys.argv[1] == "settled":
    from medialib.allocator import settle_heap
    assert settle_heap()
big = bytearray(8 << 20)  # e.g. a reindex's or a long page's buffer, then freed
del big
before = libc.mallinfo2().hblkhd
page = bytearray(1 << 20)  # one rendered page
print(libc.mallinfo2().hblkhd - before)
"""

glibc = pytest.mark.skipif(
    not hasattr(ctypes.CDLL(None), "mallinfo2"), reason="glibc 2.33 or later only"
)


def mapped_growth(mode: str) -> int:
    """Bytes of malloc's own memory maps added by a 1 MB allocation after an 8 MB one was
    freed, in a fresh process ("settled": after settle_heap())."""
    env = {k: v for k, v in os.environ.items() if k not in TUNABLES}
    child = subprocess.run([sys.executable, "-c", CHILD, mode], capture_output=True, text=True,
                           env=env, timeout=120, check=True)
    return int(child.stdout)


@glibc
def test_unsettled_glibc_puts_a_page_in_the_heap_once_a_bigger_block_was_freed():
    assert mapped_growth("as is") == 0  # the cause: the page lands in the heap, and stays


@glibc
def test_settled_a_page_gets_its_own_map_given_back_when_freed():
    assert mapped_growth("settled") >= 1 << 20


def test_settle_heap_leaves_tunables_from_the_environment_alone(monkeypatch):
    monkeypatch.setenv("MALLOC_MMAP_THRESHOLD_", "65536")
    assert allocator.settle_heap() is False


def test_serve_settles_the_heap_before_any_thread(monkeypatch, tmp_path):
    order: list[str] = []

    class Server:
        def run(self) -> None:
            order.append("serve")

    def waitress(*_args: Any, **_kwargs: Any) -> Server:
        order.append("threads")
        return Server()

    monkeypatch.setattr(serving, "settle_heap", lambda: order.append("settle") or True)
    monkeypatch.setattr(serving, "_waitress", waitress)
    serving.run_server(object(), "127.0.0.1", 0, 8, Settings(library=tmp_path), workers=1)
    assert order == ["settle", "threads", "serve"]
