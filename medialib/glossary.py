"""The search glossary: groups of words patients and clinicians use for the same thing.

glossary.yaml is a data file people review: each section (lay-clinical, acronyms, brand-generic,
spelling, compounds) lists groups of equivalent terms, e.g. ``[chemo brain, cognitive changes,
memory problems]``. Search widens a query with a term's group ("living will" also finds "advance
directive"); the words the patient typed still rank above their synonyms.

This module knows nothing of the search engine: `Glossary.compile(analyze)` keys every term by the
caller's analyzer (search passes its stemmer), so matching agrees with the index.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from .errors import MedialibError

DEFAULT_GLOSSARY = "glossary.yaml"
KINDS = ("lay-clinical", "acronyms", "brand-generic", "spelling", "compounds")
BRANDS = "brand-generic"  # the section every language shares (see Glossary.load_language)
_NON_WORD = re.compile(r"[\W_]+")

Key = tuple[str, ...]


class GlossaryError(MedialibError):
    """The glossary file is wrong; the message names the file and line."""

    def __init__(self, path: Path | str, message: str, line: int | None = None):
        self.path = str(path)
        self.line = line
        self.message = message
        super().__init__(f"{self.path}:{line}: {message}" if line else f"{self.path}: {message}")


@dataclass(frozen=True)
class GlossaryEntry:
    """One group of equivalent terms, as written in the file."""

    kind: str
    terms: tuple[str, ...]
    line: int | None = None


def normalize(term: str) -> str:
    """Casefolded words separated by single spaces: "Health-Care" -> "health care"."""
    return " ".join(_NON_WORD.sub(" ", term.casefold()).split())


class Glossary:
    """The loaded glossary: its entries, and lookups of a term's synonyms."""

    def __init__(self, entries: Sequence[GlossaryEntry], source: str = "<glossary>"):
        self.entries = tuple(entries)
        self.source = source
        self._groups: dict[str, set[str]] = {}
        for entry in self.entries:
            for term in entry.terms:
                self._groups.setdefault(normalize(term), set()).update(entry.terms)

    @classmethod
    def load(cls, path: Path | str | None = None) -> Glossary:
        """Read a glossary file (default: the one shipped with medialib)."""
        if path is None:
            path = Path(__file__).with_name(DEFAULT_GLOSSARY)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise GlossaryError(path, f"cannot read: {exc}") from None
        return cls.from_text(text, str(path))

    @classmethod
    def from_text(cls, text: str, source: str = "glossary.yaml") -> Glossary:
        """Parse and validate glossary YAML."""
        try:
            data = YAML().load(text)
        except YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise GlossaryError(
                source, f"not valid YAML: {getattr(exc, 'problem', exc)}", mark and mark.line + 1
            ) from None
        if not isinstance(data, CommentedMap):
            raise GlossaryError(source, f"expected sections named {', '.join(KINDS)}", 1)
        entries = []
        for kind, groups in data.items():
            kind_line = data.lc.key(kind)[0] + 1
            if kind not in KINDS:
                raise GlossaryError(source, f"unknown section {kind!r}", kind_line)
            if not isinstance(groups, CommentedSeq):
                raise GlossaryError(source, f"section {kind!r} must be a list of groups", kind_line)
            for i, group in enumerate(groups):
                line = groups.lc.item(i)[0] + 1
                entries.append(GlossaryEntry(kind, _group_terms(group, source, line), line))
        return cls(entries, source)

    @classmethod
    def load_language(cls, path: Path | str) -> Glossary:
        """A language's glossary file joined with the brand -> generic drug groups every
        language shares (the brand-generic section of the shipped glossary.yaml): a brand
        name finds the generic name in any language. A group of the file's own brand-generic
        section that shares a term with a shared group joins it, so the file only needs the
        generic names this language spells its own way: [tamoxifen, tamoxifeno]."""
        own = cls.load(path)
        shared = [entry for entry in cls.load() if entry.kind == BRANDS]
        return cls(_joined_brands(shared, own.entries), own.source)

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[GlossaryEntry]:
        return iter(self.entries)

    def terms(self) -> list[str]:
        """Every term of every group, once each."""
        return sorted({term for entry in self.entries for term in entry.terms})

    def synonyms(self, term: str) -> tuple[str, ...]:
        """The terms that mean the same as `term` (not `term` itself), sorted; () if unknown."""
        key = normalize(term)
        return tuple(sorted(t for t in self._groups.get(key, ()) if normalize(t) != key))

    def compile(self, analyze: Callable[[str], Sequence[str]]) -> GlossaryMatcher:
        """A matcher over analyzed keys (e.g. stems), for finding terms inside a query."""
        return GlossaryMatcher(self.entries, analyze)


class GlossaryMatcher:
    """Finds glossary terms in a sequence of analyzed words, longest first."""

    def __init__(self, entries: Sequence[GlossaryEntry], analyze: Callable[[str], Sequence[str]]):
        self.alternatives: dict[Key, set[Key]] = {}
        for entry in entries:
            keys = {tuple(analyze(term)) for term in entry.terms} - {()}
            for key in keys:
                self.alternatives.setdefault(key, set()).update(keys)
        for key, alts in self.alternatives.items():
            alts.discard(key)
        self.longest = max((len(key) for key in self.alternatives), default=0)

    def find(self, keys: Sequence[str]) -> list[tuple[int, int, tuple[Key, ...]]]:
        """(start, end, alternatives) of each glossary term in `keys`, left to right, longest
        match first, without overlaps; alternatives are sorted and exclude the matched term."""
        found = []
        i = 0
        while i < len(keys):
            for size in range(min(self.longest, len(keys) - i), 0, -1):
                alts = self.alternatives.get(tuple(keys[i : i + size]))
                if alts:
                    found.append((i, i + size, tuple(sorted(alts))))
                    i += size
                    break
            else:
                i += 1
        return found


def _group_terms(group: object, source: str, line: int) -> tuple[str, ...]:
    if not isinstance(group, CommentedSeq) or not all(isinstance(t, str) for t in group):
        raise GlossaryError(source, "a group is a list of terms, e.g. [mets, metastases]", line)
    terms = tuple(str(t).strip() for t in group)
    if len(terms) < 2:
        raise GlossaryError(source, "a group needs at least two terms", line)
    seen: set[str] = set()
    for term in terms:
        key = normalize(term)
        if not key:
            raise GlossaryError(source, f"term {term!r} has no words", line)
        if key in seen:
            raise GlossaryError(source, f"term {term!r} appears twice in its group", line)
        seen.add(key)
    return terms


def _joined_brands(shared: Sequence[GlossaryEntry],
                   own: Sequence[GlossaryEntry]) -> list[GlossaryEntry]:
    """`own` entries, its brand-generic groups joined into the shared ones they share a term
    with; the shared groups that nothing joined are added as they are."""
    groups = [list(entry.terms) for entry in shared]
    keys = [{normalize(term) for term in group} for group in groups]
    entries = []
    for entry in own:
        if entry.kind != BRANDS:
            entries.append(entry)
            continue
        mine = {normalize(term) for term in entry.terms}
        joined = [i for i, group_keys in enumerate(keys) if group_keys & mine]
        if not joined:
            entries.append(entry)
        for i in joined:
            groups[i] += [term for term in entry.terms if normalize(term) not in keys[i]]
            keys[i] |= mine
    lines = [entry.line for entry in shared]
    entries += [GlossaryEntry(BRANDS, tuple(group), line) for group, line in zip(groups, lines,
                                                                              strict=True)]
    return entries
