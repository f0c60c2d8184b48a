"""Words in, terms out: the one tokenizer and stemmer used to index, to query and to highlight.

Indexing hands Whoosh lists of terms made here (lists bypass a field's analyzer), so the terms of a
document, of a query and of a highlighted snippet can never disagree. Tokens follow Whoosh's
default pattern (runs of word characters, dots inside a token kept: "e.g", "3.5"), are lowercased
and Porter-stemmed. There is no stop list: "living will" stays two words and never turns into
"live" (which would match "Living with ..."); query-time stop words are handled by the parser.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .engine import porter_stem as _porter_stem

WORD_RE = re.compile(r"\w+(?:\.\w+)*")
# A spelling-dictionary word: letters only (no digits or underscores), 3 to 30 of them.
SPELLABLE_RE = re.compile(r"^[^\W\d_]{3,30}$")

_STEM_CACHE: dict[str, str] = {}
_STEM_CACHE_MAX = 200_000


def stem(word: str) -> str:
    """The index term of one lowercase word (Porter stem, cached)."""
    term = _STEM_CACHE.get(word)
    if term is None:
        if len(_STEM_CACHE) >= _STEM_CACHE_MAX:
            _STEM_CACHE.clear()
        # Porter's rules are for English letters; leave long or non-alphabetic tokens alone.
        term = _porter_stem(word) if len(word) <= 40 and word.isalpha() else word
        _STEM_CACHE[word] = term
    return term


def words(text: str) -> list[str]:
    """The lowercase words of a text, in order."""
    # Lowercase word by word, as term_spans() does: a few characters change length when
    # lowercased, and the two must cut a text into the same words.
    return [word.lower() for word in WORD_RE.findall(text)]


def terms(text: str) -> list[str]:
    """The index terms of a text, in order (one per word)."""
    return stems(words(text))


def stems(lowercase_words: list[str]) -> list[str]:
    """The index terms of lowercase words (as words() gives them), in order."""
    cache = _STEM_CACHE
    return [
        term if (term := cache.get(word)) is not None else stem(word) for word in lowercase_words
    ]


def term_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, term) of each word of a text, with offsets into the original text."""
    for match in WORD_RE.finditer(text):
        yield match.start(), match.end(), stem(match.group().lower())
