"""Hardening against staff mistakes: oversized captions, ten-hour transcripts, links out of the
library, orphaned topics, over-long slugs and terminal escapes in catalog text."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from medialib.caption_limits import MAX_CAPTION_BYTES
from medialib.captions import CaptionError, check_cues_fit, format_timestamp, parse_captions
from medialib.catalog import Catalog, CatalogError
from medialib.checks import check_library
from medialib.config import Settings
from medialib.library import Library
from medialib.slugs import MAX_SLUG, is_slug, slugify
from medialib.terminal import printable
from medialib.web.transcript_parts import PART_CUES
from tests.ingest_support import cli, diff_trees, published_template, tree_digest
from tests.long_library import write_long_library


@pytest.fixture
def library(tmp_path_factory: pytest.TempPathFactory, tiny_video: Path, tmp_path: Path) -> Path:
    """A copy of a library with one published webcast ("existing-talk")."""
    root = tmp_path / "library"
    shutil.copytree(published_template(tmp_path_factory, tiny_video), root)
    return root


def srt(count: int, step: float = 0.05, text: str = "Words") -> str:
    def ts(seconds: float) -> str:
        return format_timestamp(seconds).replace(".", ",")
    return "".join(f"{i + 1}\n{ts(i * step)} --> {ts(i * step + step)}\n{text} {i}\n\n"
                   for i in range(count))


# ---- caption limits ----------------------------------------------------------------------------


def test_a_caption_file_over_the_size_limit_is_refused_naming_the_numbers(tmp_path: Path) -> None:
    big = ("WEBVTT\n\n" + "00:00.000 --> 00:01.000\n" + "x" * 1000 + "\n\n") * 11_000
    assert len(big) > MAX_CAPTION_BYTES
    with pytest.raises(CaptionError) as caught:
        parse_captions(big.encode(), "talk.vtt")
    assert caught.value.path == "talk.vtt"
    assert f"{len(big) / 2**20:.1f} MB is over the 10 MB" in caught.value.message


def test_more_cues_than_anyone_can_read_is_refused_naming_the_numbers() -> None:
    cues = parse_captions(srt(355), "talk.srt")
    check_cues_fit(cues[:240], 6.0, "talk.srt")  # a minute's worth on a short clip is fine
    with pytest.raises(CaptionError) as caught:
        check_cues_fit(cues, 6.0, "talk.srt")
    assert "355 cues for 6.0 s of media" in str(caught.value)
    assert "over the 4 a second" in str(caught.value) and str(caught.value).startswith("talk.srt")


def test_ingest_refuses_a_caption_file_with_too_many_cues(library: Path, tiny_video: Path,
                                                          tmp_path: Path) -> None:
    captions = tmp_path / "huge.srt"
    captions.write_text(srt(1000), encoding="utf-8")
    before = tree_digest(library)
    result = cli(library, "ingest", tiny_video, "--title", "New talk", "--captions", captions)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {captions}: 1000 cues for 2.0 s"), result.stderr
    assert diff_trees(before, tree_digest(library)) == []


# ---- a ten-hour transcript within a page budget ------------------------------------------------

HOURS = 10
PAGE_BUDGET = 400_000  # bytes of HTML: a ten-hour talk's player page, under 100 KB gzipped


@pytest.fixture(scope="module")
def long_library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One webcast of ten hours: a cue every 3 s (12,000), a chapter every 10 minutes."""
    return write_long_library(tmp_path_factory.mktemp("long") / "library", HOURS)


@pytest.fixture
def long_client(make_app, long_library: Path) -> FlaskClient:
    return make_app(Settings(library=long_library)).test_client()


@pytest.mark.parametrize("url", ["/webcasts/ten-hours", "/webcasts/ten-hours?t=18000",
                                 "/webcasts/ten-hours/transcript",
                                 "/webcasts/ten-hours/transcript?part=5", "/embed/ten-hours"])
