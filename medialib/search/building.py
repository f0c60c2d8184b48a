"""A full rebuild, in one process or in two: the webcast index here, the passages in a worker;
and the writes of one language's indexes and word list (build_language, change_language).

The two indexes cost about the same to write (the webcast index has a term for nearly every pair
of neighbouring words said; the passages have most of the postings), and neither needs the other,
so on two cores they are written side by side. This process analyzes each webcast once (its
words for the spelling list, their terms for both indexes) and sends the worker the records of
its cues, which carry their terms: plain tuples, cheap to pickle (Whoosh's own MpWriter pickles
every analyzed document instead, which cost more than it saved here).

Python's cyclic garbage collector is paused while an index is written: the postings waiting for
the commit are millions of small tuples, and every full collection walked all of them (a quarter
of the CPU time of a rebuild). Indexing makes no reference cycles to collect.
"""

from __future__ import annotations

import contextlib
import gc
import json
import multiprocessing
import os
import queue
import traceback
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from .documents import (
    SPELLING_FILE,
    CueRecord,
    analyzed_cues,
    indexed_word_counts,
    passage_documents,
    spellable,
    webcast_document,
)
from .engine import PASSAGES, WEBCASTS, create_generation, open_writer, stored_documents
from .model import IndexedWebcast

QUEUED_WEBCASTS = 8  # webcasts waiting for the worker (bounds memory when it falls behind)
POLL_SECONDS = 1.0

Job = tuple[str, list[CueRecord]]  # a webcast's slug and the records of its cues


def build_in_one_process(path: Path, webcasts: Iterable[IndexedWebcast]) -> Counter[str]:
    """Write every webcast into the empty indexes at `path`; returns the spelling word counts."""
    counts: Counter[str] = Counter()
    with paused_gc():
        write_webcasts(open_writer(path, WEBCASTS), open_writer(path, PASSAGES), webcasts, counts)
    return counts


def write_webcasts(ww: Any, pw: Any, webcasts: Iterable[IndexedWebcast], counts: Counter[str],
                   delete_slug: str | None = None) -> None:
    """Add each webcast's documents to the webcast and passage writers, then commit both, and
    add the webcasts' words to the spelling word `counts`.

    With `delete_slug`, that webcast's documents go first (a replace); on any error both writers
    are cancelled, so neither index changes.
    """
    said: Counter[str] = Counter()
    try:
        if delete_slug is not None:
            ww.delete_by_term("slug", delete_slug)
            pw.delete_by_term("slug", delete_slug)
        for webcast in webcasts:
            cue_terms, records = analyzed_cues(webcast, said)
            ww.add_document(**webcast_document(webcast, cue_terms))
            for doc in passage_documents(webcast.slug, records):
                pw.add_document(**doc)
    except BaseException:
        ww.cancel()
        pw.cancel()
        raise
    pw.commit()
    ww.commit()
    counts.update(spellable(said))


def build_in_two_processes(path: Path, webcasts: Iterable[IndexedWebcast]) -> Counter[str]:
    """Write every webcast into the (empty) indexes at `path`: the webcast index in this
    process, the passage index in a worker. Returns the spelling word counts."""
    context = multiprocessing.get_context("fork")
    jobs = context.Queue(QUEUED_WEBCASTS)
    done = context.Queue()
    worker = context.Process(target=_passage_worker, args=(str(path), jobs, done), daemon=True)
    worker.start()
    said: Counter[str] = Counter()
    try:
        with paused_gc():
            ww = open_writer(path, WEBCASTS)
            try:
                for webcast in webcasts:
                    cue_terms, records = analyzed_cues(webcast, said)
                    _put(jobs, (webcast.slug, records), worker)
                    ww.add_document(**webcast_document(webcast, cue_terms))
                _put(jobs, None, worker)
            except BaseException:
                ww.cancel()
                raise
            ww.commit()
        status, payload = _get(done, worker)
        if status != "ok":
            raise RuntimeError(f"indexing the passages failed:\n{payload}")
        worker.join()
        return spellable(said)
    finally:
        if worker.is_alive():
            worker.terminate()
            worker.join()
        jobs.cancel_join_thread()


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection inside the block (see the module docstring)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _put(jobs: Any, item: Job | None, worker: Any) -> None:
    while True:
        try:
            jobs.put(item, timeout=POLL_SECONDS)
            return
        except queue.Full:
            if not worker.is_alive():
                raise RuntimeError("the passage indexing process stopped") from None


def _get(done: Any, worker: Any) -> tuple[str, Any]:
    while True:
        try:
            return done.get(timeout=POLL_SECONDS)
        except queue.Empty:
            if not worker.is_alive():
                try:
                    return done.get(timeout=POLL_SECONDS)
                except queue.Empty:
                    raise RuntimeError("the passage indexing process stopped") from None


def _passage_worker(path: str, jobs: Any, done: Any) -> None:
    gc.disable()  # for the life of this process (see the module docstring)
    try:
        pw = open_writer(Path(path), PASSAGES)
        try:
            while (job := jobs.get()) is not None:
                slug, records = job
                for doc in passage_documents(slug, records):
                    pw.add_document(**doc)
        except BaseException:
            pw.cancel()
            raise
        pw.commit()
        done.put(("ok", None))
    except BaseException:
        done.put(("error", traceback.format_exc()))


def build_language(path: Path, webcasts: Iterable[IndexedWebcast], procs: int) -> None:
    """Write the indexes and word list of one language into the new directory `path`."""
    create_generation(path)
    if procs > 1:
        counts = build_in_two_processes(path, webcasts)
    else:
        counts = build_in_one_process(path, webcasts)
    write_json(path / SPELLING_FILE, dict(sorted(counts.items())))


def change_language(path: Path, slug: str, webcast: IndexedWebcast | None) -> None:
    """Replace (or, without `webcast`, delete) one webcast's documents in the indexes of one
    language at `path`, and its words in that language's word list."""
    counts = Counter(read_json(path / SPELLING_FILE))
    counts.subtract(indexed_word_counts(stored_documents(path, WEBCASTS, "slug", slug),
                                        stored_documents(path, PASSAGES, "slug", slug)))
    ww = open_writer(path, WEBCASTS)
    pw = open_writer(path, PASSAGES)
    write_webcasts(ww, pw, [webcast] if webcast is not None else [], counts, delete_slug=slug)
    write_json(path / SPELLING_FILE, {w: n for w, n in sorted(counts.items()) if n > 0})


def write_json(path: Path, data: Any) -> None:
    """Replace the JSON file at `path` atomically (readers see the old file or the new one)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def read_json(path: Path) -> dict[str, int]:
    """A word list as written by write_json(); empty when missing or damaged."""
    try:
        return dict(json.loads(path.read_text("utf-8")))
    except (OSError, ValueError):
        return {}
