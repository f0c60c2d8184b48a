"""How the command line shows an ingest: step lines, a progress bar, the plan and the summary.

Everything here writes to the terminal (click, tqdm) and nothing else; the pipeline itself only
calls a Reporter.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from ..languages import language_label
from ..transcripts import clock
from .runner import Reporter
from .words import describe_media

if TYPE_CHECKING:
    from .pipeline import IngestResult
    from .prepare import Prepared


class ConsoleReporter(Reporter):
    """Step lines and notices on stderr, and a tqdm bar with percentage and ETA on long steps."""

    def step(self, name: str, message: str) -> None:
        click.echo(f"  {name:<10} {message}", err=True)

    def notice(self, message: str) -> None:
        click.echo(f"  note: {message}", err=True)

    @contextmanager
    def progress(self, label: str, total: float) -> Iterator[Callable[[float], None]]:
        from tqdm import tqdm  # only long steps draw a bar: `medialib --help` need not load it

        # No monitor thread: its only job is tuning refresh rates on stalled bars, and a
        # command line with no stray threads stays simple (and safe to fork in tests).
        tqdm.monitor_interval = 0
        bar = tqdm(
            total=round(total, 1), unit="s", desc=f"  {label}", file=sys.stderr, leave=True,
            dynamic_ncols=True, mininterval=0.5 if sys.stderr.isatty() else 10,
            bar_format="{desc}: {percentage:3.0f}%|{bar}| {n:.0f}/{total:.0f} s "
                       "of media [{elapsed}<{remaining}]",
        )

        def update(seconds: float) -> None:
            seconds = min(round(seconds, 1), bar.total)
            if seconds > bar.n:
                # Set, not added: sums of float steps can pass the total by a hair, and tqdm
                # then warns ("clamping frac"), which a test run treats as an error.
                bar.n = seconds
                bar.update(0)

        try:
            yield update
        finally:
            bar.close()


def print_plan(p: Prepared) -> None:
    """What `--dry-run` prints: the plan and the catalog entry, nothing written."""
    click.echo("Dry run: nothing was written. The ingest would do this:")
    for notice in p.notices:
        click.echo(f"  note: {notice}")
    click.echo(f"  media      {p.request.media}: {clock(p.probe.duration)}; {p.plan.action} — "
               f"{p.plan.description} -> media/{p.slug}/{p.plan.output}")
    spoken = p.draft.language
    click.echo(f"  language   {spoken} ({language_label(spoken)})"
               + (", or the one recognized" if p.request.transcribe and not p.request.language
                  else ""))
    for c in p.captions:
        click.echo(f"  captions   {c.lang} ({c.label}): {len(c.cues)} cues from {c.source}")
    if not p.captions:
        kept = f"{len(p.kept_captions)} kept from the existing entry" if p.kept_captions else "none"
        click.echo(f"  captions   {kept}")
    click.echo(f"  chapters   {len(p.chapters)}" + (f" from {p.chapters_source}"
                                                     if p.chapters else ""))
    for added in p.added:
        click.echo(f"  new        {added}")
    click.echo(f"  catalog    {'replace' if p.replacing else 'add'} this entry in "
               f"{p.catalog.path}:")
    p.catalog.put_webcast(p.draft)
    entry = p.catalog.dump().split("\n")
    start = next(i for i, line in enumerate(entry) if line.startswith(f"  {p.slug}:"))
    end = next((i for i in range(start + 1, len(entry))
                if entry[i].strip() and not entry[i].startswith("    ")), len(entry))
    for line in entry[start:end]:
        if line.strip():
            click.echo(f"    {line}")


def print_summary(result: IngestResult, base_url: str = "") -> None:
    """The closing summary: duration, codecs, cues, speakers, chapters, URL."""
    w = result.webcast
    p = result.prepared
    base = base_url.rstrip("/")
    speakers = [p.catalog.speakers[s].display for s in w.speakers]
    click.echo(f"{'Replaced' if p.replacing else 'Published'} {w.title!r} in "
               f"{result.seconds:.1f} s")
    click.echo(f"  duration   {clock(w.media.duration or 0)}")
    click.echo(f"  media      media/{w.slug}/{w.media.file}: {describe_media(w)} "
               f"({'remuxed' if p.plan.action == 'remux' else 'transcoded'})")
    cues = ", ".join(f"{lang} {n}" for lang, n in result.cue_counts.items()) or "none"
    click.echo(f"  cues       {cues}")
    click.echo(f"  speakers   {'; '.join(speakers) or 'none'}")
    click.echo(f"  chapters   {len(w.chapters)}")
    for added in p.added:
        click.echo(f"  new        {added}")
    click.echo(f"  URL        {base}{result.url}")
