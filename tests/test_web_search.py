"""/search and /api/search over the sample library: one search result, its renderings."""

from __future__ import annotations

import re

import pytest

from medialib.config import Settings
from medialib.search.model import Hit, SearchResults, WebcastResult
from medialib.terminal import printable

PROXY = "healthcare-proxy-advanced-cancer"
PODCAST = "living-with-mbc-podcast"


@pytest.mark.parametrize(
    "args",
    [
        {"q": "health care proxy"},
        {"q": "chemo brian"},
        {"q": "radiation", "topic": "brain-metastases"},
        {"q": "trial", "speaker": "erica-mayer"},
        {"q": "brain", "series": "breast-cancer-brain", "page": "2"},
        {"q": "living", "kind": "audio"},
        {"q": "zzzzqqq"},
        {"q": ""},
    ],
)
def test_api_search_is_the_search_document(app, client, args: dict) -> None:
    response = client.get("/api/search", query_string=args)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    library = app.extensions["medialib"]
    per_page = app.config["MEDIALIB_SETTINGS"].results_per_page
    expected = library.index.search(
        args["q"], topic=args.get("topic"),
        speaker=args.get("speaker"), series=args.get("series"), kind=args.get("kind"),
        page=int(args.get("page", 1)), per_page=per_page,
    ).document()
    assert response.get_json() == expected
    assert list(response.get_json()) == list(expected)  # the CLI's key order too


def _one_result() -> SearchResults:
    hits = [Hit(start=65.4, end=70.0, text="a <living> will",
                html="a &lt;<mark>living</mark>&gt; will", chapter="Wills", speaker="Narrator"),
            Hit(start=3725.0, end=3730.25, text="proxy", html="<mark>proxy</mark>", chapter=None,
                speaker=None)]
    result = WebcastResult(slug="talk", title="A talk", score=3.5, hits=hits, total_hits=7,
                           matched_fields=["transcript"], speakers=["A B, MD", "C D"],
                           topics=["Proxies"])
    return SearchResults(query="living  will", results=[result], total=1, suggestion="living will",
                         asked=" living  will")


def test_the_search_contract_is_the_result_objects_document() -> None:
    assert _one_result().document() == {
        "query": " living  will",  # as asked
        "results": [{
            "slug": "talk", "title": "A talk", "speakers": ["A B, MD", "C D"],
            "topics": ["Proxies"], "url": "/webcasts/talk", "total_hits": 7,
            "hits": [
                {"start": 65.4, "end": 70.0, "text": "a <living> will",
                 "url": "/webcasts/talk?t=65", "chapter": "Wills", "speaker": "Narrator"},
                {"start": 3725.0, "end": 3730.25, "text": "proxy",
                 "url": "/webcasts/talk?t=3725", "chapter": None, "speaker": None},
            ],
        }],
        "total": 1, "page": 1, "suggestion": "living will", "corrected": False,
    }
    assert SearchResults(query="x").document()["query"] == "x"


def test_the_cli_text_is_a_rendering_of_the_same_result() -> None:
    assert _one_result().text().splitlines() == [
        "Did you mean: living will",
        "A talk  (A B, MD; C D)",
        "  [01:05] a <living> will",
        "          /webcasts/talk?t=65",
        "  [1:02:05] proxy",  # the one clock: hours past the hour, as the transcript writes
        "          /webcasts/talk?t=3725",
    ]
    assert SearchResults(query="x").text() == "No results."
    planted = _one_result()
    planted.results[0].title = "A \x1b]0;owned\x07talk"
    planted.results[0].hits[0].text = "a \x1b[2Jliving will"
    lines = planted.text(printable).splitlines()
    assert lines[1] == "A talk  (A B, MD; C D)" and lines[2] == "  [01:05] a living will"


def test_results_page_groups_moments_by_webcast(client) -> None:
    html = client.get("/search?q=health+care+proxy").get_data(as_text=True)
    results = re.findall(r'<li class="result">.*?</li>\s*</ul>', html, re.S)
    assert results and f'href="/webcasts/{PROXY}"' in results[0]  # best first
    moments = re.findall(rf'<a class="moment" href="/webcasts/{PROXY}\?t=(\d+)">', html)
    assert moments
    assert "<mark>" in html
    assert 'class="moment-chapter"' in html and 'class="moment-speaker">Narrator<' in html
    assert re.search(r"Play from \d\d:\d\d", html)
    assert re.search(r"\d+ talks? mentions?", html)


def test_did_you_mean(client) -> None:
    html = client.get("/search?q=chemo+brian").get_data(as_text=True)
    assert "chemo brain" in html
    assert 'href="/search?q=chemo+brain"' in html


def test_filters_narrow_and_are_kept(client) -> None:
    html = client.get("/search?q=living&kind=audio").get_data(as_text=True)
    found = set(re.findall(r'<h3><a href="/webcasts/([a-z0-9-]+)">', html))
    assert found == {PODCAST}
    assert '<option value="audio" selected>' in html
    assert "<details class=\"filters\" open>" in html


