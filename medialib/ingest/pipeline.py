"""`ingest`: the steps of an ingest run under the library's lock, staged, then committed at once
(see the package docstring and staging)."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from ..catalog import Webcast
from ..files import first_escaping_link
from ..library import Library
from ..staging import Staging, exclusive
from .prepare import Prepared
from .request import IngestError, IngestRequest, check_request
from .runner import Reporter, check_pipeline, run_steps
from .steps import GIVEN, PIPELINE, STEPS, Work

__all__ = ["STEPS", "IngestResult", "Reporter", "ingest"]

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
        refuse_links_out(library)
        stage = Staging.create(library, "ingest", slug)
        work = Work(library, request, slug, stage, reporter)
        timings: dict[str, float] = {}
        stage.run(lambda: timings.update(run_steps(PIPELINE, work, reporter)),
                  reporter.notice)
    counts = {lang: len(cues) for lang, cues in work.tracks.items()}
    return IngestResult(work.webcast, work.prepared, counts, time.monotonic() - started, timings)


def refuse_links_out(library: Library) -> None:
    """IngestError when media/ or transcripts/ hold a symlink leading out of the library: the
    ingest would write through it."""
    conf = library.settings
    link = first_escaping_link(conf.library, conf.media_dir, conf.transcripts_dir)
    if link is not None:
        raise IngestError(link, f"a symlink that leads out of the library (to "
                          f"{os.path.realpath(link)}); nothing was written: remove the link")
