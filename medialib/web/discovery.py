"""Discovery and sharing: sitemap, robots.txt, podcast feeds, the embeddable player and oEmbed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import SplitResult, parse_qs, unquote, urlsplit

from flask import Blueprint, Response, abort, jsonify, render_template, request
from flask_babel import gettext
from sqlalchemy import select

from .. import models as m
from ..i18n import LANGUAGES, N_, SOURCE_LANGUAGE
from ..slugs import is_slug
from . import queries
from .context import session
from .feeds import (
    Channel,
    Episode,
    SitemapUrl,
    VideoEntry,
    podcast_feed,
    sitemap,
    sitemap_index,
)
from .locale import URL_KEY, page_lang, public_alternates, use_language
from .pages import found_or_404
from .params import seconds
from .player import _duration, _webcast, part_param
from .present import media_path, media_url, player
from .site import library_title
from .structured import oembed, recorded_date
from .transcript_lang import choose
from .urls import absolute, base_url, public_url

bp = Blueprint("discovery", __name__)

FEED_CACHE = "public, max-age=300"
LIBRARY_DESCRIPTION = N_(
    "Talks and podcasts for patients and families, with captions, chapters and transcripts."
)
ROBOTS = """\
User-agent: *
Allow: /
Disallow: /api/
Disallow: /oembed

