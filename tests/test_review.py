"""The review loop end to end: machine captions shown as such, `captions --replace`, the review
list, holding drafts back, medical review at ingest, and what `check` says about both."""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from medialib.catalog import Catalog
from medialib.config import Settings
from medialib.library import Library
from medialib.media import file_checksum
from medialib.provenance import MACHINE
from tests.ingest_support import cli, published_template

SLUG = "existing-talk"
NOTICE = "Automatic captions, not yet checked by our staff:"
FIXED_SRT = ("1\n00:00:00,100 --> 00:00:00,900\nHello and welcome, Doctor Lin.\n\n"
             "2\n00:00:01,000 --> 00:00:01,800\nThank you for coming to trastuzumab day.\n")


@pytest.fixture
def library(tmp_path_factory: pytest.TempPathFactory, tiny_video: Path, tmp_path: Path) -> Path:
    """A copy of the session's library with one published webcast, 'existing-talk'."""
    return Path(shutil.copytree(published_template(tmp_path_factory, tiny_video),
                                tmp_path / "library"))


def make_machine(root: Path, *slugs: str) -> None:
    """Mark the webcasts' caption tracks as unchecked machine drafts, then reindex."""
    catalog = Catalog.load(root / "catalog.yaml")
    for slug in slugs:
        webcast = catalog.webcasts[slug]
        catalog.put_webcast(replace(
            webcast, captions=tuple(replace(t, source=MACHINE) for t in webcast.captions)))
    catalog.save()
    assert cli(root, "reindex").exit_code == 0


