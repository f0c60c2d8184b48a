"""Kept at this path for indexes written before the engine package: their schemas name the
field class here (pickled). Do not move; see engine.compat.PICKLED_NAMES."""

from .engine.writer import TermsText

__all__ = ["TermsText"]
