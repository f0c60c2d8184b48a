"""What a player page tells search engines, social sites and partners about its webcast.

JSON-LD (a schema.org VideoObject or AudioObject with the transcript and every chapter as a
Clip), Open Graph and Twitter card tags, the oEmbed discovery link, the share links, and the
oEmbed document itself. Everything here is plain data; the templates and views render it.
"""

from __future__ import annotations

import json
import math
import re
import struct
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from flask_babel import gettext
from markupsafe import Markup

from .. import models as m
from ..transcripts import MACHINE_NOTICE
from .present import Player, media_path, media_url
from .urls import absolute, base_url, public_url

SUMMARY_CHARS = 300  # og:description and twitter:description stay short
EMBED_WIDTH = 640
EMBED_HEIGHT = {"video": 640, "audio": 520}  # the player, its controls and a window of transcript
_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028",
                 "\u2029": "\\u2029"}
_JSON_UNSAFE = re.compile("[<>&\u2028\u2029]")


def number(value: float) -> int | float:
    """Seconds as JSON likes them: 90 rather than 90.0, at most millisecond precision."""
    rounded = round(float(value), 3)
    return int(rounded) if rounded.is_integer() else rounded


def iso_duration(seconds: float | None) -> str | None:
    """ISO 8601 duration of whole seconds: 3725 -> "PT1H2M5S"; None when unknown."""
    if not seconds or not math.isfinite(seconds) or seconds <= 0:
        return None
    total = max(1, int(round(seconds)))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{hours}H" if hours else "", f"{minutes}M" if minutes else "",
             f"{secs}S" if secs else ""]
    return "PT" + "".join(parts)


def recorded_date(value: str | None) -> date | None:
    """The catalog's `recorded` as a date, when it is one (free text is left out)."""
    try:
        return date.fromisoformat((value or "")[:10])
    except ValueError:
        return None


def script_json(data: Any) -> Markup:
    """JSON that is safe inside <script type="application/ld+json">: no "</script>" can end it."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Markup(_JSON_UNSAFE.sub(lambda match: _JSON_ESCAPES[match.group()], text))


def short(text: str, limit: int = SUMMARY_CHARS) -> str:
    """Text cut at a word boundary to at most `limit` characters, with an ellipsis if cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,.;:") + "…"


