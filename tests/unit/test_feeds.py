"""medialib.web.feeds: podcast RSS and the video sitemap, as XML documents (no app)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime

from hypothesis import given
from hypothesis import strategies as st

from medialib.web.feeds import (
    ATOM,
    ITUNES,
    PODCAST,
    SITEMAP,
    VIDEO,
    VIDEO_DESCRIPTION_CHARS,
    VIDEO_MAX_SECONDS,
    Channel,
    Episode,
    SitemapUrl,
    VideoEntry,
    podcast_feed,
    rfc822,
    sitemap,
)

CHANNEL = Channel(
    title="Talks <b>& more</b>",
    link="https://media.example.org/",
    feed_url="https://media.example.org/feed.xml",
    description="Webcasts\x00 for patients\x1f and families\ud800",
    author="Cancer Center",
)


def episode(n: int, **changes: object) -> Episode:
    fields: dict[str, object] = {
        "title": f"Part {n}", "link": f"https://media.example.org/webcasts/part-{n}",
        "description": f"Summary {n}", "author": "Jane Doe, RN",
        "enclosure_url": f"https://media.example.org/media/part-{n}/audio.m4a",
        "mime": "audio/mp4", "length": 1000 + n,
    }
    fields.update(changes)
    return Episode(**fields)  # type: ignore[arg-type]


def parse(data: bytes) -> ET.Element:
    assert data.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    return ET.fromstring(data)


def test_channel_text_is_escaped_and_control_characters_dropped() -> None:
    channel = parse(podcast_feed(CHANNEL, [])).find("channel")
    assert channel is not None
    assert channel.findtext("title") == "Talks <b>& more</b>"
    assert channel.findtext("description") == "Webcasts for patients and families"
    assert channel.findtext(f"{{{ITUNES}}}type") == "episodic"
    self_link = channel.find(f"{{{ATOM}}}link")
    assert self_link is not None and self_link.attrib == {
        "href": CHANNEL.feed_url, "rel": "self", "type": "application/rss+xml"}
    # No image given: neither the RSS image nor the iTunes one.
    assert channel.find("image") is None and channel.find(f"{{{ITUNES}}}image") is None
    assert channel.find("lastBuildDate") is None and channel.findall("item") == []


def test_items_carry_enclosure_duration_and_transcript() -> None:
    items = [
        episode(1, duration=1500, published=date(2024, 3, 12), episode=1,
                transcript_url="https://media.example.org/webcasts/part-1/transcript.vtt",
                image="https://media.example.org/media/part-1/poster.jpg"),
        episode(2, published=date(2024, 5, 1)),
        episode(3),
    ]
    channel = parse(podcast_feed(CHANNEL, items)).find("channel")
    assert channel is not None
    found = channel.findall("item")
    assert [i.findtext("title") for i in found] == ["Part 1", "Part 2", "Part 3"]
    first, second, third = found
    enclosure = first.find("enclosure")
    assert enclosure is not None and enclosure.attrib == {
        "url": items[0].enclosure_url, "type": "audio/mp4", "length": "1001"}
    guid = first.find("guid")
    assert guid is not None and guid.text == items[0].link and guid.get("isPermaLink") == "true"
    assert first.findtext(f"{{{ITUNES}}}duration") == "1500"
    assert first.findtext(f"{{{ITUNES}}}episode") == "1"
    transcript = first.find(f"{{{PODCAST}}}transcript")
    assert transcript is not None and transcript.get("type") == "text/vtt"
    # What an item does not have is left out, not written empty.
    for tag in (f"{{{ITUNES}}}duration", f"{{{ITUNES}}}episode", f"{{{PODCAST}}}transcript",
                f"{{{ITUNES}}}image"):
        assert second.find(tag) is None
    assert third.find("pubDate") is None
    # The feed was last built on its newest episode's day.
    assert channel.findtext("lastBuildDate") == rfc822(date(2024, 5, 1))


def test_a_series_feed_is_serial_and_has_its_image() -> None:
    series = Channel(**{**CHANNEL.__dict__, "serial": True,
                        "image": "https://media.example.org/poster.jpg"})
    channel = parse(podcast_feed(series, [episode(1)])).find("channel")
    assert channel is not None
    assert channel.findtext(f"{{{ITUNES}}}type") == "serial"
    assert channel.findtext("image/url") == "https://media.example.org/poster.jpg"
    image = channel.find(f"{{{ITUNES}}}image")
    assert image is not None and image.get("href") == series.image


def test_a_date_is_published_at_noon_utc() -> None:
    when = parsedate_to_datetime(rfc822(date(2024, 2, 29)))
    assert when == datetime(2024, 2, 29, 12, 0, tzinfo=UTC)


def test_sitemap_with_video_entries() -> None:
    video = VideoEntry(
        title="Radiation", description="d" * (VIDEO_DESCRIPTION_CHARS + 10),
        thumbnail="https://m.example/p.jpg", player="https://m.example/embed/r",
        content="https://m.example/media/r/video.mp4", duration=1500,
        published=date(2024, 3, 12),
    )
    root = parse(sitemap([SitemapUrl("https://m.example/"),
                          SitemapUrl("https://m.example/webcasts/r", video)]))
    assert root.tag == f"{{{SITEMAP}}}urlset"
    urls = root.findall(f"{{{SITEMAP}}}url")
    assert [u.findtext(f"{{{SITEMAP}}}loc") for u in urls] == [
        "https://m.example/", "https://m.example/webcasts/r"]
    assert urls[0].find(f"{{{VIDEO}}}video") is None
    entry = urls[1].find(f"{{{VIDEO}}}video")
    assert entry is not None
    assert len(entry.findtext(f"{{{VIDEO}}}description") or "") == VIDEO_DESCRIPTION_CHARS
    assert entry.findtext(f"{{{VIDEO}}}duration") == "1500"
    assert entry.findtext(f"{{{VIDEO}}}publication_date") == "2024-03-12"
    assert entry.findtext(f"{{{VIDEO}}}content_loc") == video.content


def test_sitemap_leaves_out_a_duration_outside_its_limits() -> None:
    for duration in (0, VIDEO_MAX_SECONDS + 1, None):
        video = VideoEntry("T", "D", "https://m.example/p.jpg", "https://m.example/embed/t",
                           duration=duration)
        entry = parse(sitemap([SitemapUrl("https://m.example/t", video)])).find(
            f"{{{SITEMAP}}}url/{{{VIDEO}}}video")
        assert entry is not None and entry.find(f"{{{VIDEO}}}duration") is None
        assert entry.find(f"{{{VIDEO}}}content_loc") is None


@given(st.text(max_size=80))
def test_any_text_makes_well_formed_xml(text: str) -> None:
    channel = Channel(text, "https://m.example/", "https://m.example/feed.xml", text, text)
    feed = parse(podcast_feed(channel, [episode(1, title=text, description=text)]))
    assert feed.find("channel/item") is not None
    video = VideoEntry(text, text, "https://m.example/p.jpg", "https://m.example/embed/t")
    assert parse(sitemap([SitemapUrl("https://m.example/t", video)])) is not None
