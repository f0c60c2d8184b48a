"""/search and /api/search over the sample library: one search document, two renderings."""

from __future__ import annotations

import re

import pytest

from medialib.app import create_app
from medialib.config import Settings
from medialib.library import search_document

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
    expected = search_document(
        library.index, args["q"], topic=args.get("topic"),
        speaker=args.get("speaker"), series=args.get("series"), kind=args.get("kind"),
        page=int(args.get("page", 1)), per_page=per_page,
    )
    assert response.get_json() == expected
    assert list(response.get_json()) == list(expected)  # the CLI's key order too


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


def test_pagination(sample_library_dir) -> None:
    app = create_app(Settings(library=sample_library_dir, results_per_page=1))
    try:
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
    finally:
        app.extensions["medialib"].close()


def test_empty_search_shows_the_form_and_topics(client) -> None:
    html = client.get("/search").get_data(as_text=True)
    assert '<input id="q" name="q"' in html
    assert 'class="results"' not in html
    assert 'href="/topics/radiation-therapy"' in html


def test_no_results_helps(client) -> None:
    html = client.get("/search?q=zzzzqqq").get_data(as_text=True)
    assert "No talks mention “zzzzqqq”" in html
    assert 'href="/topics/' in html
