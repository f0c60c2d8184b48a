"""The `medialib` command: thin commands that parse, call one library operation and print.

Exit status: 0 done, 1 the input or library is wrong (the message names the file and line),
2 usage. Each command is one call through `run`, which turns the library's one error base class
(MedialibError) into exit status 1. The operations load on first use, by name from OPERATIONS:
the command line's one place of late imports, so `medialib --help` and `list` do not load Flask
or SQLAlchemy, and `ingest` starts ffmpeg before them (see library.py).
"""

from __future__ import annotations

import datetime
import importlib
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from .config import Settings
from .errors import MedialibError
from .ingest import CaptionSource, IngestRequest
from .ingest.console import ConsoleReporter, print_plan, print_summary
from .ingest.request import LANG_RE
from .provenance import MedicalReview
from .terminal import printable

if TYPE_CHECKING:
    from .library import Library

OPERATIONS = {
    "init": "medialib.operations:init_library",
    "open": "medialib.library:Library",
    "ingest": "medialib.ingest.pipeline:ingest",
    "dry-run": "medialib.ingest.prepare:prepare",
    "transcribe": "medialib.ingest.pipeline:transcribe_webcast",
    "remove": "medialib.operations:remove_webcast",
    "list": "medialib.operations:list_webcasts",
    "captions": "medialib.review:replace_captions",
    "needs-review": "medialib.review:needing_review",
    "reindex": "medialib.operations:reindex_library",
    "check": "medialib.checks:check_library",
    "serve": "medialib.app:serve",
    "demo": "medialib.demo:build_demo",
    "renditions": "medialib.operations:build_renditions",
}


def operation(name: str) -> Callable[..., Any]:
    """The library function behind command `name`, imported now."""
    module, _, function = OPERATIONS[name].partition(":")
    found: Callable[..., Any] = getattr(importlib.import_module(module), function)
    return found


def fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


class Context:
    """What every command gets: the settings and, on demand, the library."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._library: Library | None = None

    @property
    def library(self) -> Library:
        if self._library is None:
            self._library = operation("open")(self.settings)
        return self._library

    def close(self) -> None:
        if self._library is not None:
            self._library.close()


pass_ctx = click.make_pass_decorator(Context)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--library", "library_dir", type=click.Path(file_okay=False, path_type=Path),
    envvar="MEDIALIB_LIBRARY", default=None,
    help="The library folder (default: the current folder; env MEDIALIB_LIBRARY).",
)
@click.version_option(package_name="medialib")
@click.pass_context
def main(ctx: click.Context, library_dir: Path | None) -> None:
    """medialib: a webcast and educational media library for patients and families."""
    settings = Settings.from_env(library=library_dir or Path.cwd())
    ctx.obj = Context(settings)
    ctx.call_on_close(ctx.obj.close)


def run(fn: str | Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call an operation (by its OPERATIONS name, or a function), turning the library's errors
    into exit status 1."""
    try:
        return (operation(fn) if isinstance(fn, str) else fn)(*args, **kwargs)
    except MedialibError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        fail("interrupted; nothing was changed")
    except OSError as exc:  # permissions, a vanished folder: name the file, skip the traceback
        where = exc.filename or "medialib"
        fail(f"{where}: {exc.strerror or exc}")


def say(message: str) -> None:
    """A progress or notice line, on stderr so stdout stays clean for --json and summaries."""
    click.echo(f"  {message}", err=True)


@main.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--title", default="Webcast library", show_default=True, help="The library's title.")
@pass_ctx
def init(ctx: Context, directory: Path | None, title: str) -> None:
    """Create an empty library (catalog.yaml, media/, transcripts/)."""
    root = run("init", directory or ctx.settings.library, title)
    click.echo(f"Created an empty library in {root}")


def _caption_source(_ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]
                    ) -> tuple[CaptionSource, ...]:
    sources = tuple(CaptionSource.parse(v) for v in values)
    for source in sources:
        if source.lang is not None and not LANG_RE.match(source.lang):
            raise click.BadParameter(f"{source.lang!r} is not a language code such as en or es")
    return sources


