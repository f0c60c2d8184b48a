"""Discovery and sharing through the test client: JSON-LD, social tags, sitemap, robots.txt,
podcast feeds, the embed page, oEmbed and the share links; hostile text stays inert in each."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from medialib.config import Settings
from medialib.i18n import LANGUAGES
from medialib.web.discovery import webcast_url
from medialib.web.security import CSP
from medialib.web.structured import iso_duration, number, script_json
from tests.test_web_pages import AUDIO, CATALOG, PART_1, PART_2, PROXY, SLUGS

ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
VIDEO_NS = "{http://www.google.com/schemas/sitemap-video/1.1}"
BASE = "http://localhost"  # the test client's host: canonical URLs without a setting
HOSTILE_TITLE = "Talk <script>alert('title')</script> \"quoted\" & 'single'"


class Head(HTMLParser):
    """<link>, <meta> and <script> tags of a page, with each script's text."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._script: dict[str, str | None] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._script = dict(attrs)
            self.scripts.append((self._script, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def first(self, tag: str, **attrs: str) -> dict[str, str | None]:
        found = self.all(tag, **attrs)
        assert found, (tag, attrs)
        return found[0]

    def all(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags
                if t == tag and all(a.get(k) == v for k, v in attrs.items())]

    def meta(self, key: str) -> str | None:
        for attrs in self.all("meta"):
            if key in (attrs.get("property"), attrs.get("name")):
                return attrs.get("content")
        return None

    def jsonld(self) -> dict:
        blocks = [text for attrs, text in self.scripts
                  if attrs.get("type") == "application/ld+json"]
        assert len(blocks) == 1
        return json.loads(blocks[0])


def page(client, url: str) -> Head:
    response = client.get(url)
    assert response.status_code == 200, url
    return Head(response.get_data(as_text=True))


@pytest.fixture
def durations(web_app) -> dict[str, float]:
    """Each webcast's duration as the database holds it (reindex measured the captions)."""
    from medialib.web import queries

    session = web_app.extensions["medialib"].sessions()
    try:
        return {w.slug: w.duration or (w.media.duration if w.media else 0) or 0.0
                for w in queries.all_webcasts(session)}
    finally:
        session.close()


def xml(client, url: str, mimetype: str) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.mimetype == mimetype
    return ET.fromstring(response.data)


# ---- JSON-LD ------------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", [PROXY, AUDIO])
def test_jsonld_has_every_field(web_client, web_library_dir: Path, durations, slug: str) -> None:
    webcast = CATALOG.webcasts[slug]
    data = page(web_client, f"/webcasts/{slug}").jsonld()
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == ("AudioObject" if webcast.kind == "audio" else "VideoObject")
    assert data["name"] == webcast.title and data["description"] == webcast.summary
    assert data["thumbnailUrl"] == [f"{BASE}/media/{slug}/{webcast.poster}"]
    assert data["uploadDate"] == webcast.recorded
    assert data["duration"] == iso_duration(durations[slug])
    assert re.fullmatch(r"PT(\d+H)?(\d+M)?(\d+S)?", data["duration"])
    assert data["contentUrl"] == f"{BASE}/media/{slug}/{webcast.media.file}"
    assert data["encodingFormat"] == webcast.media.type
    assert data["embedUrl"] == f"{BASE}/embed/{slug}"
    assert data["url"] == f"{BASE}/webcasts/{slug}"
    vtt = (web_library_dir / "media" / slug / "captions.en.vtt").read_text(encoding="utf-8")
    first_cue = vtt.split("\n\n")[1].splitlines()[-1]
    first_words = re.sub(r"<[^>]+>", "", first_cue).split()[:6]
    assert " ".join(first_words) in data["transcript"]
    assert len(data["transcript"]) > 1000
    assert [a["name"] for a in data["author"]] == [
        CATALOG.speakers[s].name for s in webcast.speakers]
    assert data["hasPart"] and all(clip["@type"] == "Clip" for clip in data["hasPart"])


@pytest.mark.parametrize("slug", SLUGS)
def test_clip_offsets_equal_the_chapters(web_client, slug: str) -> None:
    html = web_client.get(f"/webcasts/{slug}").get_data(as_text=True)
    clips = Head(html).jsonld()["hasPart"]
    chapters = CATALOG.webcasts[slug].chapters
    titles = CATALOG.webcasts[slug].text("en").chapters  # in the page's language
    assert [c["name"] for c in clips] == list(titles)
    assert [c["startOffset"] for c in clips] == [ch.start for ch in chapters]
    # The ends are the page's own chapter ends: each chapter runs to the next one.
    nav_ends = [float(e) for e in re.findall(r'data-start="[^"]+" data-end="([^"]+)"[^>]*>'
                                             r'<span class="time">', html)]
    assert [c["endOffset"] for c in clips] == nav_ends
    assert [c["endOffset"] for c in clips[:-1]] == [c["startOffset"] for c in clips[1:]]
    for clip in clips:
        url = urlsplit(clip["url"])
        assert url.path == f"/webcasts/{slug}"
        assert float(parse_qs(url.query)["t"][0]) == clip["startOffset"]
    last = urlsplit(clips[-1]["url"])
    current = Head(web_client.get(f"{last.path}?{last.query}").get_data(as_text=True))
    assert current.first("a", **{"aria-current": "true"})["data-start"] == str(
        chapters[-1].start)  # the clip's link plays that chapter


def test_seconds_and_durations_as_structured_data_wants_them() -> None:
    assert iso_duration(3725) == "PT1H2M5S" and iso_duration(60) == "PT1M"
    assert iso_duration(0.4) == "PT1S" and iso_duration(None) is None
    assert iso_duration(float("nan")) is None and iso_duration(-5) is None
    assert number(90.0) == 90 and isinstance(number(90.0), int) and number(38.5) == 38.5


def test_script_json_cannot_end_the_script() -> None:
    hostile = "</script><script>alert(1)</script><!-- & \u2028"
    text = str(script_json({"name": hostile}))
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"name": hostile}


def test_hostile_text_stays_inert_in_jsonld(hostile_client) -> None:
    html = hostile_client.get("/webcasts/evil-talk").get_data(as_text=True)
    head = Head(html)
    blocks = [text for attrs, text in head.scripts if attrs.get("type") == "application/ld+json"]
    assert len(blocks) == 1 and "<" not in blocks[0]
    data = head.jsonld()
    assert data["name"] == HOSTILE_TITLE
    assert data["hasPart"][0]["name"] == "Chapter <script>alert('chapter')</script>"
    assert "<script>alert(\"cue\")</script>" in data["transcript"]
    assert "uploadDate" not in data  # "2024-02-30<script>" is not a date
    # Exactly two scripts on the page: ours, and the data block; the title made no third.
    assert len(head.scripts) == 2
    assert head.meta("og:title") == HOSTILE_TITLE


# ---- canonical links, social tags, discovery links ---------------------------------------------


def test_social_tags_and_canonical_without_a_public_base_url(web_client) -> None:
    head = page(web_client, f"/webcasts/{PROXY}?t=30")
    webcast = CATALOG.webcasts[PROXY]
    assert head.first("link", rel="canonical")["href"] == f"{BASE}/webcasts/{PROXY}"
    assert head.meta("og:type") == "video.other" and head.meta("og:title") == webcast.title
    assert head.meta("og:url") == f"{BASE}/webcasts/{PROXY}"
    assert head.meta("og:image") == f"{BASE}/media/{PROXY}/{webcast.poster}"
    assert head.meta("og:video") == f"{BASE}/media/{PROXY}/{webcast.media.file}"
    assert head.meta("og:video:type") == "video/mp4"
    assert head.meta("twitter:card") == "summary_large_image"  # no HTTPS player here
    assert head.meta("twitter:title") == webcast.title
    audio = page(web_client, f"/webcasts/{AUDIO}")
    assert audio.meta("og:audio") and audio.meta("og:audio:type") == "audio/mp4"


def test_a_public_base_url_makes_every_link_canonical(make_app, web_library_dir: Path) -> None:
    app = make_app(Settings(library=web_library_dir,
                            public_base_url="https://media.example.org/"))
    client = app.test_client()
    head = page(client, f"/webcasts/{PROXY}")
    base = "https://media.example.org"
    assert head.first("link", rel="canonical")["href"] == f"{base}/webcasts/{PROXY}"
    data = head.jsonld()
    assert data["embedUrl"] == f"{base}/embed/{PROXY}"
    assert data["hasPart"][1]["url"].startswith(f"{base}/webcasts/{PROXY}?t=")
    assert head.meta("twitter:card") == "player"
    assert head.meta("twitter:player") == f"{base}/embed/{PROXY}"
    oembed_link = head.first("link", type="application/json+oembed")["href"] or ""
    assert oembed_link.startswith(f"{base}/oembed?url=")
    # oEmbed answers for the public host, not for the host the request came in on.
    local = oembed_link.replace(base, "")
    assert client.get(local).status_code == 200
    assert client.get(f"/oembed?url={BASE}/webcasts/{PROXY}").status_code == 404
    assert f"{base}/sitemap.xml" in client.get("/robots.txt").get_data(as_text=True)


def test_discovery_links(web_client) -> None:
    home = page(web_client, "/")
    assert home.first("link", rel="alternate", type="application/rss+xml")["href"] == "/feed.xml"
    assert not home.all("link", type="application/json+oembed")
    topic = page(web_client, "/topics/radiation-therapy")
    feeds = [a["href"] for a in topic.all("link", rel="alternate", type="application/rss+xml")]
    assert feeds == ["/feed.xml", "/topics/radiation-therapy/feed.xml"]
    series = page(web_client, "/series/breast-cancer-brain")
    feeds = [a["href"] for a in series.all("link", rel="alternate", type="application/rss+xml")]
    assert "/series/breast-cancer-brain/feed.xml" in feeds
    player = page(web_client, f"/webcasts/{PROXY}")
    href = player.first("link", rel="alternate", type="application/json+oembed")["href"] or ""
    assert parse_qs(urlsplit(href).query) == {
        "url": [f"{BASE}/webcasts/{PROXY}"], "format": ["json"]}
    response = web_client.get(href.replace(BASE, ""))
    assert response.status_code == 200 and response.get_json()["title"]


# ---- share links --------------------------------------------------------------------------------


def test_share_links_work_without_javascript(web_client) -> None:
    html = web_client.get(f"/webcasts/{PROXY}?t=75").get_data(as_text=True)
    head = Head(html)
    share = head.first("div", id="share")
    page_url = f"{BASE}/webcasts/{PROXY}"
    assert share["data-url"] == page_url
    links = {a.get("href") for a in head.all("a") if "no-js-only" in (a.get("class") or "")}
    assert links == {page_url, f"{page_url}?t=75"}
    copy = head.first("button", id="copy-link")
    assert copy["data-share"] == "moment" and "js-only" in (copy["class"] or "")
    mailto = next(a["href"] for a in head.all("a") if (a.get("href") or "").startswith("mailto:"))
    fields = parse_qs(urlsplit(mailto).query)
    assert fields["subject"] == [CATALOG.webcasts[PROXY].title]
    assert page_url in fields["body"][0]
    assert "+" not in mailto  # spaces are %20 in a mailto: link (RFC 6068)
    # Without ?t= there is no moment link to show.
    head = page(web_client, f"/webcasts/{PROXY}")
    links = {a.get("href") for a in head.all("a") if "no-js-only" in (a.get("class") or "")}
    assert links == {page_url}


def test_hostile_title_in_the_email_link(hostile_client) -> None:
    head = page(hostile_client, "/webcasts/evil-talk")
    mailto = next(a["href"] for a in head.all("a") if (a.get("href") or "").startswith("mailto:"))
    assert "<" not in mailto and parse_qs(urlsplit(mailto).query)["subject"] == [HOSTILE_TITLE]


# ---- sitemap and robots.txt ---------------------------------------------------------------------


def test_sitemap_lists_every_page_with_video_entries(web_client, durations) -> None:
    index = xml(web_client, "/sitemap.xml", "application/xml")
    files = [s.findtext(f"{SM}loc") for s in index.iter(f"{SM}sitemap")]
    assert index.tag == f"{SM}sitemapindex" and files == [f"{BASE}/sitemap-1.xml"]
    root = xml(web_client, "/sitemap-1.xml", "application/xml")
    entries = {u.findtext(f"{SM}loc"): u for u in root.iter(f"{SM}url")}
    for slug, webcast in CATALOG.webcasts.items():
        url = entries[f"{BASE}/webcasts/{slug}"]
        assert f"{BASE}/webcasts/{slug}/transcript" in entries
        video = url.find(f"{VIDEO_NS}video")
        if webcast.kind == "audio":
            assert video is None
            continue
        assert video is not None
        english = webcast.text("en")  # the English page's entry, in English words
        assert video.findtext(f"{VIDEO_NS}title") == english.title
        assert video.findtext(f"{VIDEO_NS}description") == english.summary
        assert video.findtext(f"{VIDEO_NS}thumbnail_loc") == f"{BASE}/media/{slug}/poster.jpg"
        assert video.findtext(f"{VIDEO_NS}content_loc") == f"{BASE}/media/{slug}/video.mp4"
        assert video.findtext(f"{VIDEO_NS}player_loc") == f"{BASE}/embed/{slug}"
        assert video.findtext(f"{VIDEO_NS}duration") == str(round(durations[slug]))
        assert video.findtext(f"{VIDEO_NS}publication_date") == webcast.recorded
    # The Spanish player page's video entry is in Spanish words, with the Spanish embed.
    spanish = entries[f"{BASE}/es/webcasts/{PROXY}"].find(f"{VIDEO_NS}video")
    proxy = CATALOG.webcasts[PROXY]
    assert spanish is not None
    assert spanish.findtext(f"{VIDEO_NS}title") == proxy.text("es").title != proxy.title
    assert spanish.findtext(f"{VIDEO_NS}player_loc") == f"{BASE}/es/embed/{PROXY}"
    assert f"{BASE}/" in entries
    for topic in CATALOG.topics:
        assert f"{BASE}/topics/{topic}" in entries
    for speaker in CATALOG.speakers:
        assert f"{BASE}/speakers/{speaker}" in entries
    for series in CATALOG.series:
        assert f"{BASE}/series/{series}" in entries
    # Every page once in each language (the Spanish ones are tested with the languages).
    assert len(entries) == len(LANGUAGES) * (1 + 2 * len(SLUGS) + len(CATALOG.topics) + len(
        CATALOG.speakers) + len(CATALOG.series))


def test_robots_txt(web_client) -> None:
    response = web_client.get("/robots.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == "User-agent: *" and "Allow: /" in lines
    assert "Disallow: /api/" in lines
    assert not any(line.startswith("Disallow: /webcasts") or line == "Disallow: /"
                   for line in lines)
    assert f"Sitemap: {BASE}/sitemap.xml" in lines


# ---- podcast feeds ------------------------------------------------------------------------------


def test_feed_is_a_podcast_with_true_enclosures(web_client, web_library_dir: Path,
                                                 durations) -> None:
    root = xml(web_client, "/feed.xml", "application/rss+xml")
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel is not None
    assert channel.findtext("title") and channel.findtext("link") == f"{BASE}/"
    assert channel.find(f"{ITUNES}image") is not None
    assert channel.find(f"{ITUNES}category").get("text") == "Health & Fitness"
    items = channel.findall("item")
    assert sorted(i.findtext("link") for i in items) == sorted(
        f"{BASE}/webcasts/{s}" for s in SLUGS)
    dates = []
    for item in items:
        slug = (item.findtext("link") or "").rsplit("/", 1)[1]
        webcast = CATALOG.webcasts[slug]
        enclosure = item.find("enclosure")
        assert enclosure is not None
        assert enclosure.get("url") == f"{BASE}/media/{slug}/{webcast.media.file}"
        assert enclosure.get("type") == webcast.media.type
        size = (web_library_dir / "media" / slug / webcast.media.file).stat().st_size
        assert int(enclosure.get("length") or 0) == size  # the file's bytes, not the catalog's
        assert item.findtext("title") == webcast.text("en").title  # in the feed's language
        assert item.findtext("description") == webcast.text("en").summary
        assert item.findtext("guid") == f"{BASE}/webcasts/{slug}"
        assert item.findtext(f"{ITUNES}duration") == str(round(durations[slug]))
        published = parsedate_to_datetime(item.findtext("pubDate") or "")
        assert published.date().isoformat() == webcast.recorded
        dates.append(published)
        assert item.find(f"{ITUNES}image").get("href") == f"{BASE}/media/{slug}/poster.jpg"
        transcript = item.find("{https://podcastindex.org/namespace/1.0}transcript")
        assert transcript.get("url") == f"{BASE}/webcasts/{slug}/transcript.vtt"
    assert dates == sorted(dates, reverse=True)  # newest first
    enclosure_url = urlsplit(items[0].find("enclosure").get("url")).path
    with web_client.get(enclosure_url, headers={"Range": "bytes=0-1"}) as response:
        assert response.status_code == 206


def test_topic_and_series_feeds(web_client) -> None:
    root = xml(web_client, "/topics/brain-metastases/feed.xml", "application/rss+xml")
    links = [i.findtext("link") for i in root.iter("item")]
    tagged = [s for s, w in CATALOG.webcasts.items() if "brain-metastases" in w.topics]
    assert tagged and sorted(links) == sorted(f"{BASE}/webcasts/{s}" for s in tagged)
    assert "Brain metastases" in (root.findtext("channel/title") or "")
    assert root.find("channel/{http://www.w3.org/2005/Atom}link").get("href") == (
        f"{BASE}/topics/brain-metastases/feed.xml")

    root = xml(web_client, "/series/breast-cancer-brain/feed.xml", "application/rss+xml")
    assert root.findtext(f"channel/{ITUNES}type") == "serial"
    items = root.findall("channel/item")
    assert [i.findtext("link") for i in items] == [
        f"{BASE}/webcasts/{PART_1}", f"{BASE}/webcasts/{PART_2}"]
    assert [i.findtext(f"{ITUNES}episode") for i in items] == ["1", "2"]
    for url in ("/topics/nope/feed.xml", "/series/nope/feed.xml", "/topics/%00/feed.xml"):
        assert web_client.get(url).status_code == 404


@pytest.mark.parametrize("url", ["/feed.xml", "/topics/evil-topic/feed.xml",
                                 "/series/evil-series/feed.xml", "/sitemap-1.xml"])
def test_hostile_text_stays_text_in_xml(hostile_client, url: str) -> None:
    response = hostile_client.get(url)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<script" not in body and "<img" not in body and "<iframe" not in body
    root = ET.fromstring(response.data)  # well-formed XML
    titles = [e.text for e in root.iter() if e.tag.endswith("title")]
    assert any(t == HOSTILE_TITLE for t in titles), titles


def test_enclosure_lengths_are_the_files_sizes(hostile_client) -> None:
    root = ET.fromstring(hostile_client.get("/feed.xml").data)
    lengths = {i.findtext("title"): int(i.find("enclosure").get("length"))
               for i in root.iter("item")}
    assert lengths == {HOSTILE_TITLE: 10_240, "Plain audio item": 5000}


def test_feed_leaves_out_items_whose_media_file_is_missing(client) -> None:
    """The bare sample library has captions but no rendered media: a valid, empty feed."""
    root = xml(client, "/feed.xml", "application/rss+xml")
    assert root.find("channel/title") is not None and not root.findall("channel/item")


# ---- the embed page -----------------------------------------------------------------------------


def test_embed_page_may_be_framed_and_no_other(web_client) -> None:
    response = web_client.get(f"/embed/{PROXY}")
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors *" in csp and "frame-ancestors 'none'" not in csp
    assert "X-Frame-Options" not in response.headers
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    for url in ("/", f"/webcasts/{PROXY}", "/feed.xml", "/oembed?url=x", "/embed",
                f"/embed/{PROXY}/x", f"/media/{PROXY}/video.mp4"):
        with web_client.get(url) as other:
            assert other.headers["Content-Security-Policy"] == CSP, url
            assert other.headers["X-Frame-Options"] == "DENY", url


def test_embed_page_has_the_player_chapters_and_transcript(web_client) -> None:
    html = web_client.get(f"/embed/{PROXY}?t=60").get_data(as_text=True)
    head = Head(html)
    assert head.first("video", id="player")
    assert head.first("source")["src"].endswith("#t=60")
    assert head.first("track", kind="captions")["src"].endswith(".vtt")
    assert head.first("track", kind="chapters")
    assert head.first("nav", **{"aria-label": "Chapters"})
    assert len([a for a in head.all("a") if a.get("class") == "cue"]) > 20
    assert head.first("link", rel="canonical")["href"] == f"{BASE}/webcasts/{PROXY}"
    assert len(head.scripts) == 1
    assert (head.scripts[0][0].get("src") or "").startswith("/static/site.js")
    assert not [t for t, a in head.tags if "style" in a] and "<style" not in html
    full = [a for a in head.all("a") if a.get("href") == f"{BASE}/webcasts/{PROXY}"]
    assert full and all(a.get("target") == "_blank" and a.get("rel") == "noopener" for a in full)
    assert head.first("html")["lang"] == "en" and html.count("<h1") == 1
    assert web_client.get("/embed/no-such-talk").status_code == 404
    audio = page(web_client, f"/embed/{AUDIO}")
    assert audio.first("audio", id="player")


def test_hostile_embed_is_escaped(hostile_client) -> None:
    html = hostile_client.get("/embed/evil-talk").get_data(as_text=True)
    head = Head(html)
    assert len(head.scripts) == 1
    assert not [t for t, _ in head.tags if t in {"iframe", "b", "img"}]
    assert "Talk &lt;script&gt;" in html


# ---- oEmbed -------------------------------------------------------------------------------------


class Tags(HTMLParser):
    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def oembed(client, url: str, **params: str):
    query = "&".join([f"url={quote(url, safe='')}"] + [f"{k}={v}" for k, v in params.items()])
    return client.get(f"/oembed?{query}")


def test_oembed_is_an_iframe_of_the_embed_page(web_client) -> None:
    response = oembed(web_client, f"{BASE}/webcasts/{PROXY}", format="json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    data = response.get_json()
    webcast = CATALOG.webcasts[PROXY]
    assert data["version"] == "1.0" and data["type"] == "video"
    assert data["title"] == webcast.title and data["provider_url"] == f"{BASE}/"
    assert data["provider_name"] and data["author_name"]
    tags = Tags(data["html"]).tags
    assert [t for t, _ in tags] == ["iframe"]
    iframe = tags[0][1]
    assert iframe["src"] == f"{BASE}/embed/{PROXY}"
    assert iframe["width"] == str(data["width"]) and iframe["height"] == str(data["height"])
    assert iframe["title"] == webcast.title
    assert web_client.get(urlsplit(iframe["src"] or "").path).status_code == 200
    # The stand-in posters are not real JPEGs: no thumbnail without its size.
    assert "thumbnail_url" not in data

    audio = oembed(web_client, f"{BASE}/webcasts/{AUDIO}").get_json()
    assert audio["type"] == "rich" and Tags(audio["html"]).tags[0][0] == "iframe"


@pytest.mark.parametrize("url", [
    f"{BASE}/webcasts/{PROXY}?t=90", f"{BASE}/webcasts/{PROXY}#t=90",
    f"{BASE}/embed/{PROXY}?t=90", f"https://LOCALHOST/webcasts/{PROXY}/?t=90&x=1",
])
def test_oembed_accepts_player_and_embed_urls_and_keeps_the_moment(web_client, url: str) -> None:
    data = oembed(web_client, url).get_json()
    assert Tags(data["html"]).tags[0][1]["src"] == f"{BASE}/embed/{PROXY}?t=90"


def test_oembed_respects_max_sizes(web_client) -> None:
    data = oembed(web_client, f"{BASE}/webcasts/{PROXY}", maxwidth="320",
                  maxheight="300").get_json()
    assert data["width"] == 320 and data["height"] == 300
    data = oembed(web_client, f"{BASE}/webcasts/{PROXY}", maxwidth="abc",
                  maxheight="-5").get_json()
    assert data["width"] == 640


GARBAGE = [
    "", "not a url", "http://", "http://[::1", "http://localhost:99999/webcasts/x",
    "http://localhost:abc/", "javascript:alert(1)", "file:///etc/passwd",
    f"http://evil.example/webcasts/{PROXY}", f"http://localhost.evil.example/webcasts/{PROXY}",
    f"http://user@localhost/webcasts/{PROXY}", f"http://localhost:8080/webcasts/{PROXY}",
    f"{BASE}/webcasts/no-such-talk", f"{BASE}/webcasts/{PROXY}/transcript",
    f"{BASE}/webcasts/../catalog.yaml", f"{BASE}/webcasts/%2e%2e", f"{BASE}/",
    f"{BASE}/topics/radiation-therapy", f"{BASE}/webcasts/{PROXY}\x00",
    f"{BASE}/webcasts/" + "a" * 5000, "😀" * 100, f"{BASE}/webcasts/%ff%fe",
]


@pytest.mark.parametrize("url", GARBAGE)
def test_oembed_rejects_foreign_unknown_and_garbage_urls(web_client, url: str) -> None:
    response = oembed(web_client, url)
    assert response.status_code == 404, response.get_data(as_text=True)
    assert response.get_json()["status"] == 404


def test_oembed_odd_requests(web_client) -> None:
    assert web_client.get("/oembed").status_code == 404
    assert web_client.get("/oembed?url=%").status_code == 404
    assert web_client.get(f"/oembed?url={BASE}/webcasts/{PROXY}&format=xml").status_code == 501
    assert web_client.get(f"/oembed?url={BASE}/webcasts/{PROXY}&format=").status_code == 200
    assert web_client.post(f"/oembed?url={BASE}/webcasts/{PROXY}").status_code == 405
    assert web_client.get(
        f"/oembed?url={BASE}/webcasts/{PROXY}&url=x&maxwidth=1e9&t=%00").status_code == 200


def test_hostile_title_in_oembed_is_an_attribute(hostile_client) -> None:
    data = oembed(hostile_client, f"{BASE}/webcasts/evil-talk").get_json()
    assert data["title"] == HOSTILE_TITLE
    tags = Tags(data["html"]).tags
    assert [t for t, _ in tags] == ["iframe"] and tags[0][1]["title"] == HOSTILE_TITLE
    assert "<script" not in data["html"]


def test_webcast_url_matching() -> None:
    base = "https://media.example.org/library"
    assert webcast_url(f"{base}/webcasts/a-talk?t=5", base) == ("a-talk", "5")
    assert webcast_url("http://media.example.org:80/library/embed/a-talk", base) == (
        "a-talk", None)
    assert webcast_url("https://media.example.org/webcasts/a-talk", base) is None
    assert webcast_url("https://media.example.org:444/library/webcasts/a-talk", base) is None
    assert webcast_url(f"{base}/webcasts/A%20talk", base) is None
    assert webcast_url(f"{base}/webcasts/%2e%2e", base) is None
