"""The page's interface language, carried by the URL: English at /…, Spanish at /es/….

Every public page's rule exists once per interface language (medialib.i18n.LANGUAGES): the
English rule as it always was, and a copy under /<lang>/ whose URL default `ui_lang` names the
language. The value is taken off before the view runs (views never see it) and put back by
url_for, so every link a Spanish page builds is a /es/ link. Media, static files, the JSON APIs,
robots.txt and the sitemap exist once. No cookie: the address alone says the language, so a link
shared in Spanish opens in Spanish. Flask-Babel translates with medialib.i18n's catalogs.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, g, has_request_context, request, url_for
from flask_babel import Babel, Domain
from werkzeug.routing import Rule

from .. import i18n
from ..i18n import N_
from ..languages import language_label
from .urls import public_url

URL_KEY = "ui_lang"  # the URL default naming a rule's language (never a query parameter)
SOURCE = i18n.SOURCE_LANGUAGE
# Endpoints of localized blueprints that exist once: machine-read, not pages.
SHARED = {
    "search.api_search", "discovery.robots", "discovery.sitemap_xml", "discovery.sitemap_file",
    "discovery.oembed",
}
OFFER_ENDPOINTS = {"pages.home"}  # where a browser asking for another language is offered it
# What site.js says to a patient, handed to it translated in the page's #ui-text data block.
SCRIPT_MESSAGES = (
    N_("Stopped at %(time)s"), N_("Stopped at %(time)s of %(total)s"),
    N_("Watched %(time)s of %(total)s"), N_("Remove from this list"),
    N_("Copy the link below."), N_("Link copied. It starts at %(time)s."), N_("Link copied."),
    N_("(now playing)"), N_("Type at least 2 letters."), N_("No matches for “%(q)s”."),
    N_("%(n)s of %(total)s"), N_("Back %(n)s seconds, at %(time)s."),
    N_("Forward %(n)s seconds, at %(time)s."), N_("Speed normal."), N_("Speed %(rate)s×."),
    N_("Captions on."), N_("Captions off."), N_("Resuming from %(time)s."),
    N_("Volume %(percent)s."),
)


def blueprint_options(localized: bool) -> dict[str, Any]:
    """register_blueprint() options: a localized blueprint's rules are the English ones."""
    return {"url_defaults": {URL_KEY: SOURCE}} if localized else {}


def page_lang() -> str:
    """The current request's interface language ("en" outside a request)."""
    if not has_request_context():
        return SOURCE
    lang = g.get("page_lang")
    if lang is None:  # no rule matched (a 404 or 405): the address still says the language
        lang = path_lang(request.path)
        g.page_lang = lang
    return lang


def use_language(lang: str) -> None:
    """Answer the rest of this request in `lang` (a view that exists once for every language,
    such as oEmbed, takes it from its arguments): its messages follow."""
    g.page_lang = lang
    g.pop("ui_translations", None)


def path_lang(path: str) -> str:
    """The language an app path is in: "/es/..." -> "es"; anything else English."""
    first = path.lstrip("/").split("/", 1)[0]
    return first if first in i18n.LANGUAGES and first != SOURCE else SOURCE


def localized(endpoint: str | None) -> bool:
    """Whether an endpoint's pages exist in every language (its URL then names one)."""
    return endpoint is not None and endpoint in current_app.extensions["medialib_localized"]


def url_in(lang: str) -> str:
    """This page in language `lang`, query kept; an error page's is the home page."""
    if g.get("error_page"):
        home: dict[str, Any] = {URL_KEY: lang}
        return url_for("pages.home", **home)
    if localized(request.endpoint):
        values: dict[str, Any] = {
            k: v for k, v in request.args.lists()
            if not k.startswith("_") and k not in ("endpoint", URL_KEY)
        }
        values.update(request.view_args or {})
        values[URL_KEY] = lang
        return url_for(request.endpoint or "", **values)
    path = request.path
    current = path_lang(path)
    if current != SOURCE:
        path = path[len(current) + 1:] or "/"
    root = request.script_root
    if lang != SOURCE:
        return f"{root}/{lang}{path}"
    return f"{root}{path}"


