"""medialib: a webcast and educational media library for a cancer center's patients."""

__version__ = "0.1.0"
