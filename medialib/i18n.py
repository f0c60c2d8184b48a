"""The interface's languages and their message catalogs, for the web and for any other code.

A language is a catalog on disk: medialib/translations/<lang>/LC_MESSAGES/messages.po (edited by
hand or with `make translations`). English is the language the messages are written in, so it
needs none. A catalog is read straight from its .po and compiled in memory the first time it is
used (and again whenever the .po changes); a .mo that `pybabel compile` left next to it is used
only while it is newer than the .po. So a fresh clone works with no build step, and a stale .mo
is never served.

No Flask here: the transcript files (medialib.transcripts) use gettext() and ngettext() too.
"""

from __future__ import annotations

import io
import threading
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from babel.support import NullTranslations, Translations

from .errors import LocatedError

SOURCE_LANGUAGE = "en"
DOMAIN = "messages"
TRANSLATIONS_DIR = Path(__file__).parent / "translations"
# Keywords `make translations` extracts messages with (pybabel extract -k ...): Flask-Babel's
# `_`, `gettext`, `ngettext` and `lazy_gettext` in templates and web code; `N_` marks a message
# kept in a constant and translated where it is shown; and this module's own gettext(lang, msgid)
# and ngettext(lang, singular, plural, n), whose message is the second argument.
EXTRACT_KEYWORDS = (
    "_", "N_", "gettext", "gettext:2,2t", "ngettext:1,2", "ngettext:2,3,4t",
    "lazy_gettext", "lazy_ngettext:1,2",
)


class MessageCatalogError(LocatedError):
    """A message catalog (.po) that cannot be read; the message names the file and line."""


def _discover(directory: Path) -> tuple[str, ...]:
    found = sorted(
        p.parent.parent.name for p in directory.glob(f"*/LC_MESSAGES/{DOMAIN}.po")
        if p.parent.parent.name != SOURCE_LANGUAGE
    )
    return (SOURCE_LANGUAGE, *found)


# The interface languages: English first, then every language with a catalog.
LANGUAGES: tuple[str, ...] = _discover(TRANSLATIONS_DIR)

_lock = threading.Lock()
# One compiled catalog per language (bounded by the languages on disk), with the .po's identity.
_loaded: dict[str, tuple[tuple[int, int], NullTranslations]] = {}


def catalog_path(lang: str) -> Path:
    """The .po file of language `lang`."""
    return TRANSLATIONS_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def translations(lang: str) -> NullTranslations:
    """The gettext translations of `lang` (English, or a language without a catalog, gets the
    messages as written). Compiled from the .po unless an up-to-date .mo sits beside it."""
    if lang == SOURCE_LANGUAGE or lang not in LANGUAGES:
        return NullTranslations()
    po = catalog_path(lang)
    try:
        st = po.stat()
    except OSError:
        return NullTranslations()
    identity = (st.st_mtime_ns, st.st_size)
    with _lock:
        cached = _loaded.get(lang)
        if cached is not None and cached[0] == identity:
            return cached[1]
    loaded = _load(po, st.st_mtime_ns)
    with _lock:
        _loaded[lang] = (identity, loaded)
    return loaded


def _load(po: Path, po_mtime_ns: int) -> Translations:
    mo = po.with_suffix(".mo")
    try:
        if mo.stat().st_mtime_ns >= po_mtime_ns:
            with mo.open("rb") as fp:
                return Translations(fp, domain=DOMAIN)
    except OSError:
        pass
    return Translations(io.BytesIO(compile_po(po)), domain=DOMAIN)


def compile_po(po: Path) -> bytes:
    """The .mo bytes of catalog `po` (fuzzy entries left out, as `pybabel compile` does)."""
    try:
        with po.open("rb") as fp:
            catalog = read_po(fp, abort_invalid=True)
    except PoFileError as exc:
        line = getattr(exc, "lineno", None)  # Babel counts lines from 0
        raise MessageCatalogError(po, str(exc).rsplit(" on ", 1)[0],
                                  line + 1 if isinstance(line, int) else None) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise MessageCatalogError(po, f"cannot be read: {exc}") from exc
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def gettext(lang: str, msgid: str) -> str:
    """`msgid` in language `lang` (as written when it has no translation)."""
    return translations(lang).ugettext(msgid)


def ngettext(lang: str, singular: str, plural: str, n: int) -> str:
    """The singular or plural message for `n`, in language `lang`."""
    return translations(lang).ungettext(singular, plural, n)


def N_(msgid: str) -> str:  # noqa: N802  (the gettext convention's name)
    """Marks a message for extraction where it is defined; it is translated where shown."""
    return msgid


def preferred(accept_language: str | None) -> str:
    """The interface language a browser's Accept-Language header asks for first among ours
    ("es-MX,es;q=0.9,en;q=0.8" -> "es"); English when it names none of them."""
    choices: list[tuple[float, int, str]] = []
    for position, item in enumerate((accept_language or "")[:1000].split(",")):
        tag, _, params = item.strip().partition(";")
        primary = tag.strip().split("-")[0].lower()
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                    quality = quality if 0 <= quality <= 1 else 0.0
                except ValueError:
                    quality = 0.0
        if primary in LANGUAGES and quality > 0:
            choices.append((-quality, position, primary))
    return min(choices)[2] if choices else SOURCE_LANGUAGE