Sitemap: {sitemap}
"""
MAX_URL = 2000
FEED_ITEMS = 50  # the latest episodes a feed lists: what podcast apps fetch, at any library size
# Webcasts per sitemap file: each has two pages (player, transcript) in every language, so a file
# holds about 250 URLs and costs the same to make whatever the library's size or languages: about
# 12 ms rendered afresh (the protocol allows 50,000 URLs a file and 50,000 files).
SITEMAP_WEBCASTS = 125 // len(LANGUAGES)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_PLAYER_PATH = re.compile(r"(?:/([a-z]{2,3}))?/(?:webcasts|embed)/([^/]+)/?")
DEFAULT_PORTS = {"http": 80, "https": 443}


def _xml(body: bytes, mimetype: str) -> Response:
    response = Response(body, content_type=f"{mimetype}; charset=utf-8")
    response.headers["Cache-Control"] = FEED_CACHE
    return response


# ---- robots.txt and the sitemap ----------------------------------------------------------------


@bp.route("/robots.txt")
def robots() -> Response:
    """Everything may be crawled but the JSON APIs; the sitemap lists every page."""
    body = ROBOTS.format(sitemap=public_url("discovery.sitemap_xml"))
    response = Response(body, mimetype="text/plain")
    response.headers["Cache-Control"] = FEED_CACHE
    return response


@bp.route("/sitemap.xml")
def sitemap_xml() -> Response:
    """A sitemap index naming the sitemap files (one count, whatever the library's size)."""
    files = max(1, -(-queries.webcast_count(session()) // SITEMAP_WEBCASTS))
    locations = [public_url("discovery.sitemap_file", number=n) for n in range(1, files + 1)]
    return _xml(sitemap_index(locations), "application/xml")


@bp.route("/sitemap-<int:number>.xml")
def sitemap_file(number: int) -> Response:
    """One sitemap file: its share of players (with video entries) and transcripts, in catalog
    order; the first also lists home, topics, speakers and series."""
    db = session()
    webcasts = queries.webcasts_by_position(
        db, (number - 1) * SITEMAP_WEBCASTS, SITEMAP_WEBCASTS) if number >= 1 else []
    if number != 1 and not webcasts:
        abort(404, description="There is no such sitemap.")
    urls = _pages("pages.home") if number == 1 else []
    for w in webcasts:
        urls += _pages("player.webcast", _video_entries(w), slug=w.slug)
        urls += _pages("player.transcript", slug=w.slug)
    if number == 1:
        for t, _ in queries.topics_with_counts(db):
            urls += _pages("pages.topic", topic_id=t.id)
        for s, _ in queries.speakers_with_counts(db):
            urls += _pages("pages.speaker", speaker_id=s.id)
        for se in queries.all_series(db):
            urls += _pages("pages.series", series_id=se.id)
    return _xml(sitemap(urls), "application/xml")


def _pages(endpoint: str, videos: dict[str, VideoEntry] | None = None,
           **values: str) -> list[SitemapUrl]:
    """A page's sitemap entries: its URL in each language, each naming all of them (hreflang),
    as search engines ask; a player's video entry in that language's words."""
    alternates = public_alternates(endpoint, **values)
    return [SitemapUrl(loc, (videos or {}).get(lang), alternates)
            for lang, loc in alternates if lang in LANGUAGES]


def _video_entries(w: m.Webcast) -> dict[str, VideoEntry]:
    """Its video sitemap entry in each language, for a video with a poster (a thumbnail is
    required); its files are looked for once."""
    media = w.media
    if w.kind == "audio" or media is None or media_path(w.slug, w.poster) is None:
        return {}
    content = media_path(w.slug, media.file)
    duration = w.duration or media.duration
    entries = {}
    for lang in LANGUAGES:
        text = w.text(lang)
        entries[lang] = VideoEntry(
            title=text.title,
            description=text.summary or text.title,
            thumbnail=absolute(media_url(w.slug, w.poster or "")),
            player=public_url("discovery.embed", slug=w.slug, **{URL_KEY: lang}),
            content=absolute(media_url(w.slug, media.file)) if content else None,
            duration=int(round(duration)) if duration else None,
            published=recorded_date(w.recorded),
        )
    return entries


# ---- podcast feeds -----------------------------------------------------------------------------


def _captioned(slugs: list[str]) -> dict[str, list[str]]:
    """The caption languages of those of these webcasts that have captions (one query, not one
    per item)."""
    found: dict[str, list[str]] = {}
    if not slugs:
        return found
    rows = session().execute(
        select(m.CaptionTrack.webcast_slug, m.CaptionTrack.lang)
        .where(m.CaptionTrack.webcast_slug.in_(slugs)).order_by(m.CaptionTrack.position))
    for slug, lang in rows:
        found.setdefault(slug, []).append(lang)
    return found


def _transcripts(slug: str, langs: list[str] | None) -> list[tuple[str, str]]:
    """(URL, language) of each of an item's caption tracks, the one in the feed's language
    (else its first) first."""
    available, page = langs or [], page_lang()
    first = choose(available, None, page)
    found = []
    for lang in sorted(available, key=lambda code: code != first):
        arg = None if lang == first else lang  # as TranscriptLang names it in a link
        found.append((public_url("player.transcript_vtt", slug=slug, lang=arg), lang))
    return found


def _episodes(webcasts: list[m.Webcast], numbered: bool = False) -> list[Episode]:
    """Feed items of the webcasts whose media file is present (an item needs its enclosure),
    in the page's language."""
    captioned = _captioned([w.slug for w in webcasts])
    lang, library = page_lang(), library_title()
    episodes = []
    for w in webcasts:
        media = w.media
        path = media_path(w.slug, media.file) if media else None
        if media is None or path is None:
            continue
        poster = media_path(w.slug, w.poster)
        duration = w.duration or media.duration
        text = w.text(lang)
        transcripts = _transcripts(w.slug, captioned.get(w.slug))
        transcript_url, transcript_lang = transcripts[0] if transcripts else (None, w.language)
        episodes.append(Episode(
            title=text.title,
            link=public_url("player.webcast", slug=w.slug),
            description=text.summary or text.title,
            author="; ".join(s.display for s in w.speakers) or library,
            enclosure_url=absolute(media_url(w.slug, media.file)),
            mime=media.mime,
            length=path.stat().st_size,
            duration=int(round(duration)) if duration else None,
            published=recorded_date(w.recorded),
            image=absolute(media_url(w.slug, w.poster or "")) if poster else None,
            episode=w.part if numbered and w.part else None,
            transcript_url=transcript_url,
            transcript_lang=transcript_lang,
            more_transcripts=tuple(transcripts[1:]),
        ))
    return episodes


def _feed(title: str, link: str, description: str, webcasts: list[m.Webcast],
          serial: bool = False) -> Response:
    episodes = _episodes(webcasts, numbered=serial)
    image = _channel_image(episodes)
    channel = Channel(
        title=title, link=link, feed_url=absolute(request.path), description=description,
        author=library_title(), image=image, serial=serial, language=page_lang(),
    )
    return _xml(podcast_feed(channel, episodes), "application/rss+xml")


def _channel_image(episodes: list[Episode]) -> str | None:
    """The channel's artwork: the first episode's poster (the catalog has no cover art yet)."""
    return next((e.image for e in episodes if e.image), None)


@bp.route("/feed.xml")
def feed() -> Response:
    """The latest webcasts, newest first, as a podcast."""
    return _feed(library_title(), public_url("pages.home"), gettext(LIBRARY_DESCRIPTION),
                 _latest([]))


def _latest(criteria: list, order: tuple | None = None) -> list[m.Webcast]:
    """The first FEED_ITEMS webcasts matching `criteria` (newest first unless `order`)."""
    return queries.first_webcasts(session(), criteria, FEED_ITEMS,
                                  order if order is not None else queries.NEWEST,
                                  queries.FEED_ITEM)


@bp.route("/topics/<topic_id>/feed.xml")
def topic_feed(topic_id: str) -> Response:
    found = found_or_404(queries.topic, topic_id, "topic")
    text = found.text(page_lang())
    return _feed(
        f"{text.name} · {library_title()}", public_url("pages.topic", topic_id=found.id),
        text.description or gettext("Talks about %(name)s.", name=text.name),
        _latest(queries.with_topic(found.id)),
    )


@bp.route("/series/<series_id>/feed.xml")
def series_feed(series_id: str) -> Response:
    found = found_or_404(queries.series, series_id, "series")
    text = found.text(page_lang())
    return _feed(
        f"{text.title} · {library_title()}", public_url("pages.series", series_id=found.id),
        text.description or gettext("A series of talks: %(title)s.", title=text.title),
        _latest(queries.in_series(found.id), queries.SERIES_ORDER), serial=True,
    )


# ---- the embeddable player and oEmbed ----------------------------------------------------------


@bp.route("/embed/<slug>")
def embed(slug: str) -> str:
    """The player, chapters and transcript alone, for a partner's iframe; ?t= starts there."""
    found = _webcast(slug)
    start = seconds(request.args.get("t"), limit=_duration(found))
    shown = player(found, start, part_param(), request.args.get("lang"))
    return render_template("embed.html", p=shown, page_url=public_url(
        "player.webcast", slug=found.slug, lang=shown.language.arg))


@dataclass(frozen=True)
class WebcastUrl:
    """What a player or embed URL of this site names."""

    slug: str
    t: str | None  # its ?t= (or #t=) value
    page_lang: str  # its interface language: "es" for /es/webcasts/…
    lang: str | None  # its ?lang= value: the transcript's language


def webcast_url(raw: str | None, base: str) -> tuple[str, str | None] | None:
    """(slug, ?t= value) when `raw` is a player or embed URL of this site, else None."""
    found = parse_webcast_url(raw, base)
    return (found.slug, found.t) if found else None


def parse_webcast_url(raw: str | None, base: str) -> WebcastUrl | None:
    """What `raw` names when it is a player or embed URL of this site (in any interface
    language), else None."""
    if not raw or len(raw) > MAX_URL or _CONTROL.search(raw):
        return None
    try:
        given, ours = urlsplit(raw.strip()), urlsplit(base)
        if given.scheme.lower() not in DEFAULT_PORTS or given.username or given.password:
            return None
        if _host(given) != _host(ours):
            return None
    except ValueError:  # a malformed port or IPv6 address
        return None
    prefix = ours.path.rstrip("/")
    if prefix and not given.path.startswith(prefix + "/"):
        return None
    match = _PLAYER_PATH.fullmatch(given.path[len(prefix):])
    slug = unquote(match.group(2)) if match else ""
    lang = match.group(1) if match else None
    if not is_slug(slug) or lang == SOURCE_LANGUAGE or (lang and lang not in LANGUAGES):
        return None
    query = parse_qs(given.query)
    times = query.get("t") or parse_qs(given.fragment).get("t")
    return WebcastUrl(slug, times[0] if times else None, lang or SOURCE_LANGUAGE,
                      next(iter(query.get("lang", [])), None))


def _host(parts: SplitResult) -> tuple[str, int | None]:
    """Host and port, the scheme's default port written as None (http and https both match)."""
    port = parts.port
    if port == DEFAULT_PORTS.get(parts.scheme.lower()):
        port = None
    return (parts.hostname or "").lower(), port


def _dimension(value: str | None) -> int | None:
    try:
        number = int((value or "").strip())
    except ValueError:
        return None
    return number if 0 < number <= 10_000 else None


def _oembed_error(status: int, message: str) -> tuple[Response, int]:
    return jsonify({"error": message, "status": status}), status


@bp.route("/oembed", endpoint="oembed")
def oembed_json() -> tuple[Response, int] | Response:
    """oEmbed 1.0 (JSON) for a player page URL of this site: an iframe of its embed page."""
    if (request.args.get("format") or "json") != "json":
        return _oembed_error(501, "Only format=json is offered.")
    found_url = parse_webcast_url(request.args.get("url"), base_url())
    found = queries.webcast(session(), found_url.slug) if found_url else None
    if found is None or found_url is None:
        return _oembed_error(404, "That address is not a webcast of this library.")
    # In the language asked for (?lang=), else the URL's (/es/…): its title, its embed's.
    asked = request.args.get("lang")
    use_language(asked if asked in LANGUAGES else found_url.page_lang)
    start = seconds(found_url.t, limit=_duration(found))
    document = oembed(player(found, start, None, found_url.lang), library_title(), start,
                      _dimension(request.args.get("maxwidth")),
                      _dimension(request.args.get("maxheight")))
    response = jsonify(document)
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.headers["Access-Control-Allow-Origin"] = "*"  # public data, for in-browser consumers
    return response

