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

With --transcribe a recognize step runs after the poster: the recording's speech becomes the
caption track (marked machine) that the later steps publish; `medialib transcribe SLUG` runs
the same step for a webcast already in the library (see speech).

Modules: request (what staff asked, checked), inputs (caption, chapter and embedded streams
read), prepare (the plan and the dry run), steps, speech (the recognize step and the steps of
`transcribe`), runner, pipeline (`ingest`, `transcribe_webcast`: the steps under the lock,
staged and committed), poster (the title card), words, console (the command line's
rendering). This file only names the request's types, so the command line can parse an ingest
without loading the rest.
"""

from __future__ import annotations

from .request import CaptionSource, IngestError, IngestRequest

__all__ = ["CaptionSource", "IngestError", "IngestRequest"]