def test_a_ten_hour_transcript_fits_the_page_budget(long_client, url: str) -> None:
    response = long_client.get(url)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert len(response.data) < PAGE_BUDGET, len(response.data)
    assert "This transcript is long, so it is shown in" in html
    assert html.count('class="cue"') <= PART_CUES


def test_the_player_shows_the_part_it_starts_in_and_links_every_part(long_client) -> None:
    html = long_client.get("/webcasts/ten-hours?t=18000").get_data(as_text=True)
    assert "Sentence number 6000 of" in html  # 5:00:00
    assert "Sentence number 5 of" not in html
    parts = html.count('href="/webcasts/ten-hours?t=')
    assert parts >= HOURS * 3600 // 3 // PART_CUES
    third = long_client.get("/webcasts/ten-hours/transcript?part=3").get_data(as_text=True)
    start = third.index('aria-current="page">Part 3: ') + len('aria-current="page">Part 3: ')
    assert f'href="/webcasts/ten-hours?t={_seconds(third[start:start + 7])}' \
        '#transcript"' in html  # the player's link to part 3 plays from its start
    last = long_client.get(f"/webcasts/ten-hours/transcript?part={parts}").get_data(as_text=True)
    assert "Sentence number 11999 of" in last  # the very end is reachable without JavaScript
    # The chapter list of the printable transcript links each chapter in its part.
    first = long_client.get("/webcasts/ten-hours/transcript").get_data(as_text=True)
    assert f'href="/webcasts/ten-hours/transcript?part={parts}#chapter-60"' in first
    assert 'id="chapter-60"' in last


def _seconds(clock: str) -> int:
    hours, minutes, secs = (int(x) for x in clock.split(":"))
    return hours * 3600 + minutes * 60 + secs


def test_the_text_download_stays_whole(long_client) -> None:
    text = long_client.get("/webcasts/ten-hours/transcript.txt").get_data(as_text=True)
    assert "Sentence number 0 of" in text and "Sentence number 11999 of" in text


# ---- links out of the library ------------------------------------------------------------------


