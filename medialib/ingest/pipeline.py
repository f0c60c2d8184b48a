"""`ingest` and `transcribe_webcast`: the steps of an ingest (or of draft captions for a webcast
already in the library) run under the library's lock, staged, then committed at once (see the
package docstring, speech and staging). A speech recognition model is loaded before the lock:
when it cannot be, the library is never touched."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass

from ..asr.model import Recognizer, load_recognizer
from ..catalog import Webcast
from ..files import first_escaping_link
from ..library import Library
from ..staging import Staging, exclusive
from .prepare import Prepared
from .request import IngestError, IngestRequest, check_request
from .runner import Reporter, Step, check_pipeline, run_steps
from .speech import EXISTING, TRANSCRIBING, refuse_to_replace_human
from .steps import GIVEN, PIPELINE, STEPS, Work

__all__ = ["STEPS", "IngestResult", "Reporter", "ingest", "transcribe_webcast"]

for _steps in (PIPELINE, TRANSCRIBING, EXISTING):
    check_pipeline(_steps, GIVEN)


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
    recognizer = _recognizer(library, request) if request.transcribe else None
    steps = TRANSCRIBING if request.transcribe else PIPELINE
    return _run(library, "ingest", request, slug, recognizer, steps, reporter, started)


def transcribe_webcast(library: Library, slug: str, language: str | None,
                       reporter: Reporter, replace_human: bool = False) -> IngestResult:
    """Draft captions from the speech of a webcast already in the library, marked machine:
    its track of that language, transcript, entry, rows and index change all at once or not.
    A track a person made or checked is only replaced when `replace_human` says so."""
    started = time.monotonic()
    webcast = library.load_catalog().webcasts.get(slug)
    if webcast is None:
        raise IngestError(library.settings.catalog_path, f"no webcast {slug!r} in the catalog")
    request = IngestRequest(library.webcast_dir(slug) / webcast.media.file, webcast.title,
                            slug=slug, transcribe=True, language=language,
                            replace_human=replace_human)
    recognizer = _recognizer(library, request)
    known = language or ("en" if recognizer.english_only else None)
    if known is not None:  # the language is known already: refused before the lock
        refuse_to_replace_human(library.webcast_dir(slug), webcast.captions, known,
                                replace_human)
    return _run(library, "transcribe", request, slug, recognizer, EXISTING, reporter, started)


def _recognizer(library: Library, request: IngestRequest) -> Recognizer:
    """The model, loaded (AsrError before anything is touched), checked for the language."""
    recognizer = load_recognizer(library.settings.asr_model)
    recognizer.check_language(request.language)
    return recognizer


def _run(library: Library, op: str, request: IngestRequest, slug: str,
         recognizer: Recognizer | None, steps: Sequence[Step], reporter: Reporter,
         started: float) -> IngestResult:
    library.load_in_background()
    with exclusive(library, op, reporter.notice):
        refuse_links_out(library)
        stage = Staging.create(library, op, slug)
        work = Work(library, request, slug, stage, reporter, recognizer)
        timings: dict[str, float] = {}
        stage.run(lambda: timings.update(run_steps(steps, work, reporter)), reporter.notice)
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
