"""catalog.yaml <-> typed objects: validation naming the line, and round-trip edits."""

from __future__ import annotations

from pathlib import Path

import pytest

from medialib.catalog import CaptionTrack, Catalog, CatalogError, MediaFile, Webcast
from medialib.chapters import Chapter

HAND_WRITTEN = """\
# Our library. Edited by hand and by medialib.
library:
  title: Test library   # shown in the header

speakers:
  # Keep alphabetical.
  nancy-lin: {name: Nancy Lin, credentials: MD}

topics:
  brain-metastases:
    name: Brain metastases
    synonyms: [brain mets]   # what patients type

series: {}

webcasts:
  # The first talk we recorded.
  first-talk:
    title: "First talk"
    kind: video
    speakers: [nancy-lin]
    topics: [brain-metastases]
    media: {file: video.mp4, type: video/mp4}   # rendered by demo
    chapters:
      - {start: 0, title: "Welcome"}
    resources:
      - title: NCI
        url: https://www.cancer.gov

  second-talk:
    title: Second talk
    media: {file: video.mp4}
"""


def new_webcast(slug: str, title: str = "A new talk") -> Webcast:
    return Webcast(
        slug=slug, title=title, kind="video", speakers=("nancy-lin",),
        media=MediaFile(file="video.mp4", type="video/mp4", duration=12.5, size=1000,
                        checksum="blake3:" + "ab" * 32, width=640, height=360, video_codec="h264",
                        audio_codec="aac"),
        poster="poster.jpg", poster_checksum="blake3:" + "cd" * 32,
        captions=(CaptionTrack("en", "captions.en.vtt", "English", "blake3:" + "ef" * 32),),
        chapters=(Chapter(0, "Start"), Chapter(5.25, "Middle: the details")),
    )


@pytest.fixture
def catalog(tmp_path: Path) -> Catalog:
    path = tmp_path / "catalog.yaml"
    path.write_text(HAND_WRITTEN, encoding="utf-8")
    return Catalog.load(path)


def test_adding_a_webcast_keeps_every_other_byte(catalog: Catalog) -> None:
    catalog.put_webcast(new_webcast("third-talk"))
    catalog.save()
    text = catalog.path.read_text(encoding="utf-8")
    assert text.startswith(HAND_WRITTEN.rstrip("\n"))
    again = Catalog.load(catalog.path)
    assert list(again.webcasts) == ["first-talk", "second-talk", "third-talk"]
    assert again.webcasts["third-talk"] == new_webcast("third-talk")


def test_replacing_keeps_place_comments_and_hand_added_keys(catalog: Catalog) -> None:
    replacement = new_webcast("first-talk", "First talk, revised")
    catalog.put_webcast(replacement)
    text = catalog.dump()
    assert "# The first talk we recorded." in text
    assert "# Keep alphabetical." in text and "# what patients type" in text
    assert text.index("first-talk:") < text.index("second-talk:")
    assert "second-talk:\n    title: Second talk\n    media: {file: video.mp4}\n" in text
    loaded = Catalog.from_text(text, catalog.path)
    assert loaded.webcasts["first-talk"].title == "First talk, revised"
    assert loaded.webcasts["first-talk"].resources == ()  # the replacement says so


def test_remove_and_ensure(catalog: Catalog) -> None:
    catalog.remove_webcast("second-talk")
    speaker, added = catalog.ensure_speaker("Nancy Lin, MD")
    assert (speaker.id, added) == ("nancy-lin", False)
    speaker, added = catalog.ensure_speaker("Steve O'Neill, LICSW, BCD, JD")
    assert (speaker.id, speaker.credentials, added) == ("steve-oneill", "LICSW, BCD, JD", True)
    topic, added = catalog.ensure_topic("Chemo Brain")
    assert (topic.id, topic.name, added) == ("chemo-brain", "Chemo brain", True)
    series, added = catalog.ensure_series("brain")
    assert (series.id, series.title, added) == ("brain", "Brain", True)
    assert catalog.ensure_series("brain")[1] is False
    loaded = Catalog.from_text(catalog.dump(), catalog.path)
    assert set(loaded.webcasts) == {"first-talk"}
    assert {"steve-oneill", "nancy-lin"} == set(loaded.speakers)
    assert "chemo-brain" in loaded.topics and "brain" in loaded.series
    with pytest.raises(CatalogError, match="no webcast 'gone'"):
        catalog.remove_webcast("gone")


@pytest.mark.parametrize("edit, message, line", [
    (("speakers: [nancy-lin]", "speakers: [someone-else]"), "unknown speaker 'someone-else'", 21),
    (('title: "First talk"', "title: [First, talk]"), "`title` must be text", 20),
    (("kind: video", "kind: movie"), "`kind` must be video or audio", 21),
    (("- {start: 0, title: \"Welcome\"}", "- {start: 0, title: \"Welcome\"}\n      "
      "- {start: 0, title: Again}"), "chapter times must increase", 26),
    (("media: {file: video.mp4}\n", "media: {file: ../../etc/passwd}\n"),
     "plain names inside media/second-talk/", 31),
    (("first-talk:", "first-talk: [oops"), "not valid YAML", 19),
])
def test_errors_name_the_file_and_line(tmp_path: Path, edit: tuple[str, str], message: str,
                                       line: int) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_text(HAND_WRITTEN.replace(*edit), encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        Catalog.load(path)
    assert message in info.value.message
    assert info.value.path == str(path)
    assert info.value.line is not None and abs(info.value.line - line) <= 2
    assert str(info.value).startswith(f"{path}:{info.value.line}: ")


def test_slugs_from_names_and_titles() -> None:
    from medialib.catalog import slugify

    assert slugify("Steve O’Neill") == slugify("Steve O'Neill") == "steve-oneill"
    assert slugify("Don't panic: Part 2 — Q&A") == "dont-panic-part-2-q-a"
    assert slugify("Café Résumé") == "cafe-resume"


def test_missing_catalog(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="medialib init"):
        Catalog.load(tmp_path / "catalog.yaml")


def test_sample_catalog_round_trips_unchanged(fresh_library: Path) -> None:
    path = fresh_library / "catalog.yaml"
    original = path.read_text(encoding="utf-8")
    catalog = Catalog.load(path)
    assert catalog.dump() == original
    assert len(catalog.webcasts) >= 7
