"""The CPython 3.11 crash behind issue 12, reproduced with SQLAlchemy and SQLite only
(scripts/repro_3_11_dict_crash.py, its docstring says how), and medialib's workaround for it
(medialib/db.py, _state_dict_up_front).

Each run is a child process: a segmentation fault fails the test instead of killing pytest. The
reproduction is deterministic (the collection is placed inside Session.close() by the GC
thresholds, not by timing) and takes under a second.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy.orm.state import InstanceState

import medialib.db

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "repro_3_11_dict_crash.py"
PY311 = sys.version_info < (3, 12)


def run(*options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), "--case", "sqlalchemy", *options],
                          capture_output=True, text=True, timeout=300)


def test_sqlalchemy_alone_crashes_python_3_11_and_not_later_ones():
    child = run()
    if PY311:
        # killed by a signal: SIGSEGV, or SIGABRT on a debug build's assertion
        assert child.returncode < 0, (child.returncode, child.stdout, child.stderr[-2000:])
        assert "sessions survived" not in child.stdout
    else:
        assert child.returncode == 0, child.stderr[-2000:]
        assert "50 sessions survived" in child.stdout


def test_medialibs_workaround_stops_the_crash():
    child = run("--medialib")
    assert child.returncode == 0, (child.returncode, child.stderr[-2000:])
    assert "50 sessions survived" in child.stdout


def test_the_workaround_touches_python_3_11_only():
    patched = getattr(InstanceState, "_medialib_dict_up_front", False)
    assert patched is PY311
    assert (InstanceState.__init__.__module__ == medialib.db.__name__) is PY311
