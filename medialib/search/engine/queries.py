"""The queries the engine answers, as plain values: relevance builds them, engines run them.

- Word: a term in a field, times its boost;
- Phrase: terms that follow each other in a field (positions stored), the sum of their scores or
  weights, times its boost;
- AllOf: documents matching every part, the sum of the parts, times its boost;
- AnyOf: documents matching some part, the sum of the parts that match.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union


@dataclass(frozen=True)
class Word:
    field: str
    text: str
    boost: float = 1.0


@dataclass(frozen=True)
class Phrase:
    field: str
    words: tuple[str, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class AllOf:
    parts: tuple[Query, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Query, ...]


Query = Union[Word, Phrase, AllOf, AnyOf]  # noqa: UP007  (a runtime alias, for isinstance users)
