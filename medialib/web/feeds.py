"""XML the site publishes: RSS 2.0 podcast feeds (with the iTunes tags podcast apps read) and
the sitemap (with Google's video extension). Built with xml.etree, so every text is escaped.

Written here rather than with feedgen 1.0, measured: feedgen raises ValueError on a title or
summary holding a control character (a 500 for /feed.xml; here the character is dropped), needs
lxml (13 MB) and python-dateutil, writes neither Podcasting 2.0's <podcast:transcript> nor a
sitemap, and saves nothing that matters (a one-item feed: 0.12 ms against 0.25 ms here)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from email.utils import format_datetime

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
ATOM = "http://www.w3.org/2005/Atom"
PODCAST = "https://podcastindex.org/namespace/1.0"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
VIDEO = "http://www.google.com/schemas/sitemap-video/1.1"
XHTML = "http://www.w3.org/1999/xhtml"  # a sitemap's hreflang alternates (xhtml:link)
for _prefix, _uri in (("itunes", ITUNES), ("atom", ATOM), ("podcast", PODCAST),
                      ("video", VIDEO), ("xhtml", XHTML)):
    ET.register_namespace(_prefix, _uri)

# XML 1.0 cannot carry most control characters or lone surrogates, even escaped: they are dropped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# A publication time for a recording that only has a date: noon UTC keeps the same calendar
# day from Hawaii to New Zealand.
PUBLISHED_AT = time(12, 0, tzinfo=UTC)
VIDEO_MAX_SECONDS = 28_800  # the video sitemap's limit
VIDEO_DESCRIPTION_CHARS = 2048


def xml_text(value: object) -> str:
    return _NOT_XML.sub("", str(value))


def _add(parent: ET.Element, tag: str, content: object = None, **attrs: str) -> ET.Element:
    """A child element with text content and attributes (control characters dropped)."""
    child = ET.SubElement(parent, tag, {k: xml_text(v) for k, v in attrs.items()})
    if content is not None:
        child.text = xml_text(content)
    return child


def _itunes(name: str) -> str:
    return f"{{{ITUNES}}}{name}"


def _serialize(root: ET.Element, default_namespace: str | None = None) -> bytes:
    ET.indent(root, space=" ")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True,
                       default_namespace=default_namespace) + b"\n"


def rfc822(day: date) -> str:
    return format_datetime(datetime.combine(day, PUBLISHED_AT))


@dataclass(frozen=True)
class Episode:
    """One item of a podcast feed: a webcast with its media file."""

    title: str
    link: str
    description: str
    author: str
    enclosure_url: str
    mime: str
    length: int  # bytes, from the file itself
    duration: int | None = None  # whole seconds
    published: date | None = None
    image: str | None = None
    episode: int | None = None  # the part number in a series feed
    transcript_url: str | None = None
    transcript_lang: str = "en"
    more_transcripts: tuple[tuple[str, str], ...] = ()  # (url, language) of its other captions


@dataclass(frozen=True)
class Channel:
    """A podcast feed: the whole library, one topic or one series."""

    title: str
    link: str
    feed_url: str
    description: str
    author: str
    image: str | None = None
    serial: bool = False  # a series is listened to in order
    language: str = "en"  # of its titles and descriptions


def podcast_feed(channel: Channel, episodes: Sequence[Episode]) -> bytes:
    """An RSS 2.0 document with iTunes tags: what podcast apps subscribe to."""
    rss = ET.Element("rss", {"version": "2.0"})
    ch = _add(rss, "channel")
    _add(ch, "title", channel.title)
    _add(ch, "link", channel.link)
    _add(ch, "description", channel.description)
    _add(ch, "language", channel.language)
    _add(ch, "generator", "medialib")
    _add(ch, f"{{{ATOM}}}link", href=channel.feed_url, rel="self", type="application/rss+xml")
    dates = [e.published for e in episodes if e.published]
    if dates:
        _add(ch, "lastBuildDate", rfc822(max(dates)))
    if channel.image:
        image = _add(ch, "image")
        _add(image, "url", channel.image)
        _add(image, "title", channel.title)
        _add(image, "link", channel.link)
        _add(ch, _itunes("image"), href=channel.image)
    _add(ch, _itunes("author"), channel.author)
    _add(ch, _itunes("summary"), channel.description)
    category = _add(ch, _itunes("category"), text="Health & Fitness")
    _add(category, _itunes("category"), text="Medicine")
    _add(ch, _itunes("explicit"), "false")
    _add(ch, _itunes("type"), "serial" if channel.serial else "episodic")
    for episode in episodes:
        _item(ch, episode)
    return _serialize(rss)


def _item(channel: ET.Element, e: Episode) -> None:
    item = _add(channel, "item")
    _add(item, "title", e.title)
    _add(item, "link", e.link)
    _add(item, "description", e.description)
    _add(item, "guid", e.link, isPermaLink="true")
    if e.published:
        _add(item, "pubDate", rfc822(e.published))
    _add(item, "enclosure", url=e.enclosure_url, type=e.mime, length=str(e.length))
    _add(item, _itunes("title"), e.title)
    _add(item, _itunes("author"), e.author)
    _add(item, _itunes("summary"), e.description)
    if e.duration:
        _add(item, _itunes("duration"), str(e.duration))
    if e.image:
        _add(item, _itunes("image"), href=e.image)
    if e.episode:
        _add(item, _itunes("episode"), str(e.episode))
    _add(item, _itunes("episodeType"), "full")
    _add(item, _itunes("explicit"), "false")
    transcripts = [(e.transcript_url, e.transcript_lang)] if e.transcript_url else []
    for url, lang in [*transcripts, *e.more_transcripts]:
        _add(item, f"{{{PODCAST}}}transcript", url=url, type="text/vtt", language=lang,
             rel="captions")


@dataclass(frozen=True)
class VideoEntry:
    """Google's video sitemap fields for one player page."""

    title: str
    description: str
    thumbnail: str
    player: str
    content: str | None = None
    duration: int | None = None
    published: date | None = None


