"""`medialib ingest`: a recording and its captions become a published webcast, all or nothing.

The pipeline reads like this docstring: probe -> normalize -> poster -> captions -> chapters ->
transcript -> catalog -> database -> index, each a named step object (steps.PIPELINE: a name,
what it needs, what it gives) run by one runner (runner.run_steps), which prints the step lines
in that order, times the steps and holds the fault tests' pause points.

- probe: ffprobe reads the recording, and every other input is read and checked (`prepare`,
  which is all `--dry-run` does): a wrong caption line fails in a second, before ffmpeg starts.
- normalize: ffmpeg remuxes or transcodes in the background, the long pole; the poster of a
  remux, the captions and the transcript are made meanwhile.
- catalog, database, index: the entry, the rows (in a transaction held open) and the search
  documents are made ready.

All of it is written into LIBRARY/.staging/<id>/ under the library's lock, then committed at
once (see staging): a failure or kill -9 at any moment leaves the library as it was before or
as it is after, and readers see the change in one step. The database and index modules load on
a thread while the recording is probed (Library.load_in_background).

Modules: request (what staff asked, checked), inputs (caption, chapter and embedded streams
read), prepare (the plan), steps, runner, poster (the title card), words, console (the CLI's
rendering). None imports this package's __init__, so there is no import circle.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ..catalog import Webcast
from ..library import Library
from ..staging import Staging, exclusive
from .prepare import Prepared, prepare
from .request import CaptionSource, IngestError, IngestRequest, check_request
from .runner import Reporter, check_pipeline, run_steps
from .steps import GIVEN, PIPELINE, STEPS, Work

__all__ = ["STEPS", "CaptionSource", "IngestError", "IngestRequest", "IngestResult", "Prepared",
           "Reporter", "ingest", "prepare"]

check_pipeline(PIPELINE, GIVEN)


@dataclass(frozen=True)
class IngestResult:
    """A published webcast and what staff want to read about it."""

    webcast: Webcast
    prepared: Prepared
    cue_counts: dict[str, int]
    seconds: float
    step_seconds: dict[str, float]

    @property
    def url(self) -> str:
        return f"/webcasts/{self.webcast.slug}"


def ingest(library: Library, request: IngestRequest, reporter: Reporter) -> IngestResult:
    """Ingest one recording under the library's lock; the library changes all at once or not."""
    started = time.monotonic()
    slug = check_request(request)
    library.load_in_background()
    with exclusive(library, "ingest", reporter.notice):
        stage = Staging.create(library, "ingest", slug)
        work = Work(library, request, slug, stage, reporter)
        timings: dict[str, float] = {}
        stage.run(lambda: timings.update(run_steps(PIPELINE, work, reporter)),
                  reporter.notice)
    counts = {lang: len(cues) for lang, cues in work.tracks.items()}
    return IngestResult(work.webcast, work.prepared, counts, time.monotonic() - started, timings)
