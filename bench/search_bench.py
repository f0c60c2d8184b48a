"""Search benchmark: a synthetic library of one-hour webcasts, our index against SQLite FTS5.

    .venv/bin/python bench/search_bench.py --hours 1000 --procs 2 --write

Phases run in child processes (so each one's peak memory is its own): build our index (full
rebuild throughput, size, peak memory), build an FTS5 table of the same cues, run the same mixed
queries on both (p50/p95 per kind, in process), add one new one-hour webcast to the big index and
time until an already-open reader finds it. With --http URL the queries also go to
URL/api/search?q=... (e.g. a running `medialib serve`). --write replaces the "## Search" section
of bench/RESULTS.md with the figures and the command that made them.

With --serve the webcasts are also written as a library, built by `medialib reindex` into the
database of --database-url (default: the SQLite file in its instance folder; --throwaway-postgres
starts a PostgreSQL cluster for the run, as the tests do), then searched through the app in
process (GET /api/search, page cache off) while every SQL statement the app sends is counted,
and through `medialib serve`. Such a run on another database writes "## Search on PostgreSQL",
with the figures of a former SQLite run (--beside ITS_OUT) in the next column.

With --half-spanish, a second index holds the same webcasts with Spanish captions for every
second one (bench/search_synth_es.py), and the English queries run on both indexes side by side,
the Spanish queries (lang="es") on the second; --write then replaces the "## Search in two
languages" section instead.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import re
import resource
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from results import write_section  # noqa: E402
from search_synth import _long_tail, synthetic_library  # noqa: E402
from search_synth_es import SPANISH_QUERIES, with_spanish  # noqa: E402

from medialib.captions import cues_to_webvtt  # noqa: E402
from medialib.search import SearchIndex  # noqa: E402

SEED = 2024


def queries(seed: int = SEED) -> list[tuple[str, str, dict[str, str]]]:
    """(kind, query, filters): the mixed query set, the same for every engine."""
    tail = _long_tail(random.Random(seed), 60_000)
    return [
        *[("common", q, {}) for q in ("treatment", "patients", "cancer", "important", "family")],
        *[
            ("rare", q, {})
            for q in ("tucatinib", "mucositis", "craniotomy", tail[3_000], tail[40_000])
        ],
        *[
            ("two words", q, {})
            for q in (
                "radiation fatigue",
                "tamoxifen insomnia",
                "family decision",
                "surgery seizures",
                "exercise sleep",
            )
        ],
        *[
            ("phrase", q, {})
            for q in (
                '"whole brain radiation"',
                '"side effects"',
                '"quality of life"',
                '"blood brain barrier"',
                '"clinical trial"',
            )
        ],
        *[("prefix", q, {}) for q in ("lymph*", "neuro*", "chemo*", "radi*", "palli*")],
        *[
            ("misspelling", q, {})
            for q in ("trastuzamab", "herseptin", "neuropahty", "palliatve", "chemotheraphy")
        ],
        ("filtered", "radiation", {"topic": "radiation-therapy"}),
        ("filtered", "fatigue", {"kind": "audio"}),
        ("filtered", "memory", {"topic": "cognitive-changes"}),
        ("filtered", "trial", {"series": "series-000"}),
        ("filtered", "surgery", {"topic": "surgery"}),
        *[
            ("lay term", q, {})
            for q in ("chemo brain", "living will", "WBRT", "brain mets", "Herceptin")
        ],
    ]


def peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# ---- phases (each runs in its own process) -------------------------------------------------


def phase_build(args: argparse.Namespace, name: str = "index",
                spanish: bool = False) -> dict[str, Any]:
    index_dir = Path(args.out) / name
    shutil.rmtree(index_dir, ignore_errors=True)
    count = {"cues": 0, "webcasts": 0}
    library = with_spanish(synthetic_library(args.hours, SEED), SEED) if spanish else (
        synthetic_library(args.hours, SEED))

    def counted():
        for webcast in library:
            count["cues"] += len(webcast.cues)
            count["webcasts"] += 1
            yield webcast

    # The synthetic text is generated while indexing; time it alone to subtract it.
    start = time.perf_counter()
    sample = synthetic_library(min(args.hours, 20), SEED + 1)
    generated = sum(1 for _ in (with_spanish(sample, SEED + 1) if spanish else sample))
    generate_per_document = (time.perf_counter() - start) / generated
    start = time.perf_counter()
    SearchIndex(index_dir).rebuild(counted(), procs=args.procs)
    seconds = time.perf_counter() - start - generate_per_document * count["webcasts"]
    current = json.loads((index_dir / "CURRENT").read_text())["generation"]
    return {
        **count,
        "seconds": seconds,
        "cues_per_s": count["cues"] / seconds,
        "index_mb": dir_size(index_dir / current) / 2**20,
        "peak_mb": peak_mb(),
    }


def phase_fts(args: argparse.Namespace) -> dict[str, Any]:
    path = Path(args.out) / "fts.sqlite"
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    db.executescript(
        """
        CREATE VIRTUAL TABLE cues USING fts5(slug UNINDEXED, start UNINDEXED, text,
                                             tokenize='porter unicode61');
        CREATE TABLE webcasts (slug TEXT PRIMARY KEY, title TEXT, kind TEXT, series TEXT);
        CREATE TABLE topics (slug TEXT, topic TEXT);
        CREATE INDEX topics_topic ON topics (topic);
        """
    )
    start = time.perf_counter()
    cues = 0
    for w in synthetic_library(args.hours, SEED):
        db.execute("INSERT INTO webcasts VALUES (?, ?, ?, ?)", (w.slug, w.title, w.kind, w.series))
        db.executemany("INSERT INTO topics VALUES (?, ?)", [(w.slug, t) for t, _ in w.topics])
        db.executemany(
            "INSERT INTO cues VALUES (?, ?, ?)", [(w.slug, c.start, c.text) for c in w.cues]
        )
        cues += len(w.cues)
    db.commit()
    db.execute("INSERT INTO cues(cues) VALUES ('optimize')")
    db.commit()
    db.close()
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "cues_per_s": cues / seconds, "db_mb": path.stat().st_size / 2**20}


def fts_match(query: str) -> str:
    """Our query as an FTS5 expression: words (implicit AND), "phrases", prefix*."""
    parts = []
    for phrase, word, star in re.findall(r'"([^"]*)"|(\w+)(\*)?', query):
        if phrase:
            parts.append('"' + " ".join(re.findall(r"\w+", phrase)) + '"')
        elif word:
            parts.append(f'"{word}"' + ("*" if star else ""))
    return " ".join(parts)


FTS_FILTERS = {
    "topic": "slug IN (SELECT slug FROM topics WHERE topic = ?)",
    "kind": "slug IN (SELECT slug FROM webcasts WHERE kind = ?)",
    "series": "slug IN (SELECT slug FROM webcasts WHERE series = ?)",
}


def fts_search(db: sqlite3.Connection, query: str, filters: dict[str, str]) -> int:
    """Top 10 webcasts by their best cue, with the webcast count and 3 snippets each."""
    where = " AND ".join(["cues MATCH ?"] + [FTS_FILTERS[k] for k in filters])
    params = [fts_match(query), *filters.values()]
    grouped = db.execute(
        f"SELECT slug, min(r) AS best FROM (SELECT slug, rank AS r FROM cues WHERE {where}) "
        "GROUP BY slug ORDER BY best",
        params,
    ).fetchall()
    for slug, _ in grouped[:10]:
        db.execute(
            "SELECT start, snippet(cues, 2, '<mark>', '</mark>', '…', 12) FROM cues "
            "WHERE cues MATCH ? AND slug = ? ORDER BY rank LIMIT 3",
            (params[0], slug),
        ).fetchall()
    return len(grouped)


def timed_rounds(run, rounds: int, query_set=None) -> dict[str, list[float]]:
    query_set = queries() if query_set is None else query_set
    by_kind: dict[str, list[float]] = {}
    for _, query, filters in query_set:  # warm-up: open files, fill caches
        run(query, filters)
    for _ in range(rounds):
        for kind, query, filters in query_set:
            start = time.perf_counter()
            run(query, filters)
            by_kind.setdefault(kind, []).append((time.perf_counter() - start) * 1000)
    return by_kind


def phase_query(args: argparse.Namespace) -> dict[str, Any]:
    index = SearchIndex(Path(args.out) / "index")
    start = time.perf_counter()
    index.search("warm up")
    open_ms = (time.perf_counter() - start) * 1000
    ours = timed_rounds(lambda q, f: index.search(q, **f), args.rounds)
    totals = {q: index.search(q, **f).total for _, q, f in queries()}
    out: dict[str, Any] = {"open_ms": open_ms, "ours": ours, "totals": totals}
    out["peak_mb"] = peak_mb()
    fts_path = Path(args.out) / "fts.sqlite"
    if fts_path.exists():
        db = sqlite3.connect(fts_path)
        out["fts"] = timed_rounds(lambda q, f: fts_search(db, q, f), args.rounds)
        out["fts_totals"] = {q: fts_search(db, q, f) for _, q, f in queries()}
    return out


def phase_http(args: argparse.Namespace) -> dict[str, Any]:
    """The queries as GET /api/search, over one kept-alive connection, as a browser keeps it."""
    base = urllib.parse.urlsplit(args.http)
    connection = http.client.HTTPConnection(base.hostname, base.port, timeout=30)

    def get(query: str, filters: dict[str, str]) -> None:
        path = f"{base.path.rstrip('/')}/api/search?" + urllib.parse.urlencode(
            {"q": query, **filters}
        )
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"GET {path}: {response.status} {body[:200]!r}")

    try:
        return {"http": timed_rounds(get, args.rounds)}
    finally:
        connection.close()


def write_library(root: Path, hours: int) -> None:
    """The synthetic webcasts as a library on disk: catalog.yaml and each one's WebVTT captions
    (no media files: the search API needs none)."""
    speakers: dict[str, dict[str, str]] = {}
    topics: dict[str, dict[str, str]] = {}
    series: dict[str, dict[str, str]] = {}
    webcasts: dict[str, dict[str, Any]] = {}
    for w in synthetic_library(hours, SEED):
        for sid, display in w.speakers:
            name, _, credentials = display.partition(", ")
            speakers[sid] = {"name": name, "credentials": credentials}
        for tid, name in w.topics:
            topics[tid] = {"name": name.capitalize()}
        if w.series:
            series[w.series] = {"title": f"Series {w.series}"}
        folder = root / "media" / w.slug
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "captions.en.vtt").write_text(cues_to_webvtt(w.cues), encoding="utf-8")
        kind_file = ("audio.m4a", "audio/mp4") if w.kind == "audio" else ("video.mp4", "video/mp4")
        webcasts[w.slug] = {
            "title": w.title, "summary": w.summary, "kind": w.kind,
            "speakers": [sid for sid, _ in w.speakers], "topics": [t for t, _ in w.topics],
            **({"series": w.series} if w.series else {}), "recorded": w.recorded,
            "media": {"file": kind_file[0], "type": kind_file[1], "duration": 3600.0},
            "captions": [{"lang": "en", "file": "captions.en.vtt"}],
            "chapters": [{"start": c.start, "title": c.title} for c in w.chapters],
        }
    catalog = {"library": {"title": "Synthetic benchmark library"}, "speakers": speakers,
               "topics": topics, "series": series, "webcasts": webcasts}
    (root / "transcripts").mkdir(parents=True, exist_ok=True)
    # JSON is YAML: the catalog loads the same, only less pleasant to edit by hand.
    (root / "catalog.yaml").write_text(json.dumps(catalog, indent=1), encoding="utf-8")


def database_env(args: argparse.Namespace) -> dict[str, str]:
    return {**os.environ, "MEDIALIB_DATABASE_URL": args.database_url or ""}


def phase_app(args: argparse.Namespace) -> dict[str, Any]:
    """The queries as GET /api/search through the app in this process (the page cache off, so
    every request searches), counting the SQL statements the app sends meanwhile."""
    from sqlalchemy import event

    from medialib.app import create_app
    from medialib.config import Settings

    settings = Settings(library=Path(args.out) / "library", database_url=args.database_url,
                        page_cache_entries=0)
    app = create_app(settings)
    client = app.test_client()
    library = app.extensions["medialib"]
    statements: list[str] = []
    event.listen(library.engine, "before_cursor_execute",
                 lambda _c, _k, statement, *_a: statements.append(statement))

    def get(query: str, filters: dict[str, str]) -> None:
        response = client.get("/api/search", query_string={"q": query, **filters})
        if response.status_code != 200:
            raise RuntimeError(f"/api/search?q={query}: {response.status_code}")

    by_kind = timed_rounds(get, args.rounds)
    requests = sum(len(v) for v in by_kind.values()) + len(queries())
    backend = library.engine.url.get_backend_name()
    library.close()
    return {"app": by_kind, "statements": len(statements), "requests": requests,
            "backend": backend}


def phase_serve(args: argparse.Namespace) -> dict[str, Any]:
    """The same queries through `medialib serve` (waitress) over the synthetic library, built
    from its files by `medialib reindex` into the database of --database-url."""
    root = Path(args.out) / "library"
    medialib = [str(Path(sys.executable).with_name("medialib")), "--library", str(root)]
    if not (args.reuse and (root / "instance").exists()):
        shutil.rmtree(root, ignore_errors=True)
        write_library(root, args.hours)
        start = time.perf_counter()
        subprocess.run([*medialib, "reindex"], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, env=database_env(args))
        reindex_s = time.perf_counter() - start
    else:
        reindex_s = None
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    server = subprocess.Popen([*medialib, "serve", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env=database_env(args))
    args.http = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{args.http}/api/search?q=cancer", timeout=60):
                    break  # listening, and the index is open
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        return {**phase_http(args), "reindex_s": reindex_s}
    finally:
        server.terminate()
        server.wait(timeout=30)


def phase_add(args: argparse.Namespace) -> dict[str, Any]:
    index_dir = Path(args.out) / "index"
    server = SearchIndex(index_dir)  # an already-open reader, as a web server holds
    server.search("treatment")
    new = next(synthetic_library(1, SEED + 7))
    marker = "zyxwvutsrq"
    new = type(new)(
        **{
            **new.__dict__,
            "slug": "synthetic-new",
            "cues": (*new.cues[:-1], type(new.cues[-1])(3596.0, 3600.0, f"the word {marker}")),
        }
    )
    writer = SearchIndex(index_dir)
    start = time.perf_counter()
    writer.add(new)
    added = time.perf_counter()
    found = server.search(marker).total
    visible = time.perf_counter()
    writer.remove("synthetic-new")
    removed = time.perf_counter()
    return {
        "cues": len(new.cues),
        "add_s": added - start,
        "first_search_s": visible - added,
        "searchable_after_s": visible - start,
        "found": found,
        "remove_s": removed - visible,
    }


def phase_build_es(args: argparse.Namespace) -> dict[str, Any]:
    """The half-Spanish index: every webcast, and Spanish captions for every second one."""
    return phase_build(args, "index-es", spanish=True)


def phase_query_es(args: argparse.Namespace) -> dict[str, Any]:
    """The English queries on the half-Spanish index, and the Spanish queries (lang="es")."""
    index = SearchIndex(Path(args.out) / "index-es")
    index.search("warm up")
    index.search("calentar", lang="es")
    english = timed_rounds(lambda q, f: index.search(q, **f), args.rounds)
    spanish = timed_rounds(lambda q, f: index.search(q, lang="es", **f), args.rounds,
                           SPANISH_QUERIES)
    return {
        "english": english, "spanish": spanish, "peak_mb": peak_mb(),
        "english_totals": {q: index.search(q, **f).total for _, q, f in queries()},
        "spanish_totals": {q: index.search(q, lang="es", **f).total
                           for _, q, f in SPANISH_QUERIES},
    }


PHASES = {
    "build": phase_build,
    "build_es": phase_build_es,
    "query_es": phase_query_es,
    "fts": phase_fts,
    "query": phase_query,
    "http": phase_http,
    "serve": phase_serve,
    "app": phase_app,
    "add": phase_add,
}


def run_phase(name: str, argv: list[str]) -> dict[str, Any]:
    print(f"[search bench] {name} ...", file=sys.stderr, flush=True)
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, __file__, *argv, "--phase", name],
        stdout=subprocess.PIPE,
        check=True,
        text=True,
    )
    print(f"[search bench] {name}: {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ---- report --------------------------------------------------------------------------------


def stats(values: list[float]) -> tuple[float, float]:
    return statistics.median(values), percentile(values, 0.95)


def report(args: argparse.Namespace, res: dict[str, Any]) -> str:
    q = res["query"]
    ours, fts, http = q["ours"], q.get("fts"), res.get("http", {}).get("http")
    every = [v for vs in ours.values() for v in vs]
    lines = [
        f"{args.hours} synthetic one-hour webcasts (`bench/search_synth.py`, seed {SEED}); "
        f"{os.cpu_count()} cores, load average {res['load']:.1f} when the run started "
        "(the machine is shared: other work running at the same time slows every figure).",
        "",
        "| figure | value | goal |",
        "| --- | --- | --- |",
    ]
    if "build" in res:
        b = res["build"]
        lines += [
            f"| full rebuild | {b['cues']:,} cues in {b['seconds']:.1f} s = "
            f"**{b['cues_per_s']:,.0f} cues/s** (procs={args.procs}) | ≥ 20,000 cues/s |",
            f"| index size | {b['index_mb']:,.0f} MB | |",
            f"| peak memory, rebuild | {b['peak_mb']:,.0f} MB | |",
        ]
    if "fts" in res:
        f = res["fts"]
        lines.append(
            f"| SQLite FTS5 build, same cues | {f['seconds']:.1f} s = {f['cues_per_s']:,.0f} "
            f"cues/s, {f['db_mb']:,.0f} MB | |"
        )
    p50, p95 = stats(every)
    lines += [
        f"| all queries, in process | p50 **{p50:.1f} ms**, p95 **{p95:.1f} ms** | "
        "p50 ≤ 10 ms, p95 ≤ 50 ms |",
        f"| peak memory, open searcher after the queries | {q['peak_mb']:,.0f} MB | |",
        f"| first search (opens the index) | {q['open_ms']:.0f} ms | |",
    ]
    if fts:
        fts_every = [v for vs in fts.values() for v in vs]
        f50, f95 = stats(fts_every)
        lines.append(
            f"| same queries on SQLite FTS5 | p50 {f50:.1f} ms, p95 {f95:.1f} ms; "
            f"our p95 / FTS5 p95 = **{p95 / f95:.2f}×** | within 10× |"
        )
    if http:
        h50, h95 = stats([v for vs in http.values() for v in vs])
        where = "`medialib serve`, GET /api/search" if args.serve else args.http
        where += ", one kept-alive connection"
        lines.append(
            f"| all queries over HTTP ({where}) | p50 **{h50:.1f} ms**, p95 **{h95:.1f} ms** "
            "| p50 ≤ 10 ms, p95 ≤ 50 ms |"
        )
        reindex_s = res["http"].get("reindex_s")
        if reindex_s:
            lines.append(f"| `medialib reindex` of that library from its files (captions "
                         f"parsed, transcripts, database, index) | {reindex_s:.1f} s | |")
    if "app" in res:
        a50, a95 = stats([v for vs in res["app"]["app"].values() for v in vs])
        lines.append(
            f"| all queries through the app in process (GET /api/search, page cache off, "
            f"{res['app']['backend']}) | p50 **{a50:.1f} ms**, p95 **{a95:.1f} ms**; "
            f"**{res['app']['statements']}** SQL statements sent in {res['app']['requests']} "
            "searches | p50 ≤ 10 ms, p95 ≤ 50 ms; 0 statements |"
        )
    if "add" in res:
        a = res["add"]
        lines.append(
            f"| one new one-hour webcast ({a['cues']} cues) searchable after add | "
            f"**{a['searchable_after_s']:.2f} s** (add {a['add_s']:.2f} s + first search "
            f"{a['first_search_s'] * 1000:.0f} ms; remove {a['remove_s']:.2f} s) | ≤ 2 s |"
        )
    header = "| kind | queries × rounds | p50 ms | p95 ms |"
    rule = "| --- | --- | --- | --- |"
    if fts:
        header += " FTS5 p50 | FTS5 p95 | p95 ratio |"
        rule += " --- | --- | --- |"
    if http:
        header += " HTTP p50 | HTTP p95 |"
        rule += " --- | --- |"
    lines += ["", header, rule]
    for kind, values in ours.items():
        o50, o95 = stats(values)
        row = f"| {kind} | {len(values)} | {o50:.1f} | {o95:.1f} |"
        if fts:
            f50, f95 = stats(fts[kind])
            row += f" {f50:.1f} | {f95:.1f} | {o95 / f95:.2f}× |"
        if http:
            h50, h95 = stats(http[kind])
            row += f" {h50:.1f} | {h95:.1f} |"
        lines.append(row)
    lines += [
        "",
        "Webcasts matched per query (ours / FTS5, which has no synonyms or corrections):",
        "",
    ]
    fts_totals = q.get("fts_totals", {})
    lines.append(
        "; ".join(
            f"`{k}` {v}" + (f" / {fts_totals[k]}" if k in fts_totals else "")
            for k, v in q["totals"].items()
        )
    )
    return "\n".join(lines) + "\n"


def languages_report(args: argparse.Namespace, res: dict[str, Any]) -> str:
    """English only beside half Spanish: builds, then English and Spanish queries."""
    english, both = res["query"], res["query_es"]
    spanish_docs = res.get("build_es", {}).get("webcasts", 0) - res.get("build", {}).get(
        "webcasts", 0)
    lines = [
        f"{args.hours} synthetic one-hour webcasts (`bench/search_synth.py`, seed {SEED}); the "
        f"half-Spanish index also has Spanish captions for every second one ({spanish_docs} "
        "Spanish documents of ~900 cues, `bench/search_synth_es.py`), each language in its own "
        f"indexes. {os.cpu_count()} cores, load average {res['load']:.1f} when the run started "
        "(the machine is shared: other work running at the same time slows every figure).",
        "",
        "| figure | English only | half Spanish | goal |",
        "| --- | --- | --- | --- |",
    ]
    if "build" in res and "build_es" in res:
        b, e = res["build"], res["build_es"]
        lines += [
            f"| full rebuild (procs={args.procs}) | {b['cues']:,} cues in {b['seconds']:.1f} s "
            f"= {b['cues_per_s']:,.0f} cues/s | {e['cues']:,} cues in {e['seconds']:.1f} s = "
            f"{e['cues_per_s']:,.0f} cues/s | |",
            f"| index size | {b['index_mb']:,.0f} MB | {e['index_mb']:,.0f} MB | |",
            f"| peak memory, rebuild | {b['peak_mb']:,.0f} MB | {e['peak_mb']:,.0f} MB | |",
        ]
    e50, e95 = stats([v for vs in english["ours"].values() for v in vs])
    b50, b95 = stats([v for vs in both["english"].values() for v in vs])
    s50, s95 = stats([v for vs in both["spanish"].values() for v in vs])
    goal = "p50 ≤ 10 ms, p95 ≤ 50 ms"
    lines += [
        f"| English queries, in process | p50 **{e50:.1f} ms**, p95 **{e95:.1f} ms** | "
        f"p50 **{b50:.1f} ms**, p95 **{b95:.1f} ms** | {goal} |",
        f"| Spanish queries (`lang=\"es\"`), in process | — | p50 **{s50:.1f} ms**, "
        f"p95 **{s95:.1f} ms** | {goal} |",
        f"| peak memory, open searchers after the queries | {english['peak_mb']:,.0f} MB | "
        f"{both['peak_mb']:,.0f} MB | |",
        "",
        "| English queries, kind | queries × rounds | English only p50 / p95 ms | "
        "half Spanish p50 / p95 ms |",
        "| --- | --- | --- | --- |",
    ]
    for kind, values in english["ours"].items():
        o50, o95 = stats(values)
        h50, h95 = stats(both["english"][kind])
        lines.append(f"| {kind} | {len(values)} | {o50:.1f} / {o95:.1f} | {h50:.1f} / {h95:.1f} |")
    lines += ["", "| Spanish queries, kind | queries × rounds | p50 ms | p95 ms |",
              "| --- | --- | --- | --- |"]
    for kind, values in both["spanish"].items():
        o50, o95 = stats(values)
        lines.append(f"| {kind} | {len(values)} | {o50:.1f} | {o95:.1f} |")
    same = english["totals"] == both["english_totals"]
    lines += [
        "",
        "English queries match the same webcasts on both indexes: "
        f"{'yes' if same else 'NO'}. Webcasts matched per Spanish query:",
        "",
        "; ".join(f"`{k}` {v}" for k, v in both["spanish_totals"].items()),
    ]
    return "\n".join(lines) + "\n"


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hours", type=int, default=1000, help="one-hour webcasts to generate")
    parser.add_argument("--procs", type=int, default=2, help="indexing processes for a rebuild")
    parser.add_argument("--rounds", type=int, default=5, help="times each query is timed")
    parser.add_argument("--out", default=str(HERE / "out" / "search"), help="working folder")
    parser.add_argument("--http", help="also time GET URL/api/search?q=... (medialib serve)")
    parser.add_argument("--serve", action="store_true",
                        help="also time the queries through the app and `medialib serve` over "
                             "the same webcasts written as a library (built by `medialib "
                             "reindex`)")
    parser.add_argument("--database-url", help="SQLAlchemy URL of the --serve library's database "
                        "(default: a SQLite file in its instance folder)")
    parser.add_argument("--throwaway-postgres", action="store_true",
                        help="start a throwaway PostgreSQL cluster for the run (tests/postgres.py) "
                             "and use it as --database-url")
    parser.add_argument("--beside", metavar="OUT",
                        help="--out of a former run on the other database: its figures are "
                             "shown beside these")
    parser.add_argument("--reuse", action="store_true", help="keep the indexes of a former run")
    parser.add_argument("--no-fts", action="store_true", help="skip the SQLite FTS5 comparison")
    parser.add_argument("--half-spanish", action="store_true",
                        help="also build the index with Spanish captions for every second "
                             "webcast and time English and Spanish queries on it, side by side")
    parser.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    parser.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def databases_report(res: dict[str, Any], beside: dict[str, Any] | None) -> str:
    """This run and a former one on the other database, figure by figure."""
    runs = [r for r in (beside, res) if r is not None]
    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    head = " | ".join(names.get(r["app"]["backend"], r["app"]["backend"]) for r in runs)

    def p(values: list[float]) -> str:
        p50, p95 = stats(values)
        return f"p50 {p50:.1f} ms, p95 {p95:.1f} ms"

    rows = [
        ("search in process (the index alone)",
         [p([v for vs in r["query"]["ours"].values() for v in vs]) for r in runs]),
        ("GET /api/search through the app in process (page cache off)",
         [p([v for vs in r["app"]["app"].values() for v in vs]) for r in runs]),
        ("SQL statements the app sent during those searches",
         [f"{r['app']['statements']} in {r['app']['requests']} searches" for r in runs]),
        ("GET /api/search over HTTP (`medialib serve`, one kept-alive connection)",
         [p([v for vs in r["http"]["http"].values() for v in vs]) for r in runs]),
        ("`medialib reindex` of the library (captions, transcripts, rows, index)",
         [f"{r['http']['reindex_s']:.0f} s" if r["http"].get("reindex_s") else "reused"
          for r in runs]),
        ("load average on 2 cores, start / end of the run",
         [f"{r['load']:.1f} / {r.get('load_end', float('nan')):.1f}" for r in runs]),
    ]
    lines = [f"| figure | {head} |", "| --- |" + " --- |" * len(runs)]
    lines += [f"| {name} | " + " | ".join(cells) + " |" for name, cells in rows]
    lines += ["", "Each column is one run, one after the other on the same machine:", ""]
    lines += [f"- {names.get(r['app']['backend'], r['app']['backend'])}: "
              f"`{r.get('command', '?')}`" for r in runs]
    return "\n".join(lines) + "\n"


def main() -> None:
    args = parse(sys.argv[1:])
    if args.phase:
        print(json.dumps(PHASES[args.phase](args)))
        return
    # The command that makes every figure: a --reuse run carries the build figures over.
    command = " ".join([".venv/bin/python bench/search_bench.py",
                        *(a for a in sys.argv[1:] if a not in ("--write", "--reuse"))])
    if not args.throwaway_postgres:
        run(sys.argv[1:], command)
        return
    with throwaway_postgres() as url:
        argv = [a for a in sys.argv[1:] if a != "--throwaway-postgres"]
        run([*argv, "--database-url", url], command)


@contextlib.contextmanager
def throwaway_postgres() -> Iterator[str]:
    """The URL of a fresh database of a PostgreSQL cluster started in a temporary folder."""
    from tests.postgres import _pg_bin, start_cluster

    pg_bin = _pg_bin()
    if pg_bin is None:
        sys.exit("PostgreSQL is not installed (Debian: apt-get install postgresql)")
    root = Path(tempfile.mkdtemp(prefix="medialib-bench-pg-"))
    cluster = start_cluster(root, pg_bin)
    try:
        yield next(cluster).new_database("bench")
    finally:
        cluster.close()
        shutil.rmtree(root, ignore_errors=True)


def run(argv: list[str], command: str) -> None:
    """Every phase, the report and (with --write) its section of RESULTS.md."""
    args = parse(argv)
    Path(args.out).mkdir(parents=True, exist_ok=True)
    res: dict[str, Any] = {"load": os.getloadavg()[0], "command": command}
    previous = Path(args.out) / "results.json"
    if args.reuse and previous.exists():  # the build figures of the run that built the indexes
        earlier = json.loads(previous.read_text())
        res.update({k: earlier[k] for k in ("build", "fts", "build_es") if k in earlier})
    if args.no_fts:
        (Path(args.out) / "fts.sqlite").unlink(missing_ok=True)
    if not args.reuse:
        res["build"] = run_phase("build", argv)
        if not args.no_fts:
            res["fts"] = run_phase("fts", argv)
    res["query"] = run_phase("query", argv)
    if args.http:
        res["http"] = run_phase("http", argv)
    elif args.serve:
        res["http"] = run_phase("serve", argv)
        res["app"] = run_phase("app", argv)
    if args.half_spanish:
        if not args.reuse:
            res["build_es"] = run_phase("build_es", argv)
        res["query_es"] = run_phase("query_es", argv)
    res["add"] = run_phase("add", argv)
    res["load_end"] = os.getloadavg()[0]
    body = report(args, res)
    if args.half_spanish:
        body = languages_report(args, res)
    (Path(args.out) / "results.json").write_text(json.dumps(res, indent=1))
    on_other = "app" in res and res["app"]["backend"] != "sqlite"
    if on_other:
        beside = json.loads((Path(args.beside) / "results.json").read_text()) if args.beside \
            else None
        body = databases_report(res, beside) + "\n" + body
    print(body)
    if args.write:
        section = "Search in two languages" if args.half_spanish else (
            "Search on PostgreSQL" if on_other else "Search")
        write_section(section, body, command)


if __name__ == "__main__":
    main()
