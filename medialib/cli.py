"""The `medialib` command: thin commands that parse, call one domain function and print.

Exit status: 0 done, 1 the input or library is wrong (the message names the file and line),
2 usage.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from .captions import CaptionError
from .catalog import Catalog, CatalogError
from .config import Settings
from .library import Library, search_document
from .media import MediaError
from .search import SearchUnavailable

DOMAIN_ERRORS: tuple[type[Exception], ...] = (
    CatalogError, CaptionError, MediaError, SearchUnavailable,
)


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
            self._library = Library(self.settings)
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


def run(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Call a domain function, turning its named errors into exit status 1."""
    try:
        return fn(*args, **kwargs)
    except DOMAIN_ERRORS as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        fail("interrupted; nothing was changed")


@main.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--title", default="Webcast library", show_default=True, help="The library's title.")
@pass_ctx
def init(ctx: Context, directory: Path | None, title: str) -> None:
    """Create an empty library (catalog.yaml, media/, transcripts/)."""
    root = (directory or ctx.settings.library).resolve()
    catalog_path = root / "catalog.yaml"
    if catalog_path.exists():
        fail(f"{catalog_path}: a library already exists here")
    (root / "media").mkdir(parents=True, exist_ok=True)
    (root / "transcripts").mkdir(exist_ok=True)
    Catalog.empty(catalog_path, title).save()
    gitignore = root / ".gitignore"
    if not gitignore.exists():
        gitignore.write_text("/instance/\n/.staging/\n/.medialib.lock\n", encoding="utf-8")
    click.echo(f"Created an empty library in {root}")


@main.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_ctx
def list_(ctx: Context, as_json: bool) -> None:
    """List the webcasts of the catalog."""
    catalog = run(ctx.library.load_catalog)
    rows = [
        {
            "slug": w.slug,
            "title": w.title,
            "kind": w.kind,
            "speakers": [catalog.speakers[s].display for s in w.speakers],
            "topics": list(w.topics),
            "series": w.series,
            "part": w.part,
            "recorded": w.recorded,
            "duration": w.media.duration,
            "chapters": len(w.chapters),
            "url": f"/webcasts/{w.slug}",
        }
        for w in catalog.webcasts.values()
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for row in rows:
        who = "; ".join(row["speakers"])
        click.echo(f"{row['slug']:<40} {row['kind']:<5} {row['title']}  ({who})")
    click.echo(f"{len(rows)} webcasts")


@main.command()
@click.argument("query")
@click.option("--topic", help="Only webcasts with this topic id.")
@click.option("--speaker", help="Only webcasts with this speaker id.")
@click.option("--series", help="Only webcasts of this series id.")
@click.option("--kind", type=click.Choice(["video", "audio"]), help="Only video or audio items.")
@click.option("--json", "as_json", is_flag=True, help="Print the search contract's JSON document.")
@pass_ctx
def search(ctx: Context, query: str, topic: str | None, speaker: str | None,
           series: str | None, kind: str | None, as_json: bool) -> None:
    """Search every transcript; results name the webcast and the moment."""
    lib = ctx.library
    with lib.sessions() as session:
        doc = run(search_document, session, lib.index, query, topic=topic, speaker=speaker,
                  series=series, kind=kind)
    if as_json:
        click.echo(json.dumps(doc, indent=2, ensure_ascii=False))
        return
    if doc["suggestion"]:
        label = "Showing results for" if doc["corrected"] else "Did you mean"
        click.echo(f"{label}: {doc['suggestion']}")
    for result in doc["results"]:
        click.echo(f"{result['title']}  ({'; '.join(result['speakers'])})")
        for hit in result["hits"]:
            minutes, seconds = divmod(int(hit["start"]), 60)
            click.echo(f"  [{minutes:02d}:{seconds:02d}] {hit['text']}")
            click.echo(f"          {hit['url']}")
    if not doc["results"]:
        click.echo("No results.")


@main.command()
@pass_ctx
def reindex(ctx: Context) -> None:
    """Rebuild transcripts, database and search index from the catalog and files."""
    count = run(ctx.library.reindex, progress=lambda msg: click.echo(f"  {msg}", err=True))
    click.echo(f"Reindexed {count} webcasts.")


@main.command()
@pass_ctx
def check(ctx: Context) -> None:
    """Verify files, checksums, captions, chapters, database and index against the catalog."""
    from .checks import check_library

    problems = check_library(ctx.library)
    for problem in problems:
        click.echo(f"problem: {problem}", err=True)
    if problems:
        fail(f"{len(problems)} problem(s) found")
    click.echo("The library is whole and in step.")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--threads", default=8, show_default=True, type=int, help="Worker threads.")
@pass_ctx
def serve(ctx: Context, host: str, port: int, threads: int) -> None:
    """Serve the library with a production WSGI server (waitress)."""
    import waitress

    from .app import create_app

    app = create_app(ctx.settings)
    click.echo(f"Serving {ctx.settings.library} at http://{host}:{port}/ (Ctrl-C to stop)")
    waitress.serve(app, host=host, port=port, threads=threads, ident="medialib")


@main.command()
@click.option("--force", is_flag=True, help="Render every item again.")
@pass_ctx
def demo(ctx: Context, force: bool) -> None:
    """Render the sample library's media (ffmpeg + espeak-ng), then reindex it."""
    from .demo import render_demo

    lib = ctx.library
    catalog = run(lib.load_catalog)
    rendered = run(render_demo, ctx.settings.library, catalog, force=force,
                   progress=lambda msg: click.echo(f"  {msg}", err=True))
    click.echo(f"Rendered {len(rendered)} item(s); {len(catalog.webcasts) - len(rendered)} reused.")
    count = run(lib.reindex, progress=lambda msg: click.echo(f"  {msg}", err=True))
    click.echo(f"The sample library is ready: {count} webcasts.")
