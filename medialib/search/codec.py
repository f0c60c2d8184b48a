"""Kept at this path for indexes written before the engine package: each of their segments
names the codec class here (pickled). Do not move; see engine.compat.PICKLED_NAMES."""

from .engine.codec import FastW3Codec

__all__ = ["FastW3Codec"]
