"""What staff ask `medialib ingest` for, checked before anything else: the request and its slug."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import LocatedError
from ..provenance import MedicalReview
from ..slugs import slug_problem, slugify
from ..translated import DEFAULT_LANGUAGE

LANG_RE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")


class IngestError(LocatedError):
    """An ingest input or step is wrong; the message names the file (and line) at fault."""


@dataclass(frozen=True)
class CaptionSource:
    """A caption file given with --captions FILE[:LANG]; without LANG, the webcast's spoken
    language (--language, see spoken_language)."""

    path: Path
    lang: str | None = None

    @classmethod
    def parse(cls, text: str) -> CaptionSource:
        """"talk.srt" or "talk.es.vtt:es"; a colon that is part of an existing file name stays."""
        head, sep, lang = text.rpartition(":")
        looks_like_lang = 0 < len(lang) <= 16 and "/" not in lang and "." not in lang
        if sep and head and looks_like_lang and not Path(text).exists():
            return cls(Path(head), lang)  # the command line checks the code itself
        return cls(Path(text))


@dataclass(frozen=True)
class IngestRequest:
    """What staff asked for: the recording, its captions and chapters, and its catalog entry."""

    media: Path
    title: str
    slug: str | None = None
    speakers: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    captions: tuple[CaptionSource, ...] = ()
    chapters: Path | None = None
    summary: str | None = None
    series: str | None = None
    part: int | None = None
    recorded: str | None = None
    poster_at: float | None = None
    medical_review: MedicalReview | None = None  # --reviewed-by, --reviewed-on, --review-next
    transcribe: bool = False  # draft captions from speech recognition (marked machine)
    # --language: the spoken language (catalog `language`), the language of --captions files
    # given without one, and of --transcribe; None: not given (see spoken_language)
    language: str | None = None
    replace_human: bool = False  # transcribe: a person's captions may give way to a draft


def check_request(request: IngestRequest) -> str:
    """The webcast's slug; IngestError for a request that cannot be right whatever the files
    hold. Run once per ingest (or dry run), before anything is read."""
    require_file(request.media, "recording")
    if request.slug is not None and (problem := slug_problem(request.slug)):
        raise IngestError(request.media, f"--slug {request.slug[:40]!r}: {problem}")
    if not request.title.strip():
        raise IngestError(request.media, "--title is empty")
    if request.transcribe and request.captions:
        raise IngestError(request.captions[0].path, "--transcribe makes the captions from the "
                          "recording's speech: give either caption files or --transcribe")
    if request.language is not None and not LANG_RE.match(request.language):
        raise IngestError(request.media, f"--language {request.language!r} is not a language "
                          "code such as en or es")
    slug = request.slug or slugify(request.title)
    if not slug:
        raise IngestError(request.media, "the title has no letters or digits for a slug; "
                          "give one with --slug")
    return slug


def spoken_language(request: IngestRequest, old: str | None) -> str:
    """The language a webcast is spoken in: --language, else the replaced entry's, else en
    (with --transcribe and no --language, the recognized language replaces it: speech)."""
    return request.language or old or DEFAULT_LANGUAGE


def require_file(path: Path, what: str) -> None:
    """IngestError naming `path` unless it is a readable file."""
    if not path.exists():
        raise IngestError(path, f"no such file (the {what})")
    if not path.is_file():
        raise IngestError(path, f"not a file (the {what})")
    try:
        with open(path, "rb") as fh:
            fh.read(1)
    except OSError as exc:
        raise IngestError(path, f"cannot read the {what}: {exc.strerror or exc}") from None
