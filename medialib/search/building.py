"""A full rebuild, in one process or in two: the webcast index here, the passages in a worker.

The two indexes cost about the same to write (the webcast index has a term for nearly every pair
of neighbouring words said; the passages have most of the postings), and neither needs the other,
so on two cores they are written side by side. The worker gets each webcast's cues as plain tuples
(cheap to pickle; Whoosh's own MpWriter pickles every analyzed document instead, which cost more
than it saved here), analyzes them itself, and counts the words for the spelling list.
"""

from __future__ import annotations

import multiprocessing
import queue
import traceback
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from whoosh.filedb.filestore import FileStorage

from medialib.captions import Cue

from .analysis import SPELLABLE_RE, terms, words
from .documents import (
    passage_documents,
    webcast_document,
    webcast_documents,
    webcast_texts,
    word_counts,
)
from .model import IndexedWebcast

QUEUED_WEBCASTS = 8  # webcasts waiting for the worker (bounds memory when it falls behind)
POLL_SECONDS = 1.0

Job = tuple[str, list[tuple[float, float, str, str | None]], list[str]]


def build_in_one_process(
    wix: Any, pix: Any, webcasts: Iterable[IndexedWebcast], options: dict[str, Any]
) -> Counter[str]:
    """Write every webcast into the empty indexes; returns the spelling word counts."""
    counts: Counter[str] = Counter()
    ww = wix.writer(**options)
    pw = pix.writer(**options)
    write_webcasts(ww, pw, webcasts, counts)
    return counts


def write_webcasts(ww: Any, pw: Any, webcasts: Iterable[IndexedWebcast], counts: Counter[str],
                   delete_slug: str | None = None) -> None:
    """Add each webcast's documents to the webcast and passage writers, then commit both.

    With `delete_slug`, that webcast's documents go first (a replace); on any error both writers
    are cancelled, so neither index changes.
    """
    try:
        if delete_slug is not None:
            ww.delete_by_term("slug", delete_slug)
            pw.delete_by_term("slug", delete_slug)
        for webcast in webcasts:
            webcast_doc, passage_docs = webcast_documents(webcast)
            ww.add_document(**webcast_doc)
            for doc in passage_docs:
                pw.add_document(**doc)
            counts.update(word_counts(webcast_texts(webcast)))
    except BaseException:
        ww.cancel()
        pw.cancel()
        raise
    pw.commit()
    ww.commit()


def build_in_two_processes(
    path: Path, webcasts: Iterable[IndexedWebcast], options: dict[str, Any]
) -> Counter[str]:
    """Write every webcast into the (empty) indexes at `path`: the webcast index in this
    process, the passage index in a worker. Returns the spelling word counts."""
    context = multiprocessing.get_context("fork")
    jobs = context.Queue(QUEUED_WEBCASTS)
    done = context.Queue()
    worker = context.Process(
        target=_passage_worker, args=(str(path), jobs, done, options), daemon=True
    )
    worker.start()
    try:
        ww = FileStorage(str(path)).open_index("webcasts").writer(**options)
        try:
            for webcast in webcasts:
                cues = [(c.start, c.end, c.text, c.speaker) for c in webcast.cues]
                texts = webcast_texts(webcast)  # its metadata, then its cues
                metadata = texts[: len(texts) - len(cues)]
                _put(jobs, (webcast.slug, cues, metadata), worker)
                cue_terms = [terms(text) for _, _, text, _ in cues]
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
        return payload
    finally:
        if worker.is_alive():
            worker.terminate()
            worker.join()
        jobs.cancel_join_thread()


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


def _passage_worker(path: str, jobs: Any, done: Any, options: dict[str, Any]) -> None:
    try:
        pw = FileStorage(path).open_index("passages").writer(**options)
        said: Counter[str] = Counter()
        try:
            while (job := jobs.get()) is not None:
                slug, raw, metadata = job
                cues = tuple(Cue(*cue) for cue in raw)
                for doc in passage_documents(slug, cues):
                    pw.add_document(**doc)
                for text in metadata:
                    said.update(words(text))
                for cue in raw:
                    said.update(words(cue[2]))
        except BaseException:
            pw.cancel()
            raise
        pw.commit()
        done.put(("ok", Counter({w: n for w, n in said.items() if SPELLABLE_RE.match(w)})))
    except BaseException:
        done.put(("error", traceback.format_exc()))