def jsonld(html: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert found is not None
    data: dict[str, Any] = json.loads(found[1])
    return data


PAGES = (f"/webcasts/{SLUG}", f"/embed/{SLUG}", f"/webcasts/{SLUG}/transcript",
         f"/webcasts/{SLUG}/transcript.txt")


def test_machine_captions_carry_the_notice_until_staff_replace_them(
    make_app, library: Path, tmp_path: Path
) -> None:
    make_machine(library, SLUG)
    text = (library / "transcripts" / f"{SLUG}.en.txt").read_text(encoding="utf-8")
    assert f"Note: {NOTICE}" in text
    client = make_app(Settings(library=library)).test_client()
    for url in PAGES:
        body = client.get(url).get_data(as_text=True)
        assert NOTICE in body, url
    html = client.get(f"/webcasts/{SLUG}").get_data(as_text=True)
    assert 'role="note"' in html  # said in words, not only shown in a colour
    assert 'label="English (automatic, not yet checked)"' in html  # the captions menu
    caption = jsonld(html)["caption"][0]
    assert caption["creativeWorkStatus"] == "Draft"
    assert caption["creator"]["@type"] == "SoftwareApplication"
    assert caption["encodingFormat"] == "text/vtt" and caption["inLanguage"] == "en"

    fixed = tmp_path / "fixed.srt"
    fixed.write_text(FIXED_SRT, encoding="utf-8")
    result = cli(library, "captions", SLUG, "--lang", "en", "--replace", fixed,
                 "--reviewed-by", "Jane Doe, RN", "--reviewed-on", "2026-03-02")
    assert result.exit_code == 0, result.stderr
    assert "source machine-reviewed, reviewed by Jane Doe, RN on 2026-03-02" in result.output

    for url in PAGES:
        body = client.get(url).get_data(as_text=True)
        assert NOTICE not in body, url
        assert "(automatic, not yet checked)" not in body, url
    html = client.get(f"/webcasts/{SLUG}").get_data(as_text=True)
    assert "trastuzumab" in html  # the new captions are what the transcript shows
    caption = jsonld(html)["caption"][0]
    assert caption["creativeWorkStatus"] == "Published"
    assert caption["editor"] == {"@type": "Person", "name": "Jane Doe, RN"}
    assert caption["dateModified"] == "2026-03-02"
    found = client.get("/api/search?q=trastuzumab").get_json()
    assert [r["slug"] for r in found["results"]] == [SLUG]
    track = Catalog.load(library / "catalog.yaml").webcasts[SLUG].captions[0]
    assert (track.source, track.reviewed_by, track.reviewed_on) == (
        "machine-reviewed", "Jane Doe, RN", "2026-03-02")
    assert track.checksum == file_checksum(library / "media" / SLUG / track.file)
    assert "trastuzumab" in (library / "transcripts" / f"{SLUG}.en.txt").read_text("utf-8")
    check = cli(library, "check")
    assert check.exit_code == 0, check.stderr
    assert not (library / ".staging").exists()


def test_a_replacement_without_a_reviewer_is_a_persons_file(library: Path, tmp_path: Path) -> None:
    make_machine(library, SLUG)
    fixed = tmp_path / "vendor.srt"
    fixed.write_text(FIXED_SRT, encoding="utf-8")
    assert cli(library, "captions", SLUG, "--replace", fixed).exit_code == 0
    track = Catalog.load(library / "catalog.yaml").webcasts[SLUG].captions[0]
    assert (track.source, track.reviewed_by) == ("human", None)
    # A human track checked by someone stays human, with its reviewer.
    result = cli(library, "captions", SLUG, "--replace", fixed, "--reviewed-by", "Jane Doe, RN")
    assert result.exit_code == 0, result.stderr
    track = Catalog.load(library / "catalog.yaml").webcasts[SLUG].captions[0]
    assert (track.source, track.reviewed_by) == ("human", "Jane Doe, RN")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", track.reviewed_on or "")


def test_a_wrong_caption_file_lists_every_problem_and_changes_nothing(
    library: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.vtt"
    broken.write_text("WEBVTT\n\n" + "".join(
        f"00:00:{i:02d}.000 -> 00:00:{i + 1:02d}.000\nLine {i}\n\n" for i in range(25)
    ), encoding="utf-8")
    catalog_before = (library / "catalog.yaml").read_bytes()
    result = cli(library, "captions", SLUG, "--replace", broken)
    assert result.exit_code == 1
    listed = re.findall(rf"{re.escape(str(broken))}:(\d+): broken timing line", result.stderr)
    assert [int(n) for n in listed] == [3 + 3 * i for i in range(20)]
    assert "and 5 more" in result.stderr and "25 problems" in result.stderr
    assert (library / "catalog.yaml").read_bytes() == catalog_before


def test_unknown_webcast_and_reviewed_on_alone_are_refused(library: Path, tmp_path: Path) -> None:
    fixed = tmp_path / "fixed.srt"
    fixed.write_text(FIXED_SRT, encoding="utf-8")
    result = cli(library, "captions", "no-such-talk", "--replace", fixed)
    assert result.exit_code == 1 and "no webcast 'no-such-talk'" in result.stderr
    result = cli(library, "captions", SLUG, "--replace", fixed, "--reviewed-on", "2026-03-02")
    assert result.exit_code == 1 and "--reviewed-on needs --reviewed-by" in result.stderr
    assert not (library / ".staging").exists()


def test_list_needs_review_is_oldest_first_and_json_carries_provenance(
    fresh_library: Path
) -> None:
    older, newer = "cognitive-changes-mbc", "role-of-radiation-mbc"  # English captions only
    make_machine(fresh_library, newer, older)
    for slug, stamp in ((older, 1_700_000_000), (newer, 1_750_000_000)):
        os.utime(fresh_library / "media" / slug / "captions.en.vtt", (stamp, stamp))
    result = cli(fresh_library, "list", "--needs-review", "--json")
    assert result.exit_code == 0, result.stderr
    # The sample library's own machine-captioned item waits too (its file is the newest here).
    sample = ("automatic-captions-sample", "en")
    queue = json.loads(result.output)
    assert [(due["slug"], due["lang"]) for due in queue] == [(older, "en"), (newer, "en"), sample]
    assert queue[0]["since"].startswith("2023-11-14")
    table = cli(fresh_library, "list", "--needs-review").output
    assert table.index(older) < table.index(newer)
    assert "3 caption track(s) waiting for review" in table
    rows = {row["slug"]: row for row in json.loads(cli(fresh_library, "list", "--json").output)}
    assert rows[older]["captions"] == [
        {"lang": "en", "source": "machine", "reviewed_by": None, "reviewed_on": None}]
    assert rows["living-with-mbc-podcast"]["captions"][0]["source"] == "human"
    assert rows[older]["medical_review"] is None


def test_unreviewed_drafts_can_be_held_back_until_reviewed(
    make_app, fresh_library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    held = "healthcare-proxy-advanced-cancer"
    make_machine(fresh_library, held)
    # The default: public, with the notice.
    client = make_app(Settings(library=fresh_library)).test_client()
    assert NOTICE in client.get(f"/webcasts/{held}").get_data(as_text=True)
    monkeypatch.setenv("MEDIALIB_PUBLISH_UNREVIEWED_CAPTIONS", "false")
    assert cli(fresh_library, "reindex").exit_code == 0
    settings = {"publish_unreviewed_captions": False}
    client = make_app(Settings(library=fresh_library, **settings)).test_client()
    assert client.get(f"/webcasts/{held}").status_code == 404
    assert client.get(f"/embed/{held}").status_code == 404
    for url in ("/", "/feed.xml", "/sitemap-1.xml", "/topics/advance-care-planning"):
        body = client.get(url).get_data(as_text=True)
        assert f"/webcasts/{held}" not in body, url
    found = client.get("/api/search?q=healthcare+proxy").get_json()
    assert held not in [r["slug"] for r in found["results"]]
    lib = Library(Settings(library=fresh_library, **settings))
    try:
        assert held not in lib.index.slugs()
        from medialib.checks import check_library

        in_step = [str(p) for p in check_library(lib) if p.where in {"database", "search index"}]
        assert in_step == []
    finally:
        lib.close()
    rows = {row["slug"]: row for row in json.loads(cli(fresh_library, "list", "--json").output)}
    assert rows[held]["public"] is False
    assert f"{held}" in (table := cli(fresh_library, "list").output)
    assert "[automatic captions, held back]" in table.split(held)[1].splitlines()[0]

    for lang in ("en", "es"):  # both of its drafts checked (it has Spanish captions too)
        vtt = fresh_library / "media" / held / f"captions.{lang}.vtt"
        fixed = tmp_path / f"checked.{lang}.vtt"
        shutil.copy(vtt, fixed)
        result = cli(fresh_library, "captions", held, "--lang", lang, "--replace", fixed,
                     "--reviewed-by", "Jane Doe, RN")
        assert result.exit_code == 0, result.stderr
    client = make_app(Settings(library=fresh_library, **settings)).test_client()
    html = client.get(f"/webcasts/{held}").get_data(as_text=True)
    assert NOTICE not in html
    assert f"/webcasts/{held}" in client.get("/sitemap-1.xml").get_data(as_text=True)


def test_medical_review_at_ingest_is_shown_and_given_as_structured_data(
    make_app, library: Path, tiny_video: Path, tmp_path: Path
) -> None:
    captions = tmp_path / "talk.srt"
    captions.write_text(FIXED_SRT, encoding="utf-8")
    result = cli(library, "ingest", tiny_video, "--title", "Reviewed talk", "--captions", captions,
                 "--reviewed-by", "Nancy Lin, MD", "--reviewed-on", "2026-01-15")
    assert result.exit_code == 0, result.stderr
    review = Catalog.load(library / "catalog.yaml").webcasts["reviewed-talk"].medical_review
    assert review is not None and review.as_dict() == {
        "by": "Nancy Lin, MD", "on": "2026-01-15", "next": "2027-01-15"}
    client = make_app(Settings(library=library)).test_client()
    html = client.get("/webcasts/reviewed-talk").get_data(as_text=True)
    assert "Medically reviewed by Nancy Lin, MD on January 15, 2026" in html
    page = jsonld(html)["mainEntityOfPage"]
    assert page["@type"] == "MedicalWebPage" and page["lastReviewed"] == "2026-01-15"
    assert page["reviewedBy"] == {"@type": "Person", "name": "Nancy Lin",
                                  "honorificSuffix": "MD"}
    other = client.get(f"/webcasts/{SLUG}").get_data(as_text=True)
    assert "Medically reviewed" not in other and "mainEntityOfPage" not in other
    rows = {row["slug"]: row for row in json.loads(cli(library, "list", "--json").output)}
    assert rows["reviewed-talk"]["medical_review"]["next"] == "2027-01-15"
    # Ingested again without the options, the review is kept.
    again = cli(library, "ingest", tiny_video, "--title", "Reviewed talk",
                "--slug", "reviewed-talk", "--captions", captions)
    assert again.exit_code == 0, again.stderr
    assert Catalog.load(library / "catalog.yaml").webcasts["reviewed-talk"].medical_review == review


@pytest.mark.parametrize("args", [
    ["--reviewed-by", "Nancy Lin, MD"],
    ["--reviewed-on", "2026-01-15"],
    ["--reviewed-by", "Nancy Lin, MD", "--reviewed-on", "2026-01-15", "--review-next",
     "2025-01-01"],
])
def test_medical_review_options_go_together(library: Path, tiny_video: Path,
                                            args: list[str]) -> None:
    result = cli(library, "ingest", tiny_video, "--title", "T", *args)
    assert result.exit_code == 2


def test_check_fails_webcasts_without_captions_and_warns_of_overdue_reviews(
    library: Path, tmp_path: Path
) -> None:
    catalog = Catalog.load(library / "catalog.yaml")
    from medialib.provenance import MedicalReview

    catalog.put_webcast(replace(catalog.webcasts[SLUG],
                                medical_review=MedicalReview.made("Nancy Lin, MD", "2020-01-01")))
    catalog.save()
    assert cli(library, "reindex").exit_code == 0
    result = cli(library, "check")
    assert result.exit_code == 0, result.stderr  # a warning, not a failure
    assert (f"warning: {library / 'catalog.yaml'}" in result.stderr
            and "medical review by Nancy Lin, MD was due again on 2021-01-01" in result.stderr)

    catalog = Catalog.load(library / "catalog.yaml")
    catalog.put_webcast(replace(catalog.webcasts[SLUG], captions=()))
    catalog.save()
    assert cli(library, "reindex").exit_code == 0
    result = cli(library, "check")
    assert result.exit_code == 1
    assert f"'{SLUG}' has no captions: fails WCAG 2.2 success criterion 1.2.2" in result.stderr
    # The fix the message names: a caption file added with `medialib captions`.
    captions = tmp_path / "talk.srt"
    captions.write_text(FIXED_SRT, encoding="utf-8")
    added = cli(library, "captions", SLUG, "--replace", captions)
    assert added.exit_code == 0, added.stderr
    result = cli(library, "check")
    assert result.exit_code == 0, result.stderr


def test_a_database_from_before_provenance_is_rebuilt(make_app, fresh_library: Path) -> None:
    import sqlite3

    lib = Library(Settings(library=fresh_library))
    try:
        lib.reindex()
        database = str(lib.engine.url.database)
        lib.engine.dispose()
        with sqlite3.connect(database) as db:  # as an older medialib made it
            db.execute("ALTER TABLE caption_tracks DROP COLUMN source")
            db.execute("ALTER TABLE webcasts DROP COLUMN reviewed_by")
        assert lib.database_outdated()
        from medialib.operations import prepare_to_serve

        said: list[str] = []
        prepare_to_serve(lib, said.append)
        assert not lib.database_outdated() and any("older medialib" in s for s in said)
    finally:
        lib.close()
    client = make_app(Settings(library=fresh_library)).test_client()
    html = client.get("/webcasts/role-of-radiation-mbc").get_data(as_text=True)
    assert "Role of radiation" in html and NOTICE not in html


def test_check_lists_every_problem_of_a_broken_caption_file_on_its_own_line(
    library: Path
) -> None:
    vtt = library / "media" / SLUG / "captions.en.vtt"
    vtt.write_text("WEBVTT\n\n" + "".join(
        f"00:00:0{i}.000 -> 00:00:0{i + 1}.000\nLine {i}\n\n" for i in range(3)
    ), encoding="utf-8")
    result = cli(library, "check")
    assert result.exit_code == 1
    assert f"problem: {vtt}:3: 3 problems in this caption file:\n" in result.stderr
    for line in (3, 6, 9):
        assert f"\n    {vtt}:{line}: broken timing line" in result.stderr


def test_serve_makes_the_site_follow_a_changed_hold_back_setting(fresh_library: Path) -> None:
    from medialib.operations import prepare_to_serve

    held = "healthcare-proxy-advanced-cancer"
    make_machine(fresh_library, held)  # reindexed with the default: published
    for publish, stored in ((False, False), (True, True)):
        lib = Library(Settings(library=fresh_library, publish_unreviewed_captions=publish))
        try:
            assert lib.drafts_out_of_step()
            said: list[str] = []
            prepare_to_serve(lib, said.append)
            assert any("publish_unreviewed_captions changed" in s for s in said)
            assert not lib.drafts_out_of_step()
            assert (held in lib.index.slugs()) is stored
        finally:
            lib.close()
