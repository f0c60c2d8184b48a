"""What goes into the search index and what comes out of it: one result object, whose
document() is the search contract's JSON (`medialib search --json`, `GET /api/search`; see
DESIGN.md). The web page, the player's talk search and the CLI's text render the same objects."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from medialib.captions import Cue
from medialib.chapters import Chapter
from medialib.errors import MedialibError
from medialib.transcripts import clock


class SearchUnavailable(MedialibError):
    """The index is missing or unreadable: callers show a clear message (never a 500)."""


@dataclass(frozen=True)
class IndexedWebcast:
    """One webcast in one language as the app hands it to the index: its metadata and captions in
    language `lang` (a webcast with captions in two languages is two of these, one per
    language, each searched in its own language)."""

    slug: str
    title: str
    summary: str
    kind: str  # 'video' | 'audio'
    series: str | None
    recorded: str | None
    speakers: tuple[tuple[str, str], ...]  # (speaker id, "Name, Credentials")
    topics: tuple[tuple[str, str], ...]  # (topic id, topic name)
    chapters: tuple[Chapter, ...]
    cues: tuple[Cue, ...]
    lang: str = "en"


@dataclass
class Hit:
    """One moment of a webcast: the cue where the matched words begin, and its snippet."""

    start: float
    end: float
    text: str  # plain snippet
    html: str  # the snippet HTML-escaped, matched words in <mark>
    chapter: str | None
    speaker: str | None

    def document(self, slug: str, lang: str = "en") -> dict[str, Any]:
        """This moment of webcast `slug` in the search contract's JSON (found in `lang`)."""
        return {
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "text": self.text,
            "url": moment_url(slug, self.start, lang),
            "chapter": self.chapter,
            "speaker": self.speaker,
        }


def webcast_url(slug: str, lang: str = "en") -> str:
    """The player page of a webcast, as the search contract gives it; with the captions and
    transcript of `lang` when that is not English (the player's default)."""
    return f"/webcasts/{slug}" if lang == "en" else f"/webcasts/{slug}?lang={lang}"


def moment_url(slug: str, start: float, lang: str = "en") -> str:
    """The player page of a webcast, playing from `start` (whole seconds), with the captions
    and transcript of `lang` when that is not English."""
    moment = f"/webcasts/{slug}?t={int(start)}"
    return moment if lang == "en" else f"{moment}&lang={lang}"


@dataclass
class WebcastResult:
    """A matching webcast with its best moments."""

    slug: str
    title: str
    score: float
    hits: list[Hit]
    total_hits: int  # moments found in this webcast (hits holds the best of them)
    matched_fields: list[str]  # of 'title', 'chapter', 'topic', 'speaker', 'summary', 'transcript'
    speakers: list[str] = field(default_factory=list)  # "Name, Credentials", as indexed
    topics: list[str] = field(default_factory=list)  # topic names, as indexed
    lang: str = "en"  # the language the webcast was found in: its moments' captions

    @property
    def url(self) -> str:
        return webcast_url(self.slug, self.lang)

    def document(self) -> dict[str, Any]:
        """This webcast and its moments in the search contract's JSON."""
        return {
            "slug": self.slug,
            "title": self.title,
            "speakers": self.speakers,
            "topics": self.topics,
            "url": self.url,
            "total_hits": self.total_hits,
            "hits": [hit.document(self.slug, self.lang) for hit in self.hits],
        }


@dataclass
class SearchResults:
    """One page of results, grouped by webcast."""

    query: str  # as searched (cleaned)
    results: list[WebcastResult] = field(default_factory=list)
    total: int = 0  # webcasts matched
    page: int = 1
    per_page: int = 10
    suggestion: str | None = None  # "did you mean"
    corrected: bool = False  # True when `results` are those of `suggestion`: the query found none
    asked: str | None = None  # the query as the caller gave it (else `query`)
    lang: str = "en"  # the language searched: words analyzed, moments and snippets in it

    @property
    def pages(self) -> int:
        """How many pages the matches fill."""
        return max(1, -(-self.total // self.per_page))

    def document(self) -> dict[str, Any]:
        """The search contract's JSON document: what `medialib search --json` prints and
        `GET /api/search` returns. Everything in it comes from the index (its stored fields hold
        each webcast's title, speakers and topics as indexed): a search reads no database rows."""
        return {
            "query": self.query if self.asked is None else self.asked,
            "results": [result.document() for result in self.results],
            "total": self.total,
            "page": self.page,
            "suggestion": self.suggestion,
            "corrected": self.corrected,
        }

    def text(self, clean: Callable[[str], str] = str) -> str:
        """The results as `medialib search` prints them: each webcast, then each moment's time,
        snippet and link. `clean` is applied to each piece of catalog or caption text (the
        CLI's strips terminal escapes)."""
        lines = []
        if self.suggestion:
            label = "Showing results for" if self.corrected else "Did you mean"
            lines.append(f"{label}: {clean(self.suggestion)}")
        for result in self.results:
            lines.append(f"{clean(result.title)}  ({clean('; '.join(result.speakers))})")
            for hit in result.hits:
                lines.append(f"  [{clock(hit.start)}] {clean(hit.text)}")
                lines.append(f"          {moment_url(result.slug, hit.start, result.lang)}")
        if not self.results:
            lines.append("No results.")
        return "\n".join(lines)