@lru_cache(maxsize=256)
def _jpeg_size(path: str, mtime_ns: int) -> tuple[int, int] | None:
    try:
        with open(path, "rb") as fh:
            data = fh.read(256 * 1024)
    except OSError:
        return None
    if data[:2] != b"\xff\xd8":
        return None
    at = 2
    while at + 9 < len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        length = struct.unpack(">H", data[at + 2:at + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[at + 5:at + 9])
            return (width, height) if width and height else None
        at += 2 + length
    return None


def image_size(path: Path | None) -> tuple[int, int] | None:
    """(width, height) of a JPEG poster, read from its header; None when it is not one."""
    if path is None:
        return None
    try:
        return _jpeg_size(str(path), path.stat().st_mtime_ns)
    except OSError:
        return None


def transcript_text(p: Player) -> str:
    """What was said, as paragraphs; the speaker's name opens each turn."""
    paragraphs = []
    for section in p.sections:
        for para in section.paragraphs:
            who = f"{para.speaker}: " if para.speaker and para.speaker_changed else ""
            paragraphs.append(who + para.text)
    return "\n\n".join(paragraphs)


@dataclass(frozen=True)
class Share:
    """The share links of a player page; each works as a plain link without JavaScript."""

    page_url: str
    moment_url: str | None
    mailto: str


@dataclass(frozen=True)
class PageMeta:
    """Everything a player page's <head> and share buttons need."""

    jsonld: Markup
    properties: list[tuple[str, str]] = field(default_factory=list)  # Open Graph: property=
    names: list[tuple[str, str]] = field(default_factory=list)  # Twitter: name=
    oembed_url: str = ""
    share: Share | None = None


def _files(p: Player) -> dict[str, Any]:
    """Public URLs of the media file and poster that exist on disk, with the poster's size."""
    w = p.webcast
    found: dict[str, Any] = {"content": None, "poster": None, "poster_size": None}
    if p.media is not None and media_path(w.slug, p.media.file) is not None:
        found["content"] = absolute(media_url(w.slug, p.media.file))
    poster = media_path(w.slug, w.poster)
    if poster is not None:
        found["poster"] = absolute(media_url(w.slug, w.poster or ""))
        found["poster_size"] = image_size(poster)
    return found


def moment_url(page_url: str, seconds: float) -> str:
    return f"{page_url}?t={number(seconds)}"


def jsonld(p: Player, site_title: str) -> dict[str, Any]:
    """The schema.org object of a webcast: VideoObject, or AudioObject for audio-only items."""
    w = p.webcast
    page = public_url("player.webcast", slug=w.slug)
    files = _files(p)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "AudioObject" if p.is_audio else "VideoObject",
        "@id": page + "#media",
        "url": page,
        "name": p.text.title,
        "description": p.text.summary or p.text.title,
    }
    if files["poster"]:
        data["thumbnailUrl"] = [files["poster"]]
    recorded = recorded_date(w.recorded)
    if recorded:
        data["uploadDate"] = recorded.isoformat()
    duration = iso_duration(p.duration)
    if duration:
        data["duration"] = duration
    if files["content"]:
        data["contentUrl"] = files["content"]
        data["encodingFormat"] = p.media.mime if p.media else None
    data["embedUrl"] = public_url("discovery.embed", slug=w.slug)
    if p.captions is not None:
        data["inLanguage"] = p.lang  # the transcript's, below
    if p.media is not None and p.media.width and p.media.height and not p.is_audio:
        data["width"] = p.media.width
        data["height"] = p.media.height
    if w.speakers:
        data["author"] = [_person(s) for s in w.speakers]
    data["publisher"] = {"@type": "Organization", "name": site_title,
                         "url": public_url("pages.home")}
    if w.series is not None:
        data["isPartOf"] = {"@type": "CreativeWorkSeries", "name": w.series.text(p.page_lang).title,
                            "url": public_url("pages.series", series_id=w.series.id)}
    if w.topics:
        data["keywords"] = ", ".join(t.text(p.page_lang).name for t in w.topics)
    text = transcript_text(p) if len(p.transcript_parts) == 1 else ""  # whole, or none
    if text:
        data["transcript"] = text
    data["caption"] = [_caption(track, src) for track, src, _label in p.caption_tracks] or None
    data["mainEntityOfPage"] = _reviewed_page(w, page)
    if p.chapters:
        data["hasPart"] = [
            {"@type": "Clip", "name": title, "startOffset": number(ch.start),
             "endOffset": number(ch.end), "url": moment_url(page, ch.start)}
            for ch, title in zip(p.chapters, p.text.chapters, strict=True)
        ]
    return {key: value for key, value in data.items() if value is not None}


def _caption(track: m.CaptionTrack, src: str) -> dict[str, Any]:
    """A caption track and its provenance: who made it (a person or speech recognition), and
    who checked it, when."""
    caption: dict[str, Any] = {
        "@type": "MediaObject", "contentUrl": absolute(src), "encodingFormat": "text/vtt",
        "inLanguage": track.lang,
        "creativeWorkStatus": "Draft" if track.unchecked else "Published",
    }
    if track.source != "human":
        caption["creator"] = {"@type": "SoftwareApplication", "name": "Speech recognition"}
    if track.unchecked:
        caption["description"] = MACHINE_NOTICE
    if track.reviewed_by:
        caption["editor"] = {"@type": "Person", "name": track.reviewed_by}
        caption["dateModified"] = track.reviewed_on
    return {key: value for key, value in caption.items() if value is not None}


def _reviewed_page(w: m.Webcast, page: str) -> dict[str, Any] | None:
    """The player page as a MedicalWebPage with its medical review (schema.org lastReviewed,
    reviewedBy: properties of a web page, so they sit on the page the video is the main
    entity of)."""
    if not (w.reviewed_by and w.reviewed_on):
        return None
    name, _, credentials = w.reviewed_by.partition(",")
    reviewer = {"@type": "Person", "name": name.strip()}
    if credentials.strip():
        reviewer["honorificSuffix"] = credentials.strip()
    return {"@type": "MedicalWebPage", "@id": page, "url": page,
            "lastReviewed": w.reviewed_on, "reviewedBy": reviewer}


def _person(speaker: m.Speaker) -> dict[str, str]:
    person = {"@type": "Person", "name": speaker.name,
              "url": public_url("pages.speaker", speaker_id=speaker.id)}
    if speaker.credentials:
        person["honorificSuffix"] = speaker.credentials
    return person


