"""A bounded cache: what a search remembers per open index never grows past its size.

Filter sets, prefix expansions, word frequencies and spelling suggestions are keyed by what
visitors type; kept for the life of an index without a bound, a stream of distinct values would
grow the server's memory without end. Least recently used entries go first.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class BoundedCache(Generic[V]):
    """At most `size` values, the least recently used dropped first."""

    def __init__(self, size: int):
        if size < 1:
            raise ValueError("a cache holds at least one value")
        self.size = size
        self._values: OrderedDict[Hashable, V] = OrderedDict()

    def get(self, key: Hashable, make: Callable[[], V]) -> V:
        """The value kept for `key`, else make() (then kept)."""
        values = self._values
        try:
            value = values[key]
        except KeyError:
            value = values[key] = make()
            if len(values) > self.size:
                values.popitem(last=False)
            return value
        values.move_to_end(key)
        return value

    def __len__(self) -> int:
        return len(self._values)

    def clear(self) -> None:
        self._values.clear()