def _language(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not LANG_RE.match(value):
        raise click.BadParameter(f"{value!r} is not a language code such as en or es")
    return value


def _date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    for fmt in ("%Y-%m-%d", "%Y-%m"):
        try:
            datetime.datetime.strptime(value, fmt)
            return value
        except ValueError:
            continue
    raise click.BadParameter(f"{value!r} is not a date such as 2024-03-12")


def _day(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        if len(value) == 10:
            return datetime.date.fromisoformat(value).isoformat()
    except ValueError:
        pass
    raise click.BadParameter(f"{value!r} is not a day such as 2024-03-12")


def _medical_review(by: str | None, on: str | None, next_on: str | None) -> MedicalReview | None:
    """--reviewed-by and --reviewed-on (both or neither), --review-next (default a year on)."""
    if (by is None) != (on is None):
        raise click.UsageError("--reviewed-by and --reviewed-on go together (the medical review)")
    if by is None or on is None:
        if next_on is not None:
            raise click.UsageError("--review-next needs --reviewed-by and --reviewed-on")
        return None
    if not by.strip():
        raise click.UsageError("--reviewed-by needs a name, such as \"Jane Doe, MD\"")
    review = MedicalReview.made(by, on, next_on)
    if review.next <= review.on:
        raise click.UsageError("--review-next must come after --reviewed-on")
    return review


@main.command()
@click.argument("media", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--title", required=True, help="The title patients see.")
@click.option("--slug", help="The URL name (default: made from the title); an existing slug is "
              "replaced.")
@click.option("--speaker", "speakers", multiple=True, metavar='"NAME, CREDENTIALS"',
              help='A speaker, matched to the catalog or added (repeatable), e.g. '
                   '"Jane Doe, RN".')
@click.option("--topic", "topics", multiple=True, metavar="ID",
              help="A topic id, added to the catalog if new (repeatable).")
@click.option("--captions", "captions", multiple=True, metavar="FILE[:LANG]",
              callback=_caption_source,
              help="A WebVTT or SRT caption file and its language (default: --language; "
                   "repeatable). Without it, subtitles embedded in the media are used.")
@click.option("--chapters", type=click.Path(path_type=Path, dir_okay=False),
              help='A WebVTT chapters file or "MM:SS Title" lines (default: chapters embedded '
                   "in the media).")
@click.option("--summary", help="A short summary for the library page.")
@click.option("--series", metavar="ID", help="The series this webcast is part of.")
@click.option("--part", type=click.IntRange(min=1), help="Its part number in the series.")
@click.option("--recorded", callback=_date, metavar="DATE",
              help="The recording date, YYYY-MM-DD.")
@click.option("--poster-at", type=click.FloatRange(min=0), metavar="SECONDS",
              help="Take the poster frame at this time (default: 10% in).")
@click.option("--reviewed-by", metavar='"NAME, CREDENTIALS"',
              help="Who reviewed the medical content (with --reviewed-on); patients see it.")
@click.option("--reviewed-on", callback=_day, metavar="DATE",
              help="When the medical content was reviewed, YYYY-MM-DD (with --reviewed-by).")
@click.option("--review-next", callback=_day, metavar="DATE",
              help="When it is due for review again (default: a year after --reviewed-on).")
@click.option("--transcribe", is_flag=True,
              help="Make draft captions from the recording's speech (offline recognition, "
                   "setting asr_model), shown to patients as automatic captions not yet checked.")
@click.option("--language", callback=_language, metavar="LANG",
              help="The language spoken in the recording (catalog `language`; default: en, or "
                   "the replaced webcast's); also the language of --captions files given "
                   "without :LANG and of --transcribe (which detects it when not given).")
@click.option("--dry-run", is_flag=True, help="Print the plan; write nothing.")
@pass_ctx
def ingest(ctx: Context, media: Path, title: str, slug: str | None, speakers: tuple[str, ...],
           topics: tuple[str, ...], captions: tuple[CaptionSource, ...], chapters: Path | None,
           summary: str | None, series: str | None, part: int | None, recorded: str | None,
           poster_at: float | None, reviewed_by: str | None, reviewed_on: str | None,
           review_next: str | None, transcribe: bool, language: str | None,
           dry_run: bool) -> None:
    """Add (or replace) a webcast from a recording, its captions and chapters: all or nothing.

    Probes MEDIA, remuxes or transcodes it to web-ready MP4 (M4A for audio), makes a poster,
    normalizes captions to WebVTT, writes the transcript, the catalog entry, the database rows
    and the search index. If anything fails, nothing in the library changes.
    """
    if part is not None and series is None:
        raise click.UsageError("--part needs --series")
    if transcribe and captions:
        raise click.UsageError("--transcribe makes the captions: give it or --captions, not both")
    request = IngestRequest(
        media=media, title=title, slug=slug, speakers=speakers, topics=topics,
        captions=captions, chapters=chapters, summary=summary, series=series, part=part,
        recorded=recorded, poster_at=poster_at, transcribe=transcribe, language=language,
        medical_review=_medical_review(reviewed_by, reviewed_on, review_next),
    )
    if dry_run:
        print_plan(run("dry-run", ctx.library, request))
        return
    result = run("ingest", ctx.library, request, ConsoleReporter())
    print_summary(result, ctx.settings.public_base_url)


@main.command()
@click.argument("slug")
@click.option("--language", callback=_language, metavar="LANG",
              help="The spoken language (default: the model detects it).")
@click.option("--replace-human", is_flag=True,
              help="Replace captions of that language that a person made or checked.")
@pass_ctx
def transcribe(ctx: Context, slug: str, language: str | None, replace_human: bool) -> None:
    """Make draft captions from a webcast's speech (offline recognition, setting asr_model).

    The track of the recognized language is added or replaced, marked as automatic captions not
    yet checked by staff; its transcript, the catalog entry, database and search index change
    with it, all or nothing. A track a person made or checked is kept unless --replace-human.
    """
    result = run("transcribe", ctx.library, slug, language, ConsoleReporter(), replace_human)
    cues = ", ".join(f"{lang} {n}" for lang, n in result.cue_counts.items())
    click.echo(f"Transcribed {result.webcast.title!r} in {result.seconds:.1f} s")
    click.echo(f"  cues       {cues} (automatic captions for the recognized language)")
    click.echo(f"  URL        {ctx.settings.public_base_url.rstrip('/')}{result.url}")


@main.command()
@click.argument("slug")
@pass_ctx
def remove(ctx: Context, slug: str) -> None:
    """Delete a webcast: its catalog entry, files, transcripts, rows and index documents."""
    run("remove", ctx.library, slug, say)
    click.echo(f"Removed {slug!r}.")


@main.command()
@click.argument("slug")
@click.option("--lang", default="en", show_default=True, help="The language of the track.")
@click.option("--replace", "file", required=True, metavar="FILE",
              type=click.Path(path_type=Path, dir_okay=False),
              help="The corrected (or a person's) caption file, WebVTT or SRT.")
@click.option("--reviewed-by", metavar='"NAME, CREDENTIALS"',
              help="Who checked the captions; a checked machine draft becomes machine-reviewed.")
@click.option("--reviewed-on", callback=_day, metavar="DATE",
              help="When they were checked, YYYY-MM-DD (default: today).")
@pass_ctx
def captions(ctx: Context, slug: str, lang: str, file: Path, reviewed_by: str | None,
             reviewed_on: str | None) -> None:
    """Replace a webcast's caption track (captions, transcript, rows, index, checksum): all
    or nothing. Without --reviewed-by the new file counts as a person's (source: human)."""
    if not LANG_RE.match(lang):
        raise click.BadParameter(f"{lang!r} is not a language code such as en or es")
    done = run("captions", ctx.library, slug, lang, file, reviewed_by, reviewed_on, say)
    track = done.after
    who = f", reviewed by {track.reviewed_by} on {track.reviewed_on}" if track.reviewed_by else ""
    click.echo(f"Replaced the {lang} captions of {slug!r}: {done.cues} cues, "
               f"source {track.source}{who}.")


@main.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--needs-review", is_flag=True,
              help="Only machine caption tracks nobody has checked yet, oldest first.")
@pass_ctx
def list_(ctx: Context, as_json: bool, needs_review: bool) -> None:
    """List the webcasts of the catalog (or the caption tracks waiting for review)."""
    if needs_review:
        queue = run("needs-review", ctx.library)
        if as_json:
            click.echo(json.dumps([vars(due) for due in queue], indent=2, ensure_ascii=False))
            return
        for due in queue:
            click.echo(f"{due.since[:10]}  {due.slug:<40} {due.lang:<5} {due.title}")
        click.echo(f"{len(queue)} caption track(s) waiting for review")
        return
    rows = run("list", ctx.library)
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for row in rows:
        who = printable("; ".join(row["speakers"]))
        flags = [*(["automatic captions"] if any(c["source"] == "machine" for c in row["captions"])
                   else []), *(["held back"] if not row["public"] else [])]
        note = f"  [{', '.join(flags)}]" if flags else ""
        click.echo(f"{row['slug']:<40} {row['kind']:<5} {printable(row['title'])}  ({who}){note}")
    click.echo(f"{len(rows)} webcasts")


@main.command()
@click.argument("query")
@click.option("--topic", help="Only webcasts with this topic id.")
@click.option("--speaker", help="Only webcasts with this speaker id.")
@click.option("--series", help="Only webcasts of this series id.")
@click.option("--kind", type=click.Choice(["video", "audio"]), help="Only video or audio items.")
@click.option("--json", "as_json", is_flag=True, help="Print the search contract's JSON document.")
@click.option("--lang", default="en", show_default=True, callback=_language, metavar="LANG",
              help="Search the captions in this language (es: Spanish words, accents optional, "
                   "Spanish synonyms and spelling suggestions).")
@pass_ctx
def search(ctx: Context, query: str, topic: str | None, speaker: str | None,
           series: str | None, kind: str | None, as_json: bool, lang: str) -> None:
    """Search every transcript; results name the webcast and the moment."""
    found = run(lambda: ctx.library.index.search(query, topic=topic, speaker=speaker,
                                                 series=series, kind=kind, lang=lang))
    if as_json:
        click.echo(json.dumps(found.document(), indent=2, ensure_ascii=False))
    else:
        click.echo(found.text(printable))


@main.command()
@pass_ctx
def reindex(ctx: Context) -> None:
    """Rebuild transcripts, database and search index from the catalog and files."""
    count = run("reindex", ctx.library, say)
    click.echo(f"Reindexed {count} webcasts.")


@main.command()
@pass_ctx
def check(ctx: Context) -> None:
    """Verify files, checksums, captions, chapters, database and index against the catalog."""
    found = run("check", ctx.library, say)
    for problem in found:
        label = "warning" if problem.warning else "problem"
        first, *more = str(problem).splitlines() or [""]  # a caption file's list of problems
        click.echo(f"{label}: {printable(first)}", err=True)
        for line in more:
            click.echo(f"  {printable(line)}", err=True)
    problems = [problem for problem in found if not problem.warning]
    if problems:
        fail(f"{len(problems)} problem(s) found")
    click.echo("The library is whole and in step.")


@main.command()
@click.argument("slugs", nargs=-1)
@pass_ctx
def renditions(ctx: Context, slugs: tuple[str, ...]) -> None:
    """Build HLS renditions (and listen only) for webcasts already in the library (every one
    without them, or those named), one at a time; run it again to carry on after a stop."""
    built, kept = run("renditions", ctx.library, list(slugs), ConsoleReporter())
    click.echo(f"Built renditions for {len(built)} webcast(s); {len(kept)} already had them.")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--threads", default=8, show_default=True, type=int,
              help="Worker threads in each server process.")
@click.option("--workers", default=os.cpu_count() or 1, show_default="the number of CPUs",
              type=click.IntRange(min=1),
              help="Server processes sharing the port (1: serve from this process alone).")
@pass_ctx
def serve(ctx: Context, host: str, port: int, threads: int, workers: int) -> None:
    """Serve the library with a production WSGI server (waitress, one process per CPU)."""
    run("serve", ctx.library, host, port, threads, say, click.echo, workers)


@main.command()
@click.option("--force", is_flag=True, help="Render every item again.")
@pass_ctx
def demo(ctx: Context, force: bool) -> None:
    """Render the sample library's media (ffmpeg + espeak-ng), then reindex it."""
    built = run("demo", ctx.library, force, say)
    click.echo(f"Rendered {built.rendered} item(s); {built.reused} reused.")
    click.echo(f"The sample library is ready: {built.webcasts} webcasts.")


def entry() -> NoReturn:
    """The `medialib` command (and `python -m medialib.cli`): `main`, then out at once.

    Once a command has returned, its files and database connections are closed and its output
    only needs flushing; the interpreter's own tidy-up of the modules a command loaded
    (SQLAlchemy, Whoosh and their kin) would add about a quarter of a second to every command,
    so the process leaves through os._exit instead. A crash still exits the usual way, with
    its traceback.
    """
    try:
        main(prog_name="medialib")
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":  # `python -m medialib.cli`, as the subprocess tests run it
    entry()
