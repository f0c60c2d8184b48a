"""The pages, through the Flask test client: home, player, transcript, topics, speakers, series."""

from __future__ import annotations

import gzip
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from medialib.catalog import Catalog
from tests.libraries import REPO

CATALOG = Catalog.load(REPO / "catalog.yaml")
SLUGS = list(CATALOG.webcasts)
AUDIO = next(w.slug for w in CATALOG.webcasts.values() if w.kind == "audio")
PROXY = "healthcare-proxy-advanced-cancer"
WEBCHAT = "choosing-a-clinical-trial-webchat"
PART_1, PART_2 = "breast-cancer-brain-part-1", "breast-cancer-brain-part-2"


class Elements(HTMLParser):
    """Start tags with their attributes, and the text, of an HTML page."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def find(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [
            a for t, a in self.tags
            if t == tag and all(a.get(k.rstrip("_").replace("_", "-")) == v
                                for k, v in attrs.items())
        ]

    def with_class(self, tag: str, cls: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag and cls in (a.get("class") or "").split()]


def fetch(client, url: str, status: int = 200) -> tuple[str, Elements]:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    return html, Elements(html)


# ---- home ----------------------------------------------------------------------------------


def test_home_lists_topics_series_speakers_and_newest_first(web_client) -> None:
    html, doc = fetch(web_client, "/")
    for topic in CATALOG.topics.values():
        assert f'href="/topics/{topic.id}"' in html
    for series in CATALOG.series.values():
        assert f'href="/series/{series.id}"' in html
    for speaker in CATALOG.speakers.values():
        assert f'href="/speakers/{speaker.id}"' in html
    dated = sorted((w for w in CATALOG.webcasts.values() if w.recorded),
                   key=lambda w: w.recorded or "", reverse=True)
    positions = [html.find(f'href="/webcasts/{w.slug}"') for w in dated[:3]]
    assert -1 not in positions and positions == sorted(positions)
    assert doc.find("form", role="search", action="/search")
    assert "hidden" in doc.find("section", id="continue")[0]
    assert doc.find("h1")


# ---- the player ----------------------------------------------------------------------------


@pytest.mark.parametrize("slug", SLUGS)
def test_player_page(web_client, slug: str) -> None:
    webcast = CATALOG.webcasts[slug]
    html, doc = fetch(web_client, f"/webcasts/{slug}")
    tag = "audio" if webcast.kind == "audio" else "video"
    players = doc.find(tag, id="player")
    assert len(players) == 1
    assert "controls" in players[0] and players[0]["preload"] == "metadata"
    if tag == "video":
        assert players[0]["poster"] == f"/media/{slug}/poster.jpg"
    assert not doc.find("video" if tag == "audio" else "audio")
    sources = doc.find("source")
    assert sources[0]["src"].startswith(f"/media/{slug}/{webcast.media.file}")
    captions = doc.find("track", kind="captions")
    lang = webcast.captions[0].lang  # English, but for the sample item spoken in Spanish
    assert captions and captions[0]["srclang"] == lang and "default" in captions[0]
    assert captions[0]["src"].startswith(f"/media/{slug}/captions.{lang}.vtt")
    chapters_track = doc.find("track", kind="chapters")
    assert chapters_track[0]["src"] == f"/webcasts/{slug}/chapters.vtt"

    nav = re.search(r'<nav class="chapters" aria-label="Chapters">(.*?)</nav>', html, re.S)
    assert nav is not None
    links = Elements(nav.group(1)).find("a")
    assert [float(a["data-start"] or 0) for a in links] == [c.start for c in webcast.chapters]
    assert all(a["href"] == f"?t={int(c.start)}" for a, c in zip(links, webcast.chapters,
                                                                  strict=True))
    headings = doc.with_class("h3", "chapter-heading")
    assert len(headings) == len(webcast.chapters)

    assert doc.find("section", id="transcript")
    cues = doc.with_class("a", "cue")
    vtt = (REPO / "media" / slug / f"captions.{lang}.vtt").read_text(encoding="utf-8")
    assert len(cues) == vtt.count(" --> ")
    for cue in cues:
        start, end = float(cue["data-start"] or 0), float(cue["data-end"] or 0)
        assert cue["href"] == f"?t={int(start)}" and end > start
    assert "js-only" in (doc.find("div", id="controls")[0]["class"] or "")  # shown by JavaScript
    assert "Keyboard shortcuts" in html


def test_player_shows_speakers_with_credentials_and_turns(web_client) -> None:
    html, doc = fetch(web_client, f"/webcasts/{WEBCHAT}")
    assert "Erica Mayer</a>, MD, MPH" in html
    assert 'href="/speakers/nancy-lin"' in html
    turns = re.findall(r'<span class="speaker">([^<]+)</span>', html)
    assert {"Nancy Lin", "Erica Mayer"} <= set(turns)
    assert len(turns) >= 4  # a name at each change of speaker, not on every line


def test_player_series_navigation(web_client) -> None:
    html, doc = fetch(web_client, f"/webcasts/{PART_1}")
    assert "Part 1 of 2" in html
    current = doc.find("a", aria_current="page")
    assert current and current[0]["href"] == f"/webcasts/{PART_1}"
    assert f'href="/webcasts/{PART_2}"' in html
    assert "Next: part 2" in html
    html2, _ = fetch(web_client, f"/webcasts/{PART_2}")
    assert "Previous: part 1" in html2


def test_player_related_resources_and_downloads(web_client) -> None:
    html, doc = fetch(web_client, f"/webcasts/{PROXY}")
    assert doc.find("a", href="https://theconversationproject.org")
    assert "Aging with Dignity" in html
    assert doc.find("a", href=f"/webcasts/{PROXY}/transcript")
    assert doc.find("a", href=f"/webcasts/{PROXY}/transcript.txt")
    assert doc.find("a", href=f"/webcasts/{PROXY}/transcript.vtt?download=1")


@pytest.mark.parametrize(
    ("t", "fragment"),
    [("75", "#t=75"), ("75.5", "#t=75.5"), ("1m30s", "#t=90"), ("90s", "#t=90"),
     ("0", None), ("-5", None), ("nan", None), ("inf", None), ("-inf", None), ("1e999", None),
     ("abc", None), ("", None), ("1m", "#t=60"), ("%00", None), ("9" * 400, None)],
)
def test_player_start_time(web_client, t: str, fragment: str | None) -> None:
    html, doc = fetch(web_client, f"/webcasts/{PROXY}?t={t}")
    src = doc.find("source")[0]["src"] or ""
    if fragment is None:
        assert "#t=" not in src
    else:
        assert fragment in src


def test_start_time_is_clamped_to_the_duration(web_client) -> None:
    html, doc = fetch(web_client, f"/webcasts/{PROXY}?t=999999")
    src = doc.find("source")[0]["src"] or ""
    seconds = float(src.split("#t=")[1])
    assert 60 < seconds < 1000


def test_player_without_media_still_has_the_transcript(client) -> None:
    """The conftest library has captions but no rendered media: a notice, not a broken player."""
    html, doc = fetch(client, f"/webcasts/{PROXY}")
    assert not doc.find("video") and "not available to play" in html
    assert doc.with_class("a", "cue")


# ---- transcript page and files ----------------------------------------------------------------


def test_printable_transcript(web_client) -> None:
    webcast = CATALOG.webcasts[PROXY]
    html, doc = fetch(web_client, f"/webcasts/{PROXY}/transcript")
    assert "October 18, 2023" in html
    assert "Steve O&#39;Neill, LICSW, BCD, JD" in html
    headings = re.findall(r'<h2 id="chapter-\d+">(.*?) <span', html, re.S)
    assert [h.replace("&#39;", "'") for h in headings] == [c.title for c in webcast.chapters]
    assert doc.find("a", href=f"/webcasts/{PROXY}?t=0")
    assert not doc.find("video") and not doc.find("audio")


def test_transcript_txt_is_the_transcript_file(web_client, web_library_dir: Path) -> None:
    response = web_client.get(f"/webcasts/{PROXY}/transcript.txt")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{PROXY}.en.txt"'
    assert response.data == (web_library_dir / "transcripts" / f"{PROXY}.en.txt").read_bytes()


def test_transcript_vtt_is_the_captions(web_client, web_library_dir: Path) -> None:
    response = web_client.get(f"/webcasts/{WEBCHAT}/transcript.vtt")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/vtt; charset=utf-8"
    assert response.data == (web_library_dir / "media" / WEBCHAT / "captions.en.vtt").read_bytes()
    download = web_client.get(f"/webcasts/{WEBCHAT}/transcript.vtt?download=1")
    assert "attachment" in download.headers["Content-Disposition"]


@pytest.mark.parametrize("slug", SLUGS)
def test_chapters_vtt(web_client, slug: str) -> None:
    response = web_client.get(f"/webcasts/{slug}/chapters.vtt")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/vtt; charset=utf-8"
    text = response.get_data(as_text=True)
    assert text.startswith("WEBVTT")
    assert text.count(" --> ") == len(CATALOG.webcasts[slug].chapters)
    first = CATALOG.webcasts[slug].text("en").chapters[0]  # in the page's language
    assert first.replace("&", "&amp;") in text


# ---- topics, speakers, series ----------------------------------------------------------------


def test_topic_page(web_client) -> None:
    html, doc = fetch(web_client, "/topics/radiation-therapy")
    assert "<h1>Radiation therapy</h1>" in html
    tagged = [w.slug for w in CATALOG.webcasts.values() if "radiation-therapy" in w.topics]
    for slug in tagged:
        assert f'href="/webcasts/{slug}"' in html
    assert f'href="/webcasts/{AUDIO}"' not in html


def test_speaker_page(web_client) -> None:
    html, _ = fetch(web_client, "/speakers/nancy-lin")
    assert "<h1>Nancy Lin</h1>" in html
    for slug in (PART_1, PART_2, WEBCHAT):
        assert f'href="/webcasts/{slug}"' in html
    assert f'href="/webcasts/{PROXY}"' not in html


def test_series_page_lists_parts_in_order(web_client) -> None:
    html, _ = fetch(web_client, "/series/breast-cancer-brain")
    assert 0 < html.find(f'href="/webcasts/{PART_1}"') < html.find(f'href="/webcasts/{PART_2}"')


@pytest.mark.parametrize(
    "url",
    ["/webcasts/no-such-talk", "/webcasts/no-such-talk/transcript", "/webcasts/x/transcript.txt",
     "/webcasts/x/transcript.vtt", "/webcasts/x/chapters.vtt", "/topics/nothing",
     "/speakers/nobody", "/series/none", "/no/such/page", "/webcasts/UPPER", "/webcasts/a%00b"],
)
def test_friendly_404(web_client, url: str) -> None:
    html, doc = fetch(web_client, url, status=404)
    assert "<h1>" in html and 'href="/"' in html
    assert "Traceback" not in html


# ---- assets and weight -------------------------------------------------------------------------


def test_assets_are_cache_busted(web_client) -> None:
    html, doc = fetch(web_client, "/")
    css = doc.find("link", rel="stylesheet")[0]["href"] or ""
    js = doc.find("script")[0]["src"] or ""
    assert re.fullmatch(r"/static/site\.css\?v=[0-9a-f]{10}", css)
    assert re.fullmatch(r"/static/site\.js\?v=[0-9a-f]{10}", js)
    for url, mime in ((css, "text/css"), (js, "text/javascript")):
        with web_client.get(url) as response:
            assert response.status_code == 200 and response.mimetype == mime
            assert "immutable" in response.headers["Cache-Control"]
            assert "max-age=31536000" in response.headers["Cache-Control"]


def _gzip_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


def _body(client, url: str) -> bytes:
    with client.get(url) as response:
        return response.data


def test_player_page_weight_under_60_kb(web_client) -> None:
    """HTML + CSS + JS of the largest player page, gzip-compressed (media excluded)."""
    sizes = []
    for slug in SLUGS:
        response = web_client.get(f"/webcasts/{slug}")
        sizes.append((_gzip_size(response.data), slug))
    html_size, slug = max(sizes)
    _, doc = fetch(web_client, f"/webcasts/{slug}")
    assets = [doc.find("link", rel="stylesheet")[0]["href"], doc.find("script")[0]["src"]]
    total = html_size + sum(_gzip_size(_body(web_client, url)) for url in assets)
    assert total < 60 * 1024, f"{total} bytes"


def test_pages_are_gzipped_for_clients_that_ask(web_client) -> None:
    response = web_client.get(f"/webcasts/{PROXY}", headers={"Accept-Encoding": "gzip, br"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    assert b"<!doctype html>" in gzip.decompress(response.data)
    plain = web_client.get(f"/webcasts/{PROXY}")
    assert "Content-Encoding" not in plain.headers


ALL_PAGES = ["/", f"/webcasts/{PROXY}", f"/webcasts/{AUDIO}", f"/webcasts/{WEBCHAT}/transcript",
             "/search?q=radiation", "/search", "/topics/clinical-trials", "/speakers/eric-winer",
             "/series/breast-cancer-brain", "/no-such-page"]


@pytest.mark.parametrize("url", ALL_PAGES)
def test_no_inline_script_or_style(web_client, url: str) -> None:
    """A strict Content-Security-Policy holds: no inline code, no style attributes."""
    html = web_client.get(url).get_data(as_text=True)
    doc = Elements(html)
    scripts = [a for t, a in doc.tags if t == "script"]
    code = [a for a in scripts if a.get("type") != "application/ld+json"]  # JSON-LD is data
    assert code and all(a.get("src") for a in code)
    assert not [t for t, a in doc.tags if "style" in a]
    assert "<style" not in html
    assert not re.search(r"\son[a-z]+=", html)
    assert "javascript:" not in html
    sources = [a.get("src") for t, a in doc.tags if a.get("src")]
    assert all((src or "").startswith("/") and not (src or "").startswith("//") for src in sources)


@pytest.mark.parametrize("url", ALL_PAGES)
def test_every_page_has_a_title_a_main_and_one_h1(web_client, url: str) -> None:
    html = web_client.get(url).get_data(as_text=True)
    assert re.search(r"<title>[^<]+</title>", html)
    assert '<html lang="en">' in html and '<main id="main"' in html
    assert html.count("<h1") == 1


def test_an_hour_long_talk_stays_under_60_kb(make_app, tmp_path: Path) -> None:
    """900 cues (about 90 minutes of speech) with chapters: the page still weighs under 60 KB."""
    from medialib.captions import format_timestamp
    from medialib.config import Settings
    from medialib.library import Library

    words = ("radiation treatment memory proxy trial fatigue scan family doctor question "
             "support chemotherapy brain symptom care").split()
    lines, start = ["WEBVTT", ""], 0.0
    for i in range(900):
        text = " ".join(words[(i * 7 + k) % len(words)] for k in range(8 + i % 9)).capitalize()
        lines += [f"{format_timestamp(start)} --> {format_timestamp(start + 5.5)}", text + ".", ""]
        start += 6.0
    folder = tmp_path / "media" / "hour"
    folder.mkdir(parents=True)
    (folder / "captions.en.vtt").write_text("\n".join(lines), encoding="utf-8")
    (folder / "video.mp4").write_bytes(b"\0" * 100)
    chapters = "\n".join(f"      - {{start: {i * 300}, title: Part {i + 1} of the talk}}"
                         for i in range(18))
    (tmp_path / "catalog.yaml").write_text(
        "speakers: {a: {name: Ann Example, credentials: MD}}\ntopics: {}\nseries: {}\n"
        "webcasts:\n  hour:\n    title: An hour-long talk\n    speakers: [a]\n"
        f"    media: {{file: video.mp4, type: video/mp4, duration: {start}}}\n"
        "    captions: [{lang: en, file: captions.en.vtt}]\n"
        f"    chapters:\n{chapters}\n", encoding="utf-8")
    settings = Settings(library=tmp_path)
    Library(settings).reindex()
    app = make_app(settings)
    client = app.test_client()
    html = client.get("/webcasts/hour").data
    assert html.count(b'class="cue"') == 900
    assets = sum(_gzip_size(_body(client, url)) for url in (
        "/static/site.css", "/static/site.js"))
    assert _gzip_size(html) + assets < 60 * 1024


def test_start_time_marks_the_current_chapter_without_javascript(web_client) -> None:
    webcast = CATALOG.webcasts[PROXY]
    third = webcast.chapters[2]
    html, doc = fetch(web_client, f"/webcasts/{PROXY}?t={int(third.start) + 1}")
    current = doc.find("a", aria_current="true")
    assert len(current) == 1 and current[0]["data-start"] == str(third.start)


def test_an_item_without_chapters(hostile_client) -> None:
    html, doc = fetch(hostile_client, "/webcasts/plain-audio")
    assert doc.find("audio", id="player")
    assert not doc.find("track", kind="chapters") and 'aria-label="Chapters"' not in html
    assert len(doc.with_class("a", "cue")) == 2
    vtt = hostile_client.get("/webcasts/plain-audio/chapters.vtt").get_data(as_text=True)
    assert vtt.startswith("WEBVTT") and "-->" not in vtt