def test_check_reports_links_out_of_the_library(library: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("secret", encoding="utf-8")
    link = library / "transcripts" / "planted.en.txt"
    link.symlink_to(outside)
    (library / "media" / "existing-talk" / "inside.vtt").symlink_to(
        library / "media" / "existing-talk" / "captions.en.vtt")
    lib = Library(Settings(library=library))
    try:
        problems = [str(p) for p in check_library(lib)]
    finally:
        lib.close()
    assert f"{link}: a symlink that leads out of the library (to {outside}); remove it" in problems
    assert not any("inside.vtt" in p for p in problems)


def test_ingest_refuses_to_write_through_a_link_out_of_the_library(
        library: Path, tiny_video: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    shutil.move(library / "transcripts", elsewhere)
    (library / "transcripts").symlink_to(elsewhere)
    before = tree_digest(elsewhere)
    result = cli(library, "ingest", tiny_video, "--title", "New talk")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {library / 'transcripts'}: a symlink that leads out")
    assert diff_trees(before, tree_digest(elsewhere)) == []
    assert "new-talk" not in Catalog.load(library / "catalog.yaml").webcasts


# ---- orphaned topics and series ----------------------------------------------------------------


def test_check_notes_undescribed_topics_and_series_nothing_uses(library: Path) -> None:
    catalog = Catalog.load(library / "catalog.yaml")
    catalog.ensure_topic("mistyped-topic")  # what `ingest --topic mistyped-topic` adds
    catalog.ensure_topic("coming-soon")
    catalog.ensure_series("mistyped-series")
    catalog.save()
    path = library / "catalog.yaml"
    text = path.read_text(encoding="utf-8")
    described = "name: Coming soon\n    description: Talks to come.\n"
    path.write_text(text.replace("name: Coming soon\n    description: ''\n", described),
                    encoding="utf-8")
    assert described in path.read_text(encoding="utf-8")
    notes: list[str] = []
    lib = Library(Settings(library=library))
    try:
        assert check_library(lib, notes.append) == []  # a note, not a problem: still whole
    finally:
        lib.close()
    said = "\n".join(notes)
    assert "note: " in said and "topic 'mistyped-topic' has no webcast and no description" in said
    assert "series 'mistyped-series' has no webcast and no description" in said
    assert "coming-soon" not in said
    result = cli(library, "check")
    assert result.exit_code == 0 and "mistyped-topic" in result.stderr


def test_ingest_refuses_a_mistyped_topic_or_series_with_a_suggestion(
        library: Path, tiny_video: Path) -> None:
    before = tree_digest(library)
    for option, typo, meant in (("--topic", "brain-metastasis", "brain-metastases"),
                                ("--topic", "Brain Metastase", "brain-metastases")):
        result = cli(library, "ingest", tiny_video, "--title", "New talk", option, typo)
        assert result.exit_code == 1
        assert result.stderr.startswith(f"error: {library / 'catalog.yaml'}: no topic {typo!r}; "
                                        f"did you mean {meant!r}?"), result.stderr
    assert diff_trees(before, tree_digest(library)) == []
    catalog = Catalog.load(library / "catalog.yaml")
    catalog.ensure_series("brain")
    with pytest.raises(CatalogError, match="no series 'brains'; did you mean 'brain'"):
        catalog.ensure_series("brains")
    assert catalog.ensure_topic("fatigue")[1]  # a new topic unlike any other is still added


# ---- slugs -------------------------------------------------------------------------------------


@pytest.mark.parametrize("length", [210, 300])
def test_an_over_long_slug_is_refused_with_a_clear_message(library: Path, tiny_video: Path,
                                                            length: int) -> None:
    before = tree_digest(library)
    result = cli(library, "ingest", tiny_video, "--title", "T", "--slug", "a" * length)
    assert result.exit_code == 1
    assert f"{length} characters is over the {MAX_SLUG} a slug may have" in result.stderr
    assert "File name too long" not in result.stderr
    assert diff_trees(before, tree_digest(library)) == []


def test_one_slug_rule_for_titles_catalog_and_web(tmp_path: Path, client) -> None:
    slug = slugify("A very long title " * 20)
    assert is_slug(slug) and len(slug) <= MAX_SLUG and not slug.endswith("-")
    assert not is_slug("a" * (MAX_SLUG + 1)) and not is_slug("Bad_Slug")
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text("webcasts:\n  " + "a" * 210 + ":\n    title: T\n"
                       "    media: {file: v.mp4, type: video/mp4}\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="210 characters is over the 100"):
        Catalog.load(catalog)
    assert client.get("/webcasts/" + "a" * 210).status_code == 404


# ---- terminal escapes in what the CLI prints ---------------------------------------------------

ESCAPES = "\x1b]0;pwned\x07\x1b[2J\x1b[31m\x9b1m\u202e\x00\x08"


def test_printable_strips_escapes_and_controls() -> None:
    assert printable(f"Title{ESCAPES} end\tand\nmore") == "Title end and more"
    assert printable("Café – ünïcode ✓") == "Café – ünïcode ✓"


def test_list_and_search_print_no_terminal_escapes(library: Path) -> None:
    catalog = Catalog.load(library / "catalog.yaml")
    webcast = catalog.webcasts["existing-talk"]
    catalog.put_webcast(webcast.__class__(**{**webcast.__dict__,
                                              "title": f"Evil{ESCAPES} title"}))
    catalog.save()
    assert cli(library, "reindex").exit_code == 0
    listed = cli(library, "list")
    assert "Evil title" in listed.stdout
    found = cli(library, "search", "existing")
    for output in (listed.stdout, found.stdout):
        assert not any(ch in output for ch in "\x1b\x07\x9b\u202e\x00\x08"), repr(output)
