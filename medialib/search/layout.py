"""Where each language's indexes live inside a generation directory, and each language's glossary.

A generation holds English at its top (the two indexes and spelling.json, as before languages)
and every other language in a directory of its own, laid out the same::

    gen-<time>-<pid>/  webcasts, passages, spelling.json          English
        lang-es/       webcasts, passages, spelling.json          Spanish

Each language is a complete index with its own statistics and word list: a Spanish document never
changes an English score, and a Spanish word is never "corrected" into an English one. A language
directory exists once some webcast has captions in that language.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from pathlib import Path

from medialib.glossary import Glossary

from .analysis import Analysis, analysis_for, language_code
from .engine import index_exists
from .model import IndexedWebcast

ENGLISH = "en"  # the language at the top of a generation
LANGUAGE_PREFIX = "lang-"


def language_dir(generation: Path, lang: str) -> Path:
    """The directory of language `lang`'s indexes inside a generation directory."""
    code = language_code(lang) or ENGLISH
    return generation if code == ENGLISH else generation / f"{LANGUAGE_PREFIX}{code}"


def languages_in(generation: Path) -> list[str]:
    """The languages a generation directory holds indexes for, English first."""
    found = [ENGLISH]
    for path in sorted(generation.glob(f"{LANGUAGE_PREFIX}*")):
        code = language_code(path.name[len(LANGUAGE_PREFIX):])
        if code and code != ENGLISH and index_exists(path):
            found.append(code)
    return found


def document_language(webcast: IndexedWebcast) -> str:
    """The language a webcast document is filed and analyzed under."""
    return language_code(webcast.lang) or ENGLISH


def english_first(webcasts: Iterable[IndexedWebcast],
                  others: dict[str, list[IndexedWebcast]]) -> Iterator[IndexedWebcast]:
    """The English documents of `webcasts`, one at a time; the others are put aside in
    `others` (language -> documents) to be indexed after."""
    for webcast in webcasts:
        code = document_language(webcast)
        if code == ENGLISH:
            yield webcast
        else:
            others.setdefault(code, []).append(webcast)


@functools.lru_cache(maxsize=16)
def language_glossary(lang: str) -> Glossary:
    """The glossary of a language other than English: its file (languages.yaml names it) with
    the brand -> generic drug groups every language shares; an empty one without a file."""
    analysis: Analysis = analysis_for(lang)
    if analysis.glossary is None:
        return Glossary([], f"<no glossary for {analysis.code}>")
    return Glossary.load_language(analysis.glossary)
