"""The Whoosh this engine is written against: its versions, and every private name relied on.

The engine reads and writes Whoosh's W3 segment format itself and subclasses parts of Whoosh's
reader and writer (see the package docstring), so it depends on names Whoosh does not promise to
keep. They are all listed here and checked once, when the engine is imported: a Whoosh that
lacks one fails at once with one error naming what changed, not later inside a search.
pyproject.toml pins whoosh-reloaded to SUPPORTED, the versions this check passes on.
"""

from __future__ import annotations

import functools
import importlib
import inspect
from importlib import metadata

from medialib.errors import MedialibError

DISTRIBUTION = "whoosh-reloaded"
SUPPORTED = ((2, 7, 5), (2, 8))  # from this version, up to (not including) that one
# 2.7.5 is the version tested (2.7.4 installs its modules as `whoosh_reloaded`, not `whoosh`);
# a later 2.7 release is taken only if it still has every name below. 3.0 rewrites the codec.

# module -> names the engine imports from it that are not Whoosh's documented API.
MODULE_NAMES: dict[str, tuple[str, ...]] = {
    "whoosh.codec.whoosh3": (
        "WHOOSH3_HEADER_MAGIC", "W3Codec", "W3FieldWriter", "W3LeafMatcher", "W3PerDocReader",
        "W3PerDocWriter", "W3TermInfo",
    ),
    "whoosh.codec.base": ("WrappingSegment",),
    "whoosh.filedb.compound": ("CompoundStorage",),
    "whoosh.filedb.filetables": ("_lengths", "md5_hash"),
    "whoosh.filedb.structfile": ("BufferFile",),
    "whoosh.index": ("FileIndex",),
    "whoosh.matching": ("ReadTooFar", "IntersectionMatcher", "NullMatcher"),
    "whoosh.matching.wrappers": ("FilterMatcher", "WrappingMatcher"),
    "whoosh.scoring": ("BM25F", "BM25FScorer"),
    "whoosh.system": ("pack_int", "pack_long", "pack_uint", "pack_ushort"),
    "whoosh.util.numeric": ("byte_to_length", "length_to_byte"),
    "whoosh.writing": ("SegmentWriter",),
}

# class -> attributes (methods, class attributes) the engine calls or overrides.
CLASS_NAMES: dict[str, tuple[str, ...]] = {
    "whoosh.codec.whoosh3.W3Codec": (
        "postings_reader", "per_document_writer", "per_document_reader", "field_writer",
        "length_stats",
    ),
    "whoosh.codec.whoosh3.W3LeafMatcher": (
        "_read_ids", "_read_weights", "_read_values", "_read_data", "_read_header", "_goto",
        "_next_block", "block_max_id", "skip_to", "is_active", "id",
    ),
    "whoosh.codec.whoosh3.W3PerDocWriter": ("_create_column",),
    "whoosh.codec.whoosh3.W3PerDocReader": ("_cached_reader", "stored_fields"),
    "whoosh.codec.whoosh3.W3FieldWriter": ("start_field", "finish_field"),
    "whoosh.codec.whoosh3.W3TermInfo": ("_struct", "is_inlined", "extent"),
    "whoosh.filedb.structfile.BufferFile": ("get", "read_pickle", "read_int"),
    "whoosh.codec.base.Segment": ("COMPOUND_EXT", "make_filename"),
    "whoosh.filedb.compound.CompoundStorage": ("open_file", "range"),
    "whoosh.index.FileIndex": ("_reader",),
    "whoosh.writing.SegmentWriter": ("_flush_segment", "per_document_reader"),
    "whoosh.scoring.WeightLengthScorer": ("_score",),
}

