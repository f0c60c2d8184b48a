"""What goes into the search index and what comes out of it."""

from __future__ import annotations

from dataclasses import dataclass, field

from medialib.captions import Cue
from medialib.chapters import Chapter
from medialib.errors import MedialibError


class SearchUnavailable(MedialibError):
    """The index is missing or unreadable: callers show a clear message (never a 500)."""


@dataclass(frozen=True)
class IndexedWebcast:
    """One webcast as the app hands it to the index: metadata and its English captions."""

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


@dataclass
class SearchResults:
    """One page of results, grouped by webcast."""

    query: str
    results: list[WebcastResult] = field(default_factory=list)
    total: int = 0  # webcasts matched
    page: int = 1
    per_page: int = 10
    suggestion: str | None = None  # "did you mean"
    corrected: bool = False  # True when `results` are those of `suggestion`: the query found none

    @property
    def pages(self) -> int:
        """How many pages the matches fill."""
        return max(1, -(-self.total // self.per_page))