def test_pagination(make_app, sample_library_dir) -> None:
    app = make_app(Settings(library=sample_library_dir, results_per_page=1))
    client = app.test_client()
    first = client.get("/search?q=brain&topic=brain-metastases").get_data(as_text=True)
    assert "Page 1 of" in first
    assert 'href="/search?q=brain&amp;topic=brain-metastases&amp;page=2" rel="next"' in first
    second = client.get("/search?q=brain&topic=brain-metastases&page=2").get_data(
        as_text=True)
    assert "Page 2 of" in second and 'rel="prev"' in second
    assert len(re.findall(r'<li class="result">', second)) == 1
    beyond = client.get("/search?q=brain&page=999")
    assert beyond.status_code == 200


def test_empty_search_shows_the_form_and_topics(client) -> None:
    html = client.get("/search").get_data(as_text=True)
    assert '<input id="q" name="q"' in html
    assert 'class="results"' not in html
    assert 'href="/topics/radiation-therapy"' in html


def test_no_results_helps(client) -> None:
    html = client.get("/search?q=zzzzqqq").get_data(as_text=True)
    assert "No talks mention “zzzzqqq”" in html
    assert 'href="/topics/' in html


RADIATION = "role-of-radiation-mbc"


def _talk_results(html: str) -> str:
    found = re.search(r'<div class="talk-results" id="talk-results">(.*?)</section>', html, re.S)
    assert found, "no results block"
    return found.group(1)


def test_search_within_a_talk_lists_its_moments_in_time_order(client) -> None:
    response = client.get(f"/webcasts/{RADIATION}?q=whole+brain+radiation")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'value="whole brain radiation"' in html  # the form keeps the words
    results = _talk_results(html)
    links = re.findall(r'<a class="moment" href="([^"]+)" data-start="([\d.]+)">', results)
    assert len(links) >= 2
    starts = [float(start) for _, start in links]
    assert starts == sorted(starts)
    for href, start in links:  # each plays from its moment, the results kept
        assert href == f"/webcasts/{RADIATION}?t={int(float(start))}&amp;q=whole+brain+radiation"
    assert "<mark>Whole</mark> <mark>brain</mark> <mark>radiation</mark>" in results
    assert re.search(rf"{len(links)} moments mention “whole brain radiation”", results)
    assert 'class="moment-chapter"' in results and re.search(r"Play from \d\d:\d\d", results)


def test_search_within_a_talk_knows_synonyms_and_corrects_spelling(client) -> None:
    results = _talk_results(client.get(f"/webcasts/{RADIATION}?q=WBRT").get_data(as_text=True))
    assert "<mark>Whole</mark>" in results  # the acronym finds the words spelled out
    results = _talk_results(client.get(f"/webcasts/{RADIATION}?q=radiaton").get_data(as_text=True))
    assert "Showing moments for" in results and "<mark>radiation</mark>" in results.lower()
    assert f'href="/webcasts/{RADIATION}?q=radiation#moments"' in results


def test_search_within_a_talk_that_does_not_say_it(client) -> None:
    html = client.get(f"/webcasts/{PROXY}?q=whole+brain+radiation").get_data(as_text=True)
    results = _talk_results(html)
    assert "No moments in this talk mention “whole brain radiation”." in results
    assert 'href="/search?q=whole+brain+radiation"' in results  # the whole library may
    assert 'class="moment"' not in results


@pytest.mark.parametrize(
    "q", ['"unclosed quote', "AND OR NOT ( ) title:x", "x" * 5000, "a\x00b", "🙂 brain 🙂",
          "lymph*", "*", '""'])
def test_search_within_a_talk_takes_any_input(client, q: str) -> None:
    response = client.get(f"/webcasts/{RADIATION}", query_string={"q": q, "t": "30"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    _talk_results(html)
    assert 'id="watch" data-slug="role-of-radiation-mbc"' in html
    assert re.search(r'id="watch" [^>]*data-start="30(\.0)?"', html)  # ?t= still starts there


def test_no_query_no_results_block_content(client) -> None:
    html = client.get(f"/webcasts/{RADIATION}").get_data(as_text=True)
    assert 'id="talk-search-form"' in html and 'action="/webcasts/' in html
    assert _talk_results(html).strip().startswith("</div>")


def test_search_results_link_to_every_moment_of_a_talk(client) -> None:
    html = client.get("/search?q=radiation").get_data(as_text=True)
    more = re.findall(r'<p class="more-moments"><a href="(/webcasts/[^"?]+)\?q=radiation#moments">'
                      r"Every moment in this talk that mentions “radiation”</a>", html)
    assert f"/webcasts/{RADIATION}" in more
    shown = re.search(rf'<h3><a href="/webcasts/{RADIATION}">.*?</li>\s*</ul>', html, re.S)
    assert shown and shown.group(0).count('class="moment"') == 3
    results = _talk_results(client.get(f"/webcasts/{RADIATION}?q=radiation").get_data(as_text=True))
    assert results.count('class="moment"') > 3  # more than the results page had room for


@pytest.mark.parametrize("q", ["brain mets", "radiation", "pain", "the"])
def test_a_talks_moment_count_is_the_moments_listed(client, q: str) -> None:
    results = _talk_results(client.get(f"/webcasts/{RADIATION}", query_string={"q": q})
                            .get_data(as_text=True))
    listed = results.count('class="moment"')
    count = re.search(r'id="talk-count">(\d+) moments? mentions? ', results)
    assert count and int(count.group(1)) == listed > 0
