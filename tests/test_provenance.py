"""Caption provenance and medical review in the catalog: round trip, bad values, old catalogs."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from medialib.catalog import CaptionTrack, Catalog, CatalogError, MediaFile, Webcast
from medialib.provenance import (
    HUMAN,
    MACHINE,
    MACHINE_REVIEWED,
    MedicalReview,
    is_public,
    next_review,
    overdue_reviews,
    review_queue,
)

REPO = Path(__file__).resolve().parent.parent

ENTRY = """\
webcasts:
  talk:
    title: A talk
    media:
      file: video.mp4
    captions:
      - lang: en
        file: captions.en.vtt
{extra}"""


def catalog_with(extra: str) -> Catalog:
    return Catalog.from_text(ENTRY.format(extra=extra), "lib/catalog.yaml")


def test_a_track_without_source_is_human_and_gains_no_provenance_keys() -> None:
    text = (REPO / "catalog.yaml").read_text(encoding="utf-8")
    catalog = Catalog.from_text(text, "catalog.yaml")
    # The one sample item whose captions the demo recognizes says so; the others say nothing.
    assert catalog.remove_webcast("automatic-captions-sample").captions[0].source == "machine"
    tracks = [t for w in catalog.webcasts.values() for t in w.captions]
    assert tracks and {t.source for t in tracks} == {HUMAN}
    assert all(w.medical_review is None for w in catalog.webcasts.values())
    for webcast in list(catalog.webcasts.values()):
        catalog.put_webcast(webcast)  # a CLI edit of every entry writes no provenance keys
    dumped = catalog.dump()
    assert "source:" not in dumped and "reviewed_" not in dumped
    assert "medical_review" not in dumped


def test_provenance_and_medical_review_round_trip() -> None:
    catalog = catalog_with("")
    talk = catalog.webcasts["talk"]
    reviewed = replace(
        talk,
        captions=(replace(talk.captions[0], source=MACHINE_REVIEWED,
                          reviewed_by="Jane Doe, RN", reviewed_on="2026-03-02"),),
        medical_review=MedicalReview.made("Nancy Lin, MD", "2026-01-15"),
    )
    catalog.put_webcast(reviewed)
    again = Catalog.from_text(catalog.dump(), "lib/catalog.yaml").webcasts["talk"]
    assert again == reviewed
    assert again.captions[0].source == MACHINE_REVIEWED
    assert again.medical_review == MedicalReview("Nancy Lin, MD", "2026-01-15", "2027-01-15")


def test_dates_written_by_hand_unquoted_are_read() -> None:
    talk = catalog_with(
        "        source: machine-reviewed\n        reviewed_by: Jane Doe, RN\n"
        "        reviewed_on: 2026-03-02\n"
        "    medical_review: {by: 'Nancy Lin, MD', on: 2026-01-15, next: 2026-07-15}\n"
    ).webcasts["talk"]
    assert talk.captions[0].reviewed_on == "2026-03-02"
    assert talk.medical_review == MedicalReview("Nancy Lin, MD", "2026-01-15", "2026-07-15")


@pytest.mark.parametrize("extra, line, words", [
    ("        source: robot\n", 9, "`source` must be one of human, machine, machine-reviewed"),
    ("        source: machine\n        reviewed_on: soon\n", 10, "`reviewed_on` must be a date"),
    ("        source: machine-reviewed\n", 9, "needs `reviewed_by`"),
    ("        reviewed_by: [a, b]\n", 9, "`reviewed_by` must be a name"),
    ("    medical_review: Dr Lin\n", 9, "`medical_review` must be a mapping"),
    ("    medical_review: {on: 2026-01-15}\n", 9, "`medical_review` needs `by`"),
    ("    medical_review: {by: Dr Lin, on: last week}\n", 9, "`medical_review.on` must be a date"),
    ("    medical_review: {by: Dr Lin, on: 2026-01-15, next: 2025-01-01}\n", 9,
     "`medical_review.next` must come after `on`"),
])
def test_bad_provenance_names_file_line_and_entry(extra: str, line: int, words: str) -> None:
    with pytest.raises(CatalogError) as caught:
        catalog_with(extra)
    assert caught.value.path == "lib/catalog.yaml"
    assert caught.value.line == line
    assert "webcast 'talk'" in caught.value.message and words in caught.value.message


def test_next_review_is_a_year_later() -> None:
    assert next_review("2026-03-02") == "2027-03-02"
    assert next_review("2028-02-29") == "2029-02-28"


def _webcast(slug: str, *sources: str) -> Webcast:
    tracks = tuple(CaptionTrack(lang, f"captions.{lang}.vtt", source=source)
                   for lang, source in zip(("en", "es"), sources, strict=False))
    return Webcast(slug=slug, title=slug, media=MediaFile("video.mp4", "video/mp4"),
                   captions=tracks)


def test_only_unchecked_drafts_are_held_back_and_only_when_the_setting_says_so() -> None:
    drafts, mixed, none = _webcast("a", MACHINE), _webcast("b", MACHINE, HUMAN), _webcast("c")
    assert all(is_public(w, True) for w in (drafts, mixed, none))
    assert [is_public(w, False) for w in (drafts, mixed, none)] == [False, True, True]
    assert is_public(_webcast("d", MACHINE_REVIEWED), False)


def test_review_queue_is_oldest_first() -> None:
    webcasts = [_webcast("new", MACHINE), _webcast("old", MACHINE, MACHINE),
                _webcast("done", MACHINE_REVIEWED), _webcast("human", HUMAN)]
    made = {"new": "2026-05-01T10:00:00", "old": "2026-01-01T10:00:00"}
    queue = review_queue(webcasts, lambda w, t: made[w.slug])
    assert [(due.slug, due.lang) for due in queue] == [("old", "en"), ("old", "es"), ("new", "en")]


def test_overdue_reviews() -> None:
    due = replace(_webcast("due"),
                  medical_review=MedicalReview("A, MD", "2024-01-01", "2025-01-01"))
    fine = replace(_webcast("fine"),
                   medical_review=MedicalReview("A, MD", "2025-01-01", "2026-01-01"))
    assert overdue_reviews([due, fine, _webcast("none")], "2025-06-01") == [due]
