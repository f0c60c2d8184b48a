"""A Whoosh file storage whose readers read compound segment files in place (ViewBufferFile).

Whoosh opens a compound segment file as a CompoundStorage over its memory map, and each inner
file as a BufferFile that copies itself into a BytesIO for stream reads (see codec.ViewBufferFile).
Here only indexes opened through ViewStorage get the view buffer: their readers open segments
through a wrapper whose compound storage makes ViewBufferFile objects. Nothing of Whoosh's own
classes or module globals changes, so other users of Whoosh in the process are unaffected.
"""

from __future__ import annotations

from typing import Any

from whoosh.codec.base import WrappingSegment
from whoosh.filedb.compound import CompoundStorage
from whoosh.filedb.filestore import FileStorage, StorageError
from whoosh.index import FileIndex

from .codec import ViewBufferFile


class ViewCompoundStorage(CompoundStorage):
    """A compound segment file whose inner files, when memory-mapped, are read in place."""

    def open_file(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if self.is_closed:
            raise StorageError("Storage was closed")
        if not self._source:  # not memory-mapped: Whoosh's sub-files
            return super().open_file(name, *args, **kwargs)
        offset, length = self.range(name)
        return ViewBufferFile(memoryview(self._source)[offset : offset + length], name=name)


class _ViewSegment(WrappingSegment):
    """A segment as the index's table of contents holds it, opened with ViewCompoundStorage."""

    def open_compound_file(self, storage: Any) -> ViewCompoundStorage:
        dbfile = storage.open_file(self.make_filename(self._child.COMPOUND_EXT))
        return ViewCompoundStorage(dbfile, use_mmap=storage.supports_mmap)

    def __getattr__(self, name: str) -> Any:
        # W3's readers read the segment's own attributes (_fieldlengths...): the child's.
        if name == "_child":
            raise AttributeError(name)
        return getattr(self._child, name)

    def __eq__(self, other: object) -> bool:
        child = other._child if isinstance(other, _ViewSegment) else other
        return bool(self._child == child)

    def __hash__(self) -> int:
        return hash(self._child)


class _ViewIndex(FileIndex):
    """Whoosh's FileIndex, its readers opening segments as _ViewSegment."""

    @classmethod
    def _reader(
        cls, storage: Any, schema: Any, segments: Any, generation: Any, reuse: Any = None
    ) -> Any:
        wrapped = [s if isinstance(s, _ViewSegment) else _ViewSegment(s) for s in segments]
        return super()._reader(storage, schema, wrapped, generation, reuse=reuse)


class ViewStorage(FileStorage):
    """A read-only FileStorage whose indexes read compound segment files in place."""

    def __init__(self, path: str):
        super().__init__(path, readonly=True)

    def open_index(self, indexname: str = "MAIN", schema: Any = None,
                   indexclass: Any = None) -> Any:
        return super().open_index(indexname, schema=schema, indexclass=indexclass or _ViewIndex)
