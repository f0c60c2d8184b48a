"""The catalog's words in the page's language, and the `lang` marks of those that fall back.

A webcast, topic or series has `.text(lang)`: its words in `lang` when translated, else the
original's, whose own language the result names. Whatever is shown in another language than
the one around it is marked `lang="…"`, so a screen reader pronounces it right (WCAG 3.1.2).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from flask import Flask
from markupsafe import Markup, escape

from ..translated import DEFAULT_LANGUAGE
from .locale import page_lang

T = TypeVar("T")


def translated(item: Any) -> Any:
    """A webcast's, topic's or series' words in the page's language: `w|translated`."""
    return item.text(page_lang())


def lang_mark(lang: str | None, around: str | None = None) -> Markup:
    """' lang="es"' when text in `lang` sits in text of another language (`around`, by default
    the page's), else nothing: `<h1{{ t.lang|lang_mark }}>`."""
    if not lang or lang == (around or page_lang()):
        return Markup("")
    return Markup(' lang="{}"').format(escape(lang))


def alphabetical(text: str) -> str:
    """A sort key that files "Ánimo" with the a's (accents and case aside)."""
    plain = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in plain if not unicodedata.combining(ch))


def in_page_order(items: Iterable[T], name: Callable[[T, str], str]) -> list[T]:
    """Items listed by their names in the page's language (`name(item, lang)`); an English
    page keeps the database's order."""
    lang = page_lang()
    if lang == DEFAULT_LANGUAGE:
        return list(items)
    return sorted(items, key=lambda item: alphabetical(name(item, lang)))


def init_app(app: Flask) -> None:
    app.jinja_env.filters["translated"] = translated
    app.jinja_env.filters["lang_mark"] = lang_mark
