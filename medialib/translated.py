"""A webcast's, topic's or series' words in other languages: the catalog's `translations`.

One shape for the catalog (parsed from YAML) and the database (read by the pages):

    webcasts:
      <slug>:
        language: en                # the language spoken; default en
        translations:
          es:
            title: ...
            summary: ...
            chapters: [..., ...]    # the chapters' titles, in the same order and number
            resources: [{title, url, description}]   # that language's own list
    topics:   {<id>: {..., translations: {es: {name, description, synonyms: [...]}}}}
    series:   {<id>: {..., translations: {es: {title, description}}}}
    library:  {title, translations: {es: {title}}}

Whatever asks for a language gets that language's text when there is one, and otherwise the
original with *its* language, so a page can mark a fallback with `lang` (WCAG 3.1.2).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

DEFAULT_LANGUAGE = "en"
# A BCP 47 tag as catalogs use them: "es", "pt-BR", "es-419", "ht".
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")


def language_problem(tag: object) -> str | None:
    """Why `tag` is not a language code the library accepts, or None."""
    if not isinstance(tag, str) or not LANGUAGE_RE.match(tag):
        return f"{tag!r} is not a language code (like en, es or pt-BR)"
    return None


class WebcastText:
    """A webcast's words in one language; `lang` is the language they are really in.

    Its chapter titles and resources are read when first asked for, so a list of webcasts
    whose chapters were never loaded can still show their titles."""

    def __init__(
        self, lang: str, title: str, summary: str,
        chapters: Callable[[], tuple[str, ...]], resources: Callable[[], tuple[Any, ...]],
    ):
        self.lang, self.title, self.summary = lang, title, summary
        self._chapters, self._resources = chapters, resources

    @cached_property
    def chapters(self) -> tuple[str, ...]:
        """One title per chapter of the webcast, in order."""
        return self._chapters()

    @cached_property
    def resources(self) -> tuple[Any, ...]:
        """Objects with title, url and description."""
        return self._resources()


@dataclass(frozen=True)
class WebcastTranslation:
    """The catalog's `translations.<lang>` of a webcast."""

    lang: str
    title: str
    summary: str = ""
    chapters: tuple[str, ...] = ()  # empty: the chapters keep their original titles
    resources: tuple[Any, ...] | None = None  # None: the original list


@dataclass(frozen=True)
class TopicTranslation:
    """A topic's words in one language: the catalog's `translations.<lang>`, and what
    Topic.text(lang) gives (the original's words, in its language, when not translated)."""

    lang: str
    name: str
    description: str = ""
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True)
class SeriesTranslation:
    """A series' words in one language (as TopicTranslation)."""

    lang: str
    title: str
    description: str = ""


TopicText = TopicTranslation
SeriesText = SeriesTranslation


def variants(lang: str) -> tuple[str, ...]:
    """The codes that answer for `lang`, best first: "es-MX" then "es"."""
    return tuple(dict.fromkeys((lang, lang.split("-")[0])))


def find(translations: Iterable[Any], lang: str) -> Any | None:
    """The translation of `lang` ("es-MX" falls back to "es"), or None."""
    items = list(translations)
    for wanted in variants(lang):
        for item in items:
            if item.lang == wanted:
                return item
    return None


def webcast_text(
    own_lang: str, title: str, summary: str, chapters: Callable[[], Iterable[str]],
    resources: Callable[[], Iterable[Any]], translations: Iterable[Any], lang: str,
) -> WebcastText:
    """A webcast's words in `lang`, or the original's (in `own_lang`); `translations` are
    the catalog's or the rows' (same fields), `chapters` and `resources` give the original's
    when called. Only a chapter list of the right length is used; a translation without a
    summary keeps none rather than mixing languages in one paragraph."""
    t = None if _same(lang, own_lang) else find(translations, lang)
    if t is None:
        return WebcastText(own_lang, title, summary, lambda: tuple(chapters()),
                           lambda: tuple(resources()))

    def translated_chapters() -> tuple[str, ...]:
        original = tuple(chapters())
        return t.chapters if t.chapters and len(t.chapters) == len(original) else original

    def translated_resources() -> tuple[Any, ...]:
        return tuple(resources()) if t.resources is None else tuple(t.resources)

    return WebcastText(t.lang, t.title, t.summary, translated_chapters, translated_resources)


def topic_text(own_lang: str, name: str, description: str, synonyms: Iterable[str],
               translations: Iterable[Any], lang: str) -> TopicText:
    t = None if _same(lang, own_lang) else find(translations, lang)
    if t is None:
        return TopicText(own_lang, name, description, tuple(synonyms))
    return t if isinstance(t, TopicText) else TopicText(t.lang, t.name, t.description,
                                                        tuple(t.synonyms))


def series_text(own_lang: str, title: str, description: str,
                translations: Iterable[Any], lang: str) -> SeriesText:
    t = None if _same(lang, own_lang) else find(translations, lang)
    if t is None:
        return SeriesText(own_lang, title, description)
    return t if isinstance(t, SeriesText) else SeriesText(t.lang, t.title, t.description)