def alternates() -> list[tuple[str, str]]:
    """(hreflang, public URL) of this page in every language, then x-default (English)."""
    if g.get("error_page") or not localized(request.endpoint):
        return []
    return list(public_alternates(request.endpoint or "", **(request.view_args or {})))


def public_alternates(endpoint: str, **values: Any) -> tuple[tuple[str, str], ...]:
    """(hreflang, public URL) of a page in every language, then x-default (English): for the
    head of each page and the sitemap."""
    found = [(lang, public_url(endpoint, **values, **{URL_KEY: lang})) for lang in i18n.LANGUAGES]
    return (*found, ("x-default", found[0][1]))


def offered_language() -> str | None:
    """The language to offer on an English home page to a browser that asks for it first."""
    if page_lang() != SOURCE or request.endpoint not in OFFER_ENDPOINTS:
        return None
    wanted = i18n.preferred(request.headers.get("Accept-Language"))
    return None if wanted == SOURCE else wanted


def _context() -> dict[str, Any]:
    lang = page_lang()
    offer = offered_language()
    catalog = _DOMAIN.get_translations()
    return {
        "ui_text": ({message: catalog.ugettext(message) for message in SCRIPT_MESSAGES}
                    if lang != SOURCE else {}),
        "page_lang": lang,
        "alternates": alternates(),
        "language_links": [(other, language_label(other), url_in(other))
                           for other in i18n.LANGUAGES if other != lang],
        "language_offer": (offer, i18n.gettext(offer, "View this library in English"),
                           url_in(offer)) if offer else None,
    }


def _take_lang(endpoint: str | None, values: dict[str, Any] | None) -> None:
    if values and URL_KEY in values:
        g.page_lang = values.pop(URL_KEY)


def _add_lang(endpoint: str, values: dict[str, Any]) -> None:
    if URL_KEY not in values and has_request_context() and localized(endpoint):
        lang = page_lang()
        if lang != SOURCE:
            values[URL_KEY] = lang


def _vary(response: Response) -> Response:
    """The English home page differs with Accept-Language (the offer of another language)."""
    if request.endpoint in OFFER_ENDPOINTS and page_lang() == SOURCE:
        response.vary.add("Accept-Language")
    return response


class CatalogDomain(Domain):
    """Flask-Babel's translations, read through medialib.i18n (compiled from the .po)."""

    def get_translations(self) -> Any:
        if not has_request_context():
            return i18n.translations(SOURCE)
        found = g.get("ui_translations")
        if found is None:  # once a request: a page asks for a few hundred messages
            found = g.ui_translations = i18n.translations(page_lang())
        return found


class LibraryBabel(Babel):
    @property
    def domain_instance(self) -> Domain:  # type: ignore[override]
        return _DOMAIN


_DOMAIN = CatalogDomain()


def init_app(app: Flask) -> None:
    """Add each language's copy of the localized rules, and wire Flask-Babel to page_lang()."""
    endpoints = set()
    for rule in list(app.url_map.iter_rules()):
        if URL_KEY not in (rule.defaults or {}) or rule.endpoint in SHARED:
            continue
        endpoints.add(rule.endpoint)
        for lang in i18n.LANGUAGES:
            if lang == SOURCE:
                continue
            app.url_map.add(Rule(
                f"/{lang}{rule.rule}", endpoint=rule.endpoint,
                defaults={**(rule.defaults or {}), URL_KEY: lang}, methods=rule.methods,
                strict_slashes=rule.strict_slashes, merge_slashes=False,
            ))
    app.extensions["medialib_localized"] = endpoints
    LibraryBabel(app, locale_selector=page_lang)
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.url_value_preprocessor(_take_lang)
    app.url_defaults(_add_lang)
    app.context_processor(_context)
    app.after_request(_vary)