@dataclass(frozen=True)
class SitemapUrl:
    loc: str
    video: VideoEntry | None = None
    alternates: tuple[tuple[str, str], ...] = ()  # (hreflang, URL): the page in each language


def sitemap(urls: Iterable[SitemapUrl]) -> bytes:
    """A sitemap of every page, with a video entry on each video's player page and each page's
    URL in every language. The sitemap namespace is declared by hand as the default: xml.etree
    refuses a default namespace beside the unqualified attributes of xhtml:link."""
    root = ET.Element("urlset", xmlns=SITEMAP)
    for url in urls:
        node = _add(root, "url")
        _add(node, "loc", url.loc)
        for hreflang, href in url.alternates:
            _add(node, f"{{{XHTML}}}link", rel="alternate", hreflang=hreflang, href=href)
        if url.video is not None:
            _video(node, url.video)
    return _serialize(root)


def sitemap_index(locations: Iterable[str]) -> bytes:
    """A sitemap index: the addresses of the sitemap files."""
    root = ET.Element(f"{{{SITEMAP}}}sitemapindex")
    for location in locations:
        node = _add(root, f"{{{SITEMAP}}}sitemap")
        _add(node, f"{{{SITEMAP}}}loc", location)
    return _serialize(root, SITEMAP)


def _video(parent: ET.Element, v: VideoEntry) -> None:
    node = _add(parent, f"{{{VIDEO}}}video")
    _add(node, f"{{{VIDEO}}}thumbnail_loc", v.thumbnail)
    _add(node, f"{{{VIDEO}}}title", v.title)
    _add(node, f"{{{VIDEO}}}description", v.description[:VIDEO_DESCRIPTION_CHARS])
    if v.content:
        _add(node, f"{{{VIDEO}}}content_loc", v.content)
    _add(node, f"{{{VIDEO}}}player_loc", v.player)
    if v.duration and 1 <= v.duration <= VIDEO_MAX_SECONDS:
        _add(node, f"{{{VIDEO}}}duration", str(v.duration))
    if v.published:
        _add(node, f"{{{VIDEO}}}publication_date", v.published.isoformat())
    _add(node, f"{{{VIDEO}}}family_friendly", "yes")
