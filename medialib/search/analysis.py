"""Words in, terms out: the one tokenizer and stemmer per language used to index, to query and to
highlight.

Indexing hands Whoosh lists of terms made here (lists bypass a field's analyzer), so the terms of a
document, of a query and of a highlighted snippet can never disagree. Tokens follow Whoosh's
default pattern (runs of word characters, dots inside a token kept: "e.g", "3.5") and are
lowercased; then each language does what its entry in languages.yaml says: English is
Porter-stemmed; Spanish loses its accents but ñ (médico = medico, año ≠ ano), then is stemmed by
Whoosh's Snowball Spanish stemmer. Accents go before the stemmer, not after: the stemmer's
accented suffixes ("-ía") then never apply, but a word typed with or without its accents always
gives the same term. There is no stop list: "living will" stays two words and never turns into
"live" (which would match "Living with ..."); query-time stop words are handled by the parser.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from medialib.errors import MedialibError

from .engine import stemmer as _stemmer

WORD_RE = re.compile(r"\w+(?:\.\w+)*")
# A spelling-dictionary word: letters only (no digits or underscores), 3 to 30 of them.
SPELLABLE_RE = re.compile(r"^[^\W\d_]{3,30}$")
LANGUAGES_FILE = Path(__file__).with_name("languages.yaml")
PACKAGE_DIR = Path(__file__).resolve().parent.parent  # glossary paths are relative to it
_CODE_RE = re.compile(r"^[a-z]{2,3}$")
_STEM_CACHE_MAX = 200_000  # words remembered per language


class LanguageError(MedialibError):
    """languages.yaml is wrong; the message names the file and line."""


class Analysis:
    """How one language's words become index terms (see the module docstring)."""

    def __init__(self, code: str, stem_word: Callable[[str], str] | None = None, *,
                 fold_accents: bool = False, keep: str = "",
                 alphabet: str = "abcdefghijklmnopqrstuvwxyz",
                 stopwords: frozenset[str] = frozenset(), glossary: Path | None = None):
        self.code = code
        self._stem_word = stem_word
        self.fold_accents = fold_accents
        self.keep = frozenset(keep)
        self.alphabet = alphabet
        self.glossary = glossary
        self._folded: dict[str, str] = {}
        self.stopwords = frozenset(self.fold(word) for word in stopwords)
        self._cache: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"Analysis({self.code!r})"

    def fold(self, word: str) -> str:
        """`word` without its accents, but the letters this language keeps (a no-op when the
        language does not fold accents)."""
        if not self.fold_accents or word.isascii():
            return word
        folded = self._folded
        return "".join(
            c if (c := folded.get(ch)) is not None else self._fold_letter(ch) for ch in word
        )

    def _fold_letter(self, letter: str) -> str:
        if letter in self.keep:
            plain = letter
        else:
            decomposed = unicodedata.normalize("NFD", letter)
            plain = "".join(c for c in decomposed if not unicodedata.combining(c)) or letter
            plain = unicodedata.normalize("NFC", plain)
        self._folded[letter] = plain
        return plain

    def stem(self, word: str) -> str:
        """The index term of one lowercase word (cached)."""
        term = self._cache.get(word)
        if term is None:
            if len(self._cache) >= _STEM_CACHE_MAX:
                self._cache.clear()
            plain = self.fold(word)
            # Stemmers' rules are for letters; leave long or non-alphabetic tokens alone.
            if self._stem_word is not None and len(plain) <= 40 and plain.isalpha():
                term = self._stem_word(plain)
            else:
                term = plain
            self._cache[word] = term
        return term

    def terms(self, text: str) -> list[str]:
        """The index terms of a text, in order (one per word)."""
        return self.stems(words(text))

    def stems(self, lowercase_words: list[str]) -> list[str]:
        """The index terms of lowercase words (as words() gives them), in order."""
        cache = self._cache
        return [
            term if (term := cache.get(word)) is not None else self.stem(word)
            for word in lowercase_words
        ]

    def term_spans(self, text: str) -> Iterator[tuple[int, int, str]]:
        """(start, end, term) of each word of a text, with offsets into the original text."""
        for match in WORD_RE.finditer(text):
            yield match.start(), match.end(), self.stem(match.group().lower())

    def is_stopword(self, word: str) -> bool:
        """Is this lowercase word one a query drops when other words remain?"""
        return self.fold(word) in self.stopwords


def words(text: str) -> list[str]:
    """The lowercase words of a text, in order."""
    # Lowercase word by word, as term_spans() does: a few characters change length when
    # lowercased, and the two must cut a text into the same words.
    return [word.lower() for word in WORD_RE.findall(text)]


def language_code(lang: str | None) -> str:
    """The code search files a language under: "es-MX" and "ES" -> "es"; "" for no language."""
    code = str(lang or "").split("-")[0].split("_")[0].strip().lower()
    return code if _CODE_RE.match(code) else ""


@functools.lru_cache(maxsize=64)
def analysis_for(lang: str) -> Analysis:
    """The analysis of language `lang` (by its code, see language_code()): its entry in
    languages.yaml, or words lowercased only for a language without one."""
    code = language_code(lang) or "en"
    entry = _table().get(code)
    if entry is None:
        return Analysis(code)
    return entry


def search_languages() -> tuple[str, ...]:
    """The languages with an entry in languages.yaml, English first."""
    return tuple(_table())


@functools.lru_cache(maxsize=1)
def _table() -> dict[str, Analysis]:
    source = str(LANGUAGES_FILE)
    try:
        data = YAML(typ="rt").load(LANGUAGES_FILE.read_text(encoding="utf-8"))
    except (OSError, YAMLError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark else source
        raise LanguageError(f"{where}: cannot be read: {exc}") from None
    table: dict[str, Analysis] = {}
    for code, entry in (data or {}).items():
        line = data.lc.key(code)[0] + 1
        try:
            table[str(code)] = _entry(str(code), entry)
        except (TypeError, ValueError, KeyError, LookupError) as exc:
            raise LanguageError(f"{source}:{line}: language {code!r}: {exc}") from None
    return table


def _entry(code: str, entry: Any) -> Analysis:
    if not _CODE_RE.match(code):
        raise ValueError("a language is named by its two- or three-letter code")
    if not isinstance(entry, dict):
        raise TypeError("expected stemmer, fold_accents, keep, alphabet, glossary, stopwords")
    unknown = set(entry) - {"stemmer", "fold_accents", "keep", "alphabet", "glossary", "stopwords"}
    if unknown:
        raise ValueError(f"unknown setting {sorted(unknown)[0]!r}")
    name = entry.get("stemmer")
    glossary = entry.get("glossary")
    return Analysis(
        code,
        _stemmer(str(name)) if name else None,
        fold_accents=bool(entry.get("fold_accents", False)),
        keep=str(entry.get("keep") or ""),
        alphabet=str(entry.get("alphabet") or "abcdefghijklmnopqrstuvwxyz"),
        stopwords=frozenset(str(w) for w in entry.get("stopwords") or ()),
        glossary=PACKAGE_DIR / str(glossary) if glossary else None,
    )


ENGLISH = analysis_for("en")
