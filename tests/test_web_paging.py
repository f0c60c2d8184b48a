"""Pages that read only what they show: newest-first pages of 48 cards, feeds of the latest 50
items and a sitemap index over files of 250 webcasts, on a library of 260 webcasts."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event

from medialib import models as m
from medialib.app import create_app
from medialib.config import Settings
from medialib.web.discovery import FEED_ITEMS, SITEMAP_WEBCASTS
from medialib.web.pages import PER_PAGE, SERIES_PARTS
from tests.many_library import recorded, write_many_library

COUNT = 260
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
CARD = re.compile(r'class="card-title"><a href="/webcasts/(talk-\d+)"')


def newest_first(slugs: list[str]) -> list[str]:
    """The order the pages promise: newest recording first, undated last in catalog order."""
    dated = sorted((s for s in slugs if recorded(int(s[5:]))),
                   key=lambda s: recorded(int(s[5:])) or "", reverse=True)
    return dated + [s for s in slugs if not recorded(int(s[5:]))]


ALL = [f"talk-{i:05d}" for i in range(COUNT)]


@pytest.fixture(scope="module")
def many_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_many_library(tmp_path_factory.mktemp("many") / "library", COUNT)


@pytest.fixture(scope="module")
def many_client(many_root: Path) -> Iterator:
    app = create_app(Settings(library=many_root))
    yield app.test_client()
    app.extensions["medialib"].close()


@pytest.fixture(scope="module")
def rendering_client(many_root: Path) -> Iterator:
    """A client of an app without the page cache: every page rendered afresh."""
    app = create_app(Settings(library=many_root, page_cache_entries=0))
    yield app.test_client()
    app.extensions["medialib"].close()


def cards(client, url: str) -> tuple[list[str], str]:
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.get_data(as_text=True)
    return CARD.findall(html), html


@pytest.mark.parametrize("path, expected", [
    ("/", newest_first(ALL)),
    ("/topics/fatigue", newest_first(ALL[0::3])),
    ("/speakers/ben", newest_first(ALL[0::2])),
    ("/series/basics", ALL[0::10]),  # parts in order
])
def test_pages_of_cards_cover_the_list_once_in_order(many_client, path: str,
                                                     expected: list[str]) -> None:
    seen: list[str] = []
    pages = -(-len(expected) // PER_PAGE)
    for page in range(1, pages + 1):
        found, html = cards(many_client, f"{path}?page={page}")
        assert len(found) == min(PER_PAGE, len(expected) - len(seen))
        assert f"Page {page} of {pages}" in html or pages == 1
        assert (f'href="{path}?page={page + 1}" rel="next"' in html) == (page < pages)
        assert (f'href="{path}?page={page - 1}" rel="prev"' in html) == (page > 1)
        seen += found
    assert seen == expected
    if path != "/":
        assert f"{len(expected)} " in html  # the count is of the whole list, not of the page
    assert many_client.get(f"{path}?page={pages + 1}").status_code == 404
    assert cards(many_client, f"{path}?page=nonsense")[0] == seen[:PER_PAGE]


@pytest.mark.parametrize("url, expected", [
    ("/feed.xml", newest_first(ALL)),
    ("/topics/fatigue/feed.xml", newest_first(ALL[0::3])),
])
def test_feeds_list_the_latest_items(many_client, url: str, expected: list[str]) -> None:
    root = ET.fromstring(many_client.get(url).data)
    links = [i.findtext("link") or "" for i in root.findall("channel/item")]
    assert [link.rsplit("/", 1)[1] for link in links] == expected[:FEED_ITEMS]
    assert FEED_ITEMS == 50 < len(expected)


def test_the_sitemap_is_an_index_of_files(many_client) -> None:
    index = ET.fromstring(many_client.get("/sitemap.xml").data)
    assert index.tag == f"{SM}sitemapindex"
    files = [s.findtext(f"{SM}loc") for s in index.iter(f"{SM}sitemap")]
    assert len(files) == -(-COUNT // SITEMAP_WEBCASTS) > 1
    listed: list[str] = []
    for location in files:
        path = "/" + location.split("/", 3)[3]
        root = ET.fromstring(many_client.get(path).data)
        listed += [u.findtext(f"{SM}loc") for u in root.iter(f"{SM}url")]
    players = [u for u in listed if re.search(r"/webcasts/talk-\d+$", u)]
    assert len(players) == 2 * COUNT == len(set(players))  # in English and in Spanish
    assert sum(u.endswith("/transcript") for u in listed) == 2 * COUNT
    assert sum(u.endswith(("/topics/fatigue", "/speakers/ana", "/series/basics"))
               for u in listed) == 2 * 3
    assert many_client.get(f"/sitemap-{len(files) + 1}.xml").status_code == 404
    assert many_client.get("/sitemap-0.xml").status_code == 404


@pytest.fixture
def loaded_rows() -> Iterator[Counter[str]]:
    """How many rows of each table the ORM turns into objects while the test runs."""
    counts: Counter[str] = Counter()

    def count(target: m.Base, _context: object) -> None:
        counts[type(target).__tablename__] += 1

    event.listen(m.Base, "load", count, propagate=True)
    yield counts
    event.remove(m.Base, "load", count)


@pytest.mark.parametrize("url", [
    "/", "/?page=2", "/topics/fatigue", "/speakers/ana", "/series/basics", "/feed.xml",
    "/topics/fatigue/feed.xml", "/series/basics/feed.xml", "/sitemap.xml",
])
def test_a_page_loads_no_more_rows_than_it_shows(rendering_client, loaded_rows, url: str
                                                 ) -> None:
    """Not the topic's every link to find out it has one, nor every part of a series to list the
    first few: at most a page of webcasts (with their links), whatever the library's size."""
    assert rendering_client.get(url).status_code == 200
    shown = max(PER_PAGE, FEED_ITEMS)
    assert loaded_rows["webcasts"] <= shown + SERIES_PARTS, loaded_rows
    for links in ("webcast_topics", "webcast_speakers", "media_files"):
        assert loaded_rows[links] <= shown, (links, loaded_rows)
    assert sum(loaded_rows.values()) > 0 or url == "/sitemap.xml"


def test_the_home_page_lists_the_first_parts_of_a_long_series(many_client) -> None:
    html = many_client.get("/").get_data(as_text=True)
    parts = re.findall(r'<li><a href="/webcasts/(talk-\d+)">Part (\d+): ', html)
    assert parts == [(f"talk-{i * 10:05d}", str(i + 1)) for i in range(SERIES_PARTS)]
    assert f'<a href="/series/basics">All {COUNT // 10} talks of this series</a>' in html