def _social_tags(p: Player, site_title: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Open Graph (property=) and Twitter card (name=) tags."""
    w = p.webcast
    page = public_url("player.webcast", slug=w.slug)
    embed = public_url("discovery.embed", slug=w.slug)
    files = _files(p)
    title = p.text.title
    description = short(p.text.summary or title)
    og = [("og:site_name", site_title), ("og:type", "website" if p.is_audio else "video.other"),
          ("og:title", title), ("og:description", description), ("og:url", page),
          ("og:locale", og_locale(p.page_lang))]
    if files["poster"]:
        og.append(("og:image", files["poster"]))
        if files["poster_size"]:
            og += [("og:image:width", str(files["poster_size"][0])),
                   ("og:image:height", str(files["poster_size"][1]))]
        og.append(("og:image:alt", gettext("Poster of “%(title)s”", title=title)))
    if files["content"] and p.media is not None:
        kind = "audio" if p.is_audio else "video"
        og += [(f"og:{kind}", files["content"]), (f"og:{kind}:type", p.media.mime)]
        if kind == "video" and p.media.width and p.media.height:
            og += [("og:video:width", str(p.media.width)), ("og:video:height", str(p.media.height))]
    # A player card needs an HTTPS player; elsewhere the poster makes a large summary card.
    if embed.startswith("https://") and files["poster"]:
        card = [("twitter:card", "player"), ("twitter:player", embed),
                ("twitter:player:width", str(EMBED_WIDTH)),
                ("twitter:player:height", str(embed_height(p)))]
    else:
        card = [("twitter:card", "summary_large_image" if files["poster"] else "summary")]
    card += [("twitter:title", title), ("twitter:description", description)]
    if files["poster"]:
        card.append(("twitter:image", files["poster"]))
    return og, card


# Open Graph names a locale language_TERRITORY; the library serves patients in the United States.
OG_LOCALES = {"en": "en_US", "es": "es_US"}


def og_locale(lang: str) -> str:
    """The og:locale of a page in language `lang` ("es" -> "es_US")."""
    return OG_LOCALES.get(lang) or lang.replace("-", "_")


def embed_height(p: Player) -> int:
    return EMBED_HEIGHT["audio" if p.is_audio else "video"]


def share_links(p: Player, site_title: str) -> Share:
    w = p.webcast
    page = public_url("player.webcast", slug=w.slug)
    moment = moment_url(page, int(p.start)) if p.start >= 1 else None
    what = (gettext("I thought you might find this podcast helpful:") if p.is_audio
            else gettext("I thought you might find this talk helpful:"))
    title = p.text.title
    body = f"{what}\n\n{title}\n{page}\n\n{site_title}"
    mailto = "mailto:?" + urlencode({"subject": title, "body": body}, quote_via=quote)
    return Share(page_url=page, moment_url=moment, mailto=mailto)


def page_meta(p: Player, site_title: str) -> PageMeta:
    """The structured data, social tags, oEmbed link and share links of a player page."""
    og, card = _social_tags(p, site_title)
    page = public_url("player.webcast", slug=p.webcast.slug)
    oembed = public_url("discovery.oembed") + "?" + urlencode({"url": page, "format": "json"})
    return PageMeta(jsonld=script_json(jsonld(p, site_title)), properties=og, names=card,
                    oembed_url=oembed, share=share_links(p, site_title))


def oembed(p: Player, site_title: str, start: float, max_width: int | None,
           max_height: int | None) -> dict[str, Any]:
    """The oEmbed 1.0 document of a webcast: an iframe of its embed page."""
    w = p.webcast
    src = public_url("discovery.embed", slug=w.slug, t=int(start) if start >= 1 else None,
                     lang=p.language.arg)
    width, height = EMBED_WIDTH, embed_height(p)
    if max_width:
        width = min(width, max_width)
    if max_height:
        height = min(height, max_height)
    html = (f'<iframe src="{escape(src)}" width="{width}" height="{height}" '
            f'title="{escape(p.text.title)}" allow="fullscreen; picture-in-picture" '
            f'loading="lazy"></iframe>')
    data: dict[str, Any] = {
        "version": "1.0",
        "type": "rich" if p.is_audio else "video",
        "title": p.text.title,
        "provider_name": site_title,
        "provider_url": base_url() + "/",
        "html": html,
        "width": width,
        "height": height,
        "cache_age": 3600,
    }
    if w.speakers:
        data["author_name"] = "; ".join(s.display for s in w.speakers)
        data["author_url"] = public_url("pages.speaker", speaker_id=w.speakers[0].id)
    files = _files(p)
    size = files["poster_size"]
    if files["poster"] and size:
        fits = (max_width is None or size[0] <= max_width) and (
            max_height is None or size[1] <= max_height)
        if fits:
            data.update(thumbnail_url=files["poster"], thumbnail_width=size[0],
                        thumbnail_height=size[1])
    return data
