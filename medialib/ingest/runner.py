"""The one runner of an ingest's steps: order, step lines, timing, background work, pause points.

A step is an object with a name, the names of the values it needs and of those it gives, and a
function that does its work on the shared `Work` and returns its step line. The runner runs the
steps in their listed order. A step marked `background` (ffmpeg's conversion) runs on a thread
while the steps after it go on; a step that needs one of its outputs waits for it. Step lines
are printed in the listed order whatever order the work finished in, each once its step is done
and followed by the notes its step made (`Shared.note`).
Before each step the runner passes the fault tests' pause point of that name (see
staging.pause_point); it times every step. If a step fails, background steps are cancelled and
waited for, and the error goes up unchanged.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from ..journal import pause_point


class Reporter:
    """What the pipeline tells the person running it; the command line prints it."""

    def step(self, name: str, message: str) -> None:
        """A step is done, with a one-line account of it."""

    def notice(self, message: str) -> None:
        """Something staff should know that is not an error (a new topic, a skipped stream)."""

    @contextmanager
    def progress(self, label: str, total: float) -> Iterator[Callable[[float], None]]:
        """A long step: yields a function taking seconds done out of `total`."""
        yield lambda _done: None


@dataclass
class Shared:
    """Values the steps pass on by name, and the outputs still being made in the background."""

    pending: dict[str, Future[str]] = field(default_factory=dict)
    cancelled: bool = False
    notes: dict[str, list[str]] = field(default_factory=dict)  # by step, printed after its line
    _running: threading.local = field(default_factory=threading.local)

    def note(self, message: str) -> None:
        """Something staff should know, printed after the running step's line."""
        self.notes.setdefault(getattr(self._running, "step", ""), []).append(message)

    def wait(self, *names: str) -> None:
        """Return once every value in `names` made by a background step is there."""
        for name in names:
            future = self.pending.get(name)
            if future is not None:
                future.result()

    def __getattr__(self, name: str) -> Any:  # only called for values not given yet
        raise AttributeError(f"no step has given {name!r} yet (see the pipeline's needs/gives)")


@dataclass(frozen=True)
class Step:
    """One named step: what it needs, what it gives, and the work (which returns its line)."""

    name: str
    needs: tuple[str, ...]
    gives: tuple[str, ...]
    work: Callable[[Any], str]
    background: bool = False
    cancel: Callable[[Any], None] | None = None  # stop the background work early


def check_pipeline(steps: Sequence[Step], given: Sequence[str]) -> None:
    """ValueError unless every step's needs are given before it (by `given` or a step)."""
    have = set(given)
    for step in steps:
        missing = [name for name in step.needs if name not in have]
        if missing:
            raise ValueError(f"step {step.name!r} needs {missing}, which no earlier step gives")
        have.update(step.gives)


def run_steps(steps: Sequence[Step], work: Shared, reporter: Reporter) -> dict[str, float]:
    """Run `steps` over `work`, reporting each step line (and notes) in order; seconds per step."""
    seconds: dict[str, float] = {}
    lines: dict[str, Future[str]] = {}
    printed = 0

    def timed(step: Step) -> str:
        started = time.monotonic()
        work._running.step = step.name
        line = step.work(work)
        absent = [name for name in step.gives if name not in vars(work)]
        if absent:
            raise RuntimeError(f"step {step.name!r} did not give {absent}")
        seconds[step.name] = time.monotonic() - started
        return line

    def flush(wait: bool) -> None:
        nonlocal printed
        while printed < len(steps):
            line = lines.get(steps[printed].name)
            if line is None or not (wait or line.done()):
                return
            reporter.step(steps[printed].name, line.result())
            for message in work.notes.pop(steps[printed].name, []):
                reporter.notice(message)
            printed += 1

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest") as beside:
        try:
            for step in steps:
                work.wait(*step.needs)
                flush(wait=False)
                pause_point(step.name)
                if step.background:
                    future = beside.submit(timed, step)
                    for name in step.gives:
                        work.pending[name] = future
                else:
                    future = Future()
                    future.set_result(timed(step))
                lines[step.name] = future
                flush(wait=False)
            flush(wait=True)
        except BaseException:
            work.cancelled = True
            for step in steps:
                if step.background and step.cancel is not None and step.name in lines:
                    step.cancel(work)
            raise
    return seconds
