"""The message catalogs: every message the interface shows is extracted and translated, and no
template shows words a patient reads without gettext.

Two guards. The first extracts the messages as `make translations` does (babel.cfg, the keywords
medialib.i18n names) and fails on any message a catalog lacks, leaves empty, marks fuzzy or
translates with other placeholders. The second reads every template with Jinja's own lexer and
fails on words outside gettext: text between tags, words in attributes people see or hear
(aria-label, title, alt, placeholder, label, content) and string literals written out by an
expression (`{{ 'Video' if ... }}`). Its own tests below show it catching each kind.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.pofile import read_po
from jinja2 import Environment

from medialib import i18n

REPO = Path(__file__).resolve().parent.parent
TEMPLATES = REPO / "medialib" / "web" / "templates"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
TRANSLATED_LANGUAGES = [lang for lang in i18n.LANGUAGES if lang != i18n.SOURCE_LANGUAGE]


def extracted() -> dict[str | tuple[str, ...], list[str]]:
    """Every message in the code and templates, with where it is (as pybabel extract finds)."""
    with (REPO / "babel.cfg").open() as fp:
        method_map, options_map = parse_mapping_cfg(fp, "babel.cfg")
    found: dict[str | tuple[str, ...], list[str]] = {}
    for name, line, message, _comments, _context in extract_from_dir(
            REPO, method_map, options_map, keywords=parse_keywords(i18n.EXTRACT_KEYWORDS)):
        found.setdefault(message, []).append(f"{name}:{line}")
    return found


def test_spanish_is_an_interface_language() -> None:
    assert i18n.LANGUAGES[0] == "en" and "es" in i18n.LANGUAGES


def test_extraction_finds_the_messages_of_templates_web_code_and_script() -> None:
    found = extracted()
    assert len(found) > 150
    assert "Skip to main content" in found  # base.html
    assert ("%(num)d talk", "%(num)d talks") in found  # an ngettext in a template
    assert "We could not find that topic." in found  # N_() in web/pages.py
    assert "Link copied." in found  # site.js's words, listed in web/locale.py
    assert "View this library in English" in found  # i18n.gettext(lang, msgid)


@pytest.mark.parametrize("lang", TRANSLATED_LANGUAGES)
def test_every_message_has_a_translation(lang: str) -> None:
    with i18n.catalog_path(lang).open("rb") as fp:
        catalog = read_po(fp)
    problems = []
    for message, where in sorted(extracted().items(), key=str):
        entry = catalog.get(message if isinstance(message, str) else message[0])
        strings = [] if entry is None else (
            [entry.string] if isinstance(entry.string, str) else list(entry.string))
        if entry is None or not strings or not all(strings):
            problems.append(f"{where[0]}: no {lang} translation of {message!r}")
        elif entry.fuzzy:
            problems.append(f"{where[0]}: the {lang} translation of {message!r} is fuzzy")
        else:
            wanted = set(PLACEHOLDER.findall(" ".join(
                [message] if isinstance(message, str) else list(message))))
            for text in strings:
                if set(PLACEHOLDER.findall(text)) != wanted:
                    problems.append(f"{where[0]}: {text!r} has not the placeholders {wanted}")
    assert problems == [], "\n".join(problems) + "\nRun `make translations` and translate."


@pytest.mark.parametrize("lang", TRANSLATED_LANGUAGES)
def test_the_catalog_compiles_and_translates(lang: str) -> None:
    assert i18n.compile_po(i18n.catalog_path(lang))
    assert i18n.gettext(lang, "Search") != "Search"


# ---- no words outside gettext in the templates --------------------------------------------------

# Attributes whose value a patient sees or hears (screen readers read aria-label, title, alt).
SPOKEN_ATTRIBUTES = {"aria-label", "title", "alt", "placeholder", "label", "content",
                     "aria-description", "value"}
GETTEXT = {"_", "gettext", "ngettext"}
MASK = "\x00"  # where a Jinja tag was: no letters, so never taken for words
WORDS = re.compile(r"[^\W\d_]{2,}")
# A literal that reads as words: a capital and lower case, or two words with a space between.
PROSE = re.compile(r"[A-Z][a-z]|[A-Za-z]{2,},? +[A-Za-z]")
CONTENT_OF_NON_WORDS = {"script", "style"}
CLASS_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)+")
# <meta content="..."> holds words only for these names; the rest are settings.
WORDY_META = {"description"}


class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.skip = 0
        self.kbd = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in CONTENT_OF_NON_WORDS:
            self.skip += 1
        if tag == "kbd":
            self.kbd += 1
        named = dict(attrs)
        for name, value in attrs:
            if name not in SPOKEN_ATTRIBUTES or not value:
                continue
            if name == "content" and (tag != "meta" or named.get("name") not in WORDY_META):
                continue
            if name == "value" and named.get("type") not in ("submit", "button", "reset"):
                continue
            if WORDS.search(value):
                self.found.append(f'<{tag} {name}="{value}">')

    def handle_endtag(self, tag: str) -> None:
        if tag in CONTENT_OF_NON_WORDS:
            self.skip -= 1
        if tag == "kbd":
            self.kbd -= 1

    def handle_data(self, data: str) -> None:
        if self.skip or (self.kbd and len(data.strip()) <= 1):  # a key's name: K, J, ←
            return
        # A block's class name ({% block body_class %}player-page{% endblock %}) is no words.
        words = [w for w in re.split(r"[\s\x00]+", data) if not CLASS_NAME.fullmatch(w)]
        if WORDS.search(" ".join(words)):
            self.found.append(data.strip())


def untranslated(source: str) -> list[str]:
    """The words of a template shown to a patient without gettext."""
    env = Environment(extensions=["jinja2.ext.i18n"])
    masked: list[str] = []
    found: list[str] = []
    calls: list[bool] = []  # open parentheses: which are a gettext call's
    last: tuple[str, str] = ("", "")
    for _line, kind, value in env.lex(source):  # raw tokens: "(" is an operator
        if kind == "data":
            masked.append(value)
        elif kind in ("variable_begin", "block_begin"):
            masked.append(MASK)
        elif kind == "whitespace":
            continue
        elif (kind, value) == ("operator", "("):
            calls.append(last[0] == "name" and last[1] in GETTEXT)
        elif (kind, value) == ("operator", ")") and calls:
            calls.pop()
        elif kind == "string" and not any(calls) and PROSE.search(value) \
                and not value.startswith("<"):
            found.append(repr(value))
        last = (kind, value)
    parser = _VisibleText()
    parser.feed(re.sub(f"<(/?){MASK}", r"<\1x", "".join(masked)))  # <{{ heading }}> is a tag
    parser.close()
    return found + parser.found


@pytest.mark.parametrize("template", sorted(
    str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html")))
def test_no_template_shows_words_outside_gettext(template: str) -> None:
    assert untranslated((TEMPLATES / template).read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("source", [
    "<p>Hello there</p>",
    "<p>{{ _('Hello') }} and more</p>",
    '<nav aria-label="Pages of talks"></nav>',
    '<img src="x.jpg" alt="A poster">',
    '<button title="Close">{{ _("Close") }}</button>',
    '<meta name="description" content="Talks for patients">',
    '<input type="submit" value="Search">',
    "<p>{{ 'Audio podcast' if audio else 'Video' }}</p>",
    "<p>{{ count }} talk{{ '' if count == 1 else 's' }}</p>",
    "{% block title %}Search{% endblock %}",
    "<p>{% if x %}Recorded {{ date }}{% endif %}</p>",
    "<p>{{ label|default('Search every word') }}</p>",
    "<p>player-page and more</p>",
    "<{{ heading }} class='x'>Newest talks</{{ heading }}>",
])
def test_the_guard_catches_words_outside_gettext(source: str) -> None:
    assert untranslated(source), source


@pytest.mark.parametrize("source", [
    "<p>{{ _('Hello there') }}</p>",
    "<p>{{ ngettext('%(num)d talk', '%(num)d talks', n) }}</p>",
    "<p>{{ _('Audio podcast') if audio else _('Video') }}</p>",
    '<nav aria-label="{{ _(\'Pages of talks\') }}"></nav>',
    "<p>{{ w.title }} · {{ w.speakers|map(attribute='display')|join('; ') }}</p>",
    '<a href="{{ url_for(\'pages.home\') }}" class="button primary">{{ _("Home") }}</a>',
    "<dt><kbd>K</kbd> <kbd>←</kbd></dt>",
    '<meta property="og:type" content="video.other"><meta name="theme-color" content="#fff">',
    "<script>var x = 'Hello world';</script>",
    "{# A comment in plain words is for the people who edit templates. #}",
    "<p>{{ _('Try %(link)s.', link=('<a href=\"%s\">%s</a>'|safe) % (u, _('this'))) }}</p>",
    '<input id="q" name="q" type="search" value="{{ query.q }}">',
])
def test_the_guard_lets_translated_and_non_word_text_through(source: str) -> None:
    assert untranslated(source) == [], source


# ---- the catalogs on disk: compiled at load, never a stale .mo --------------------------------


def _catalog(directory: Path, translation: str) -> Path:
    po = directory / "xx" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True, exist_ok=True)
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
                  f'msgid "Search"\nmsgstr "{translation}"\n', encoding="utf-8")
    return po


def test_a_catalog_is_read_from_its_po_and_a_stale_mo_is_never_used(tmp_path, monkeypatch) -> None:
    import os

    monkeypatch.setattr(i18n, "TRANSLATIONS_DIR", tmp_path)
    monkeypatch.setattr(i18n, "LANGUAGES", ("en", "xx"))
    monkeypatch.setattr(i18n, "_loaded", {})
    po = _catalog(tmp_path, "Cherchez")
    assert i18n.gettext("xx", "Search") == "Cherchez"  # no .mo: compiled from the .po
    mo = po.with_suffix(".mo")
    mo.write_bytes(i18n.compile_po(_catalog(tmp_path, "Stale")))
    _catalog(tmp_path, "Fresh")
    stat = mo.stat()
    os.utime(po, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # the .po is newer
    assert i18n.gettext("xx", "Search") == "Fresh"
    os.utime(mo, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2 * 10**9))  # compiled after it
    mo.write_bytes(i18n.compile_po(po))
    os.utime(mo, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2 * 10**9))
    monkeypatch.setattr(i18n, "_loaded", {})
    assert i18n.gettext("xx", "Search") == "Fresh"
    assert i18n.gettext("en", "Search") == "Search" and i18n.gettext("zz", "Search") == "Search"
    assert i18n.ngettext("xx", "one talk", "%(num)d talks", 2) == "%(num)d talks"


def test_a_broken_catalog_is_named_with_its_line(tmp_path) -> None:
    po = tmp_path / "messages.po"
    po.write_text('msgid "a"\nmsgstr "b"\n\nmsgid "c"\nbroken line\n', encoding="utf-8")
    with pytest.raises(i18n.MessageCatalogError) as caught:
        i18n.compile_po(po)
    assert str(caught.value).startswith(f"{po}:5: ")


@pytest.mark.parametrize(("header", "wanted"), [
    ("es-MX,es;q=0.9,en;q=0.8", "es"), ("en-US,en;q=0.9,es;q=0.8", "en"), ("es", "es"),
    ("fr-CA,fr;q=0.9,es;q=0.8,en;q=0.7", "es"), ("de", "en"), ("", "en"), (None, "en"),
    ("es;q=0", "en"), ("en;q=0.5, es;q=0.6", "es"), ("es;q=nan,en", "en"), ("es;q=2", "en"),
    ("ES-us", "es"), (",,;;==", "en"), ("x" * 5000, "en"),
])
def test_the_browser_preference_is_read_from_accept_language(header, wanted) -> None:
    assert i18n.preferred(header) == wanted