def _same(a: str, b: str) -> bool:
    return a == b or a.split("-")[0] == b


# ---- reading the catalog's YAML ----------------------------------------------------------------

Fail = Callable[[str, Any], Exception]  # (message, key) -> the error naming the key's line
FailAt = Callable[[Any], Fail]  # a mapping -> its Fail


def entries(node: Any, what: str, fail_at: FailAt) -> Iterable[tuple[str, Any]]:
    """(lang, mapping) of a `translations:` mapping, each code checked."""
    value = node.get("translations")
    if value is None:
        return []
    if not isinstance(value, dict):
        raise fail_at(node)(f"{what}: `translations` must be a mapping of language codes",
                            "translations")
    out = []
    for lang, entry in value.items():
        if problem := language_problem(lang):
            raise fail_at(value)(f"{what}: translations: {problem}", lang)
        if not isinstance(entry, dict):
            raise fail_at(value)(f"{what}: translations: {lang} must be a mapping", lang)
        out.append((str(lang), entry))
    return out


def text_of(entry: Any, key: str, what: str, fail: Fail, required: bool = False) -> str:
    value = entry.get(key)
    if value is None or value == "":
        if required:
            raise fail(f"{what}: `{key}` is required", key)
        return ""
    if isinstance(value, (dict, list)):
        raise fail(f"{what}: `{key}` must be text", key)
    return str(value)


def texts_of(entry: Any, key: str, what: str, fail: Fail) -> tuple[str, ...]:
    value = entry.get(key)
    if value is None:
        return ()
    if not isinstance(value, list) or any(isinstance(v, (dict, list)) for v in value):
        raise fail(f"{what}: `{key}` must be a list of texts", key)
    return tuple(str(v) for v in value)


def _each(entry: Any, what: str, fail_at: FailAt) -> Iterator[tuple[str, str, Any, Fail]]:
    """(lang, what to call it in an error, its mapping, its Fail) of each translation."""
    for lang, node in entries(entry, what, fail_at):
        yield lang, f"{what}: {lang} translation", node, fail_at(node)


def webcast_translations(
    entry: Any, what: str, fail_at: FailAt, chapters: int, resource: Callable[[Any], Any]
) -> tuple[WebcastTranslation, ...]:
    """A webcast entry's `translations`; `chapters` is how many chapters it has, `resource`
    makes one resource from its mapping."""
    out = []
    for lang, where, node, fail in _each(entry, what, fail_at):
        titles = texts_of(node, "chapters", where, fail)
        if titles and len(titles) != chapters:
            raise fail(f"{where}: {len(titles)} chapter titles for {chapters} chapters "
                       "(one title per chapter, in order)", "chapters")
        resources = node.get("resources")
        if resources is not None and not isinstance(resources, list):
            raise fail(f"{where}: `resources` must be a list", "resources")
        try:
            made = None if resources is None else tuple(resource(r) for r in resources)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise fail(f"{where}: malformed resources ({exc})", "resources") from None
        out.append(WebcastTranslation(
            lang, text_of(node, "title", where, fail, required=True),
            text_of(node, "summary", where, fail), titles, made,
        ))
    return tuple(out)


def topic_translations(entry: Any, what: str, fail_at: FailAt) -> tuple[TopicTranslation, ...]:
    return tuple(
        TopicTranslation(lang, text_of(node, "name", where, fail, required=True),
                         text_of(node, "description", where, fail),
                         texts_of(node, "synonyms", where, fail))
        for lang, where, node, fail in _each(entry, what, fail_at)
    )


def series_translations(entry: Any, what: str, fail_at: FailAt) -> tuple[SeriesTranslation, ...]:
    return tuple(
        SeriesTranslation(lang, text_of(node, "title", where, fail, required=True),
                          text_of(node, "description", where, fail))
        for lang, where, node, fail in _each(entry, what, fail_at)
    )


def title_translations(entry: Any, fail_at: FailAt) -> dict[str, str]:
    """The library's title per language (`library: translations: {es: {title}}`)."""
    return {
        lang: text_of(node, "title", where, fail, required=True)
        for lang, where, node, fail in _each(entry, "library", fail_at)
    }


def webcast_translation_fields(t: WebcastTranslation) -> dict[str, Any]:
    """One translation as the catalog writes it (empty values left out)."""
    fields = {
        "title": t.title,
        "summary": t.summary or None,
        "chapters": list(t.chapters) or None,
        "resources": None if t.resources is None else [resource_fields(r) for r in t.resources],
    }
    return {k: v for k, v in fields.items() if v is not None}


def resource_fields(r: Any) -> dict[str, str]:
    """One resource as the catalog writes it (no empty description)."""
    fields = {"title": r.title, "url": r.url, "description": r.description or None}
    return {k: v for k, v in fields.items() if v is not None}