# class -> instance attributes its own methods set or read, which the engine reads or sets.
INSTANCE_NAMES: dict[str, tuple[str, ...]] = {
    "whoosh.codec.whoosh3.W3LeafMatcher": (
        "_postfile", "_startoffset", "_length", "_byteids", "_data", "_ids", "_weights",
        "_values", "_i", "_maxid", "_atend", "_baseoffset", "_lastblock", "_nextoffset",
        "_dataoffset", "_blocklength", "_maxweight", "_compression", "_minlength", "_maxlength",
    ),
    "whoosh.codec.whoosh3.W3FieldWriter": ("_codec", "_tindex", "_postfile", "_fieldid"),
    "whoosh.codec.whoosh3.W3Codec": ("_blocklimit", "_compression", "_inlinelimit"),
    "whoosh.filedb.compound.CompoundStorage": ("_source", "is_closed"),
    "whoosh.filedb.structfile.BufferFile": ("_buf", "file"),
    "whoosh.codec.base.WrappingSegment": ("_child",),
    "whoosh.filedb.filestore.FileStorage": ("supports_mmap",),
    "whoosh.filedb.filetables.OrderedHashWriter": (
        "dbfile", "index", "buckets", "hashfn", "lastkey",
    ),
    "whoosh.matching.wrappers.FilterMatcher": ("_exclude", "_ids", "child"),
    "whoosh.scoring.BM25F": ("_field_B", "B", "K1"),
    "whoosh.writing.SegmentWriter": ("pool", "perdocwriter", "fieldwriter", "codec", "schema"),
}

# Classes of ours that an index names in its files (pickled in each segment's table of contents):
# each must stay importable at its path, or indexes written with it no longer open. The first
# two are where they were before the engine package (medialib/search/codec.py and writer.py are
# kept for them); the tests fail if an index names a class not listed here.
PICKLED_NAMES = (
    "medialib.search.codec.FastW3Codec",
    "medialib.search.writer.TermsText",
    "medialib.search.engine.codec.FastW3Codec",
    "medialib.search.engine.writer.TermsText",
)


class WhooshIncompatible(MedialibError, ImportError):
    """The installed Whoosh is not one this engine is written against (staff act on it:
    install a version in SUPPORTED)."""


def installed_version() -> tuple[int, ...]:
    """The installed whoosh-reloaded's version, as numbers."""
    text = metadata.version(DISTRIBUTION)
    return tuple(int(part) for part in text.split(".")[:3] if part.isdigit())


def missing_names() -> list[str]:
    """Every name listed above that the installed Whoosh lacks (dotted paths)."""
    missing = []
    for module_name, names in MODULE_NAMES.items():
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            missing.append(module_name)
            continue
        missing += [f"{module_name}.{n}" for n in names if not hasattr(module, n)]
    for table, has, shown in ((CLASS_NAMES, hasattr, "{}.{}"),
                              (INSTANCE_NAMES, _used_by_methods, "{}().{}")):
        for path, names in table.items():
            cls = _class(path)
            if cls is None:
                missing.append(path)
                continue
            missing += [shown.format(path, n) for n in names if not has(cls, n)]
    return sorted(set(missing))


def check() -> None:
    """Raise WhooshIncompatible, naming what changed, unless the installed Whoosh fits."""
    try:
        version = installed_version()
    except metadata.PackageNotFoundError:
        raise WhooshIncompatible(f"{DISTRIBUTION} is not installed") from None
    low, high = SUPPORTED
    problems = []
    if not low <= version < high:
        problems.append(f"version {_dotted(version)} is outside {_dotted(low)} to "
                        f"{_dotted(high)} (exclusive)")
    missing = missing_names()
    if missing:
        problems.append("it no longer has " + ", ".join(missing))
    if problems:
        raise WhooshIncompatible(
            f"medialib's search engine does not support this {DISTRIBUTION}: "
            + "; ".join(problems) + f" (see {__name__})"
        )


def _class(path: str) -> type | None:
    module_name, _, name = path.rpartition(".")
    try:
        found = getattr(importlib.import_module(module_name), name, None)
    except ImportError:
        return None
    return found if isinstance(found, type) else None


def _used_by_methods(cls: type, name: str) -> bool:
    return name in _names_in_methods(cls)


@functools.cache
def _names_in_methods(cls: type) -> set[str]:
    """Attribute names the methods of a class (and its bases) use."""
    names: set[str] = set()
    for klass in inspect.getmro(cls):
        for value in vars(klass).values():
            function = getattr(value, "__func__", value)
            code = getattr(function, "__code__", None)
            if code is not None:
                names.update(code.co_names)
                for const in code.co_consts:  # nested functions and comprehensions
                    if hasattr(const, "co_names"):
                        names.update(const.co_names)
    return names


def _dotted(version: tuple[int, ...]) -> str:
    return ".".join(map(str, version))
