"""Who made a webcast's captions and who checked them; who reviewed its medical content, and when.

A caption track's `source` is `human` (a person wrote it: every track from before provenance
was recorded), `machine` (speech recognition, not yet checked) or `machine-reviewed` (a
recognised draft a person has corrected), with `reviewed_by` and `reviewed_on` once checked.
A webcast may carry `medical_review: {by: "Name, Credentials", on: DATE, next: DATE}`.

Here: the parsing of those catalog fields (bad values name the entry), what staff are told
about them (`list --needs-review`, `check`), and whether a webcast whose only captions are
unchecked drafts is public (the setting `publish_unreviewed_captions`).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .catalog import CaptionTrack, Webcast

HUMAN, MACHINE, MACHINE_REVIEWED = "human", "machine", "machine-reviewed"
SOURCES = (HUMAN, MACHINE, MACHINE_REVIEWED)
REVIEW_PERIOD_DAYS = 365  # a medical review's `next` date, unless given


@dataclass(frozen=True)
class MedicalReview:
    """A clinician's review of a webcast's medical content: by whom, when, and when next."""

    by: str
    on: str  # YYYY-MM-DD
    next: str  # YYYY-MM-DD

    @classmethod
    def made(cls, by: str, on: str, next_on: str | None = None) -> MedicalReview:
        """A review made on `on`, due again `next_on` (default: a year later)."""
        return cls(by.strip(), on, next_on or next_review(on))

    def as_dict(self) -> dict[str, str]:
        return {"by": self.by, "on": self.on, "next": self.next}


def next_review(on: str) -> str:
    """The default date of the next review: one year after `on` (28 February after a 29th)."""
    day = datetime.date.fromisoformat(on)
    try:
        return day.replace(year=day.year + 1).isoformat()
    except ValueError:
        return day.replace(year=day.year + 1, day=28).isoformat()


def as_date(value: Any) -> str:
    """A YYYY-MM-DD date as text (YAML may have read it as a date); ValueError otherwise."""
    if isinstance(value, datetime.date):
        return value.isoformat()[:10]
    text = str(value).strip()
    datetime.date.fromisoformat(text)  # ValueError for anything but YYYY-MM-DD
    if len(text) != 10:
        raise ValueError(text)
    return text


Fail = Callable[[str, Any], Exception]  # (message, key at fault) -> the error to raise


def caption_provenance(entry: Mapping[str, Any], what: str, fail: Fail) -> dict[str, Any]:
    """`source`, `reviewed_by` and `reviewed_on` of a catalog caption entry, checked."""
    source = entry.get("source")
    source = HUMAN if source is None or source == "" else str(source)
    if source not in SOURCES:
        raise fail(f"{what}: `source` must be one of {', '.join(SOURCES)}, not {source!r}",
                   "source")
    by = entry.get("reviewed_by")
    if by is not None and (isinstance(by, (dict, list)) or not str(by).strip()):
        raise fail(f"{what}: `reviewed_by` must be a name such as \"Jane Doe, RN\"",
                   "reviewed_by")
    on = entry.get("reviewed_on")
    if on is not None:
        try:
            on = as_date(on)
        except ValueError:
            raise fail(f"{what}: `reviewed_on` must be a date, YYYY-MM-DD", "reviewed_on") from None
    if source == MACHINE_REVIEWED and by is None:
        raise fail(f"{what}: a `machine-reviewed` track needs `reviewed_by`", "source")
    return {"source": source, "reviewed_by": str(by).strip() if by is not None else None,
            "reviewed_on": on}


def medical_review(entry: Mapping[str, Any], what: str, fail: Fail) -> MedicalReview | None:
    """A webcast entry's `medical_review: {by, on, next}`, checked (None when absent)."""
    value = entry.get("medical_review")
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise fail(f"{what}: `medical_review` must be a mapping with `by`, `on` and `next`",
                   "medical_review")
    by = value.get("by")
    if by is None or isinstance(by, (dict, list)) or not str(by).strip():
        raise fail(f"{what}: `medical_review` needs `by`, such as \"Jane Doe, MD\"",
                   "medical_review")
    dates = {}
    for key in ("on", "next"):
        raw = value.get(key)
        if raw is None and key == "next":
            continue
        try:
            dates[key] = as_date(raw)
        except ValueError:
            raise fail(f"{what}: `medical_review.{key}` must be a date, YYYY-MM-DD",
                       "medical_review") from None
    review = MedicalReview.made(str(by), dates["on"], dates.get("next"))
    if review.next <= review.on:
        raise fail(f"{what}: `medical_review.next` must come after `on`", "medical_review")
    return review


def track_fields(track: CaptionTrack) -> list[tuple[str, Any]]:
    """A track's provenance as catalog keys; a human track with no review writes nothing, so
    catalogs from before provenance was recorded stay as they were."""
    source = None if track.source == HUMAN else track.source
    return [("source", source), ("reviewed_by", track.reviewed_by),
            ("reviewed_on", track.reviewed_on)]


def needs_review(track: CaptionTrack) -> bool:
    """A machine draft nobody has checked yet."""
    return track.source == MACHINE


def unchecked_only(webcast: Webcast) -> bool:
    """Every caption track of the webcast is an unchecked machine draft."""
    return bool(webcast.captions) and all(needs_review(t) for t in webcast.captions)


def is_public(webcast: Webcast, publish_unreviewed: bool) -> bool:
    """Shown on the site, in search, lists, feeds and the sitemap? A webcast whose only
    captions are unchecked machine drafts is held back when the setting says so."""
    return publish_unreviewed or not unchecked_only(webcast)


def provenance_json(webcast: Webcast) -> dict[str, Any]:
    """The caption tracks' provenance and the medical review, for `list --json`."""
    return {
        "captions": [
            {"lang": t.lang, "source": t.source, "reviewed_by": t.reviewed_by,
             "reviewed_on": t.reviewed_on}
            for t in webcast.captions
        ],
        "medical_review": webcast.medical_review.as_dict() if webcast.medical_review else None,
    }


@dataclass(frozen=True)
class ReviewDue:
    """A machine caption track waiting for a person to check it."""

    slug: str
    title: str
    lang: str
    since: str  # when the draft was made: the webcast's caption file's date, YYYY-MM-DD


def review_queue(webcasts: Iterable[Webcast], made_on: Callable[[Webcast, CaptionTrack], str]
                 ) -> list[ReviewDue]:
    """Machine tracks not yet reviewed, oldest draft first (then by slug and language)."""
    queue = [
        ReviewDue(w.slug, w.title, t.lang, made_on(w, t))
        for w in webcasts for t in w.captions if needs_review(t)
    ]
    return sorted(queue, key=lambda due: (due.since, due.slug, due.lang))


def overdue_reviews(webcasts: Iterable[Webcast], today: str) -> list[Webcast]:
    """Webcasts whose medical review is past its `next` date."""
    return [w for w in webcasts if w.medical_review and w.medical_review.next < today]
