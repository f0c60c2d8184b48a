"""The language a player or transcript page shows its transcript and default captions in.

`?lang=` when the webcast has that track, else the page's language when it has that track, else
its first track. A link carries `lang=` only when it differs from what the page shows without it,
so the English addresses stay as they were.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..languages import transcript_link_label

MAX_LANG = 20  # characters of a language code worth looking up (BCP 47 short forms)
_CODE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8}){0,2}")


def asked_lang(value: str | None) -> str | None:
    """?lang= as a language code worth looking up, else None: anything a visitor types is safe."""
    text = (value or "").strip()
    if not text or len(text) > MAX_LANG or not _CODE.fullmatch(text):
        return None
    return text


def _match(available: Sequence[str], lang: str | None) -> str | None:
    """The track language `lang` names ("ES" and "es" alike; "es" finds "es-MX" when there is
    no "es"), else None."""
    if not lang:
        return None
    wanted = lang.lower()
    exact = next((code for code in available if code.lower() == wanted), None)
    primary = wanted.split("-")[0]
    return exact or next(
        (code for code in available if code.lower().split("-")[0] == primary), None)


def choose(available: Sequence[str], asked: str | None, page: str) -> str | None:
    """The transcript language: the one asked for, the page's, or the first track's (None when
    there is no track)."""
    return _match(available, asked) or _match(available, page) or (
        available[0] if available else None)


@dataclass(frozen=True)
class TranscriptLink:
    """A plain link to the transcript in one language, worded in that language."""

    lang: str
    label: str  # "Transcripción en español", in its own language
    arg: str | None  # the ?lang= value of its link (None: the page's own choice)
    current: bool


@dataclass(frozen=True)
class TranscriptLang:
    """The transcript language of one page, and the other languages the webcast has."""

    lang: str | None  # the language shown; None when the webcast has no caption track
    default: str | None  # the one shown without ?lang=
    available: tuple[str, ...]
    page: str  # the page's interface language

    @classmethod
    def of(cls, available: Sequence[str], asked: str | None, page: str) -> TranscriptLang:
        langs = tuple(available)
        return cls(choose(langs, asked, page), choose(langs, None, page), langs, page)

    @property
    def arg(self) -> str | None:
        """The `lang=` value links of this page carry to keep its choice (None: none needed)."""
        return self.lang if self.lang != self.default else None

    @property
    def query(self) -> str:
        """"&lang=es" for a relative "?t=…" link, or "" when no choice needs keeping."""
        return f"&lang={self.arg}" if self.arg else ""

    @property
    def links(self) -> list[TranscriptLink]:
        """One link per language when the webcast has more than one (none otherwise)."""
        if len(self.available) < 2:
            return []
        return [TranscriptLink(code, transcript_link_label(code),
                               code if code != self.default else None, code == self.lang)
                for code in self.available]
