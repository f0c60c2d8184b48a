"""`medialib ingest` end to end over real ffmpeg: each input kind, caption quirk and chapter source.

Each test ingests into a fresh library made by `medialib init`, then reads what was published the
way the site does (database, index, transcript file) and runs `medialib check`.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from medialib import models as m
from medialib.catalog import Catalog
from medialib.config import Settings
from medialib.library import Library
from medialib.media import probe
from tests.ingest_support import cli, tree_digest

SRT = (
    "1\n00:00:00,100 --> 00:00:00,900\nWelcome to the <i>webcast</i> on fatigue.\n\n"
    "2\n00:00:01,000 --> 00:00:01,800\nRest &amp; gentle exercise both help.\n"
)


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """An empty library made by `medialib init`."""
    root = tmp_path / "library"
    result = cli(root, "init", root)
    assert result.exit_code == 0, result.output
    return root


def write(path: Path, text: str, encoding: str = "utf-8", newline: str = "\n") -> Path:
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    return path


def published(root: Path, slug: str) -> m.Webcast:
    """The webcast's rows as the site reads them (relationships loaded)."""
    lib = Library(Settings(library=root))
    try:
        with lib.sessions() as session:
            row = session.scalars(select(m.Webcast).where(m.Webcast.slug == slug)).one()
            for track in row.caption_tracks:
                list(track.cues)
            list(row.chapters), list(row.speaker_links), list(row.media_files)
            return row
    finally:
        lib.close()


def cues_of(root: Path, slug: str, lang: str = "en") -> list[tuple[str, str | None]]:
    row = published(root, slug)
    track = next(t for t in row.caption_tracks if t.lang == lang)
    return [(c.text, c.speaker) for c in track.cues]


def assert_checks(root: Path) -> None:
    result = cli(root, "check")
    assert result.exit_code == 0, result.output + result.stderr


# ---- input kinds -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fixture, kind, action, output",
    [
        ("tiny_video", "video", "remux", "video.mp4"),
        ("tiny_mov", "video", "remux", "video.mp4"),
        ("tiny_mkv_with_subs", "video", "remux", "video.mp4"),
        ("tiny_vp9", "video", "transcode", "video.mp4"),
        ("tiny_avi", "video", "transcode", "video.mp4"),
        ("tiny_audio_mp3", "audio", "transcode", "audio.m4a"),
        ("tiny_wav", "audio", "transcode", "audio.m4a"),
        ("tiny_flac", "audio", "transcode", "audio.m4a"),
        ("tiny_m4a", "audio", "remux", "audio.m4a"),
    ],
)
def test_each_input_kind_becomes_web_ready(
    request: pytest.FixtureRequest, library: Path, tmp_path: Path,
    fixture: str, kind: str, action: str, output: str,
) -> None:
    source = request.getfixturevalue(fixture)
    captions = write(tmp_path / "talk.srt", SRT)
    result = cli(library, "ingest", source, "--title", "Managing fatigue", "--captions", captions,
                 "--speaker", "Jane Doe, RN", "--topic", "fatigue")
    assert result.exit_code == 0, result.output + result.stderr
    assert ("remuxed" if action == "remux" else "transcoded") in result.output
    folder = library / "media" / "managing-fatigue"
    out = probe(folder / output)
    assert out.audio is not None and out.audio.codec == "aac"
    if kind == "video":
        assert out.video is not None and out.video.codec == "h264"
        assert out.video.pix_fmt == "yuv420p"
        assert out.video.width % 2 == 0 and out.video.height % 2 == 0
    else:
        assert out.video is None
    assert (folder / "poster.jpg").stat().st_size > 0
    entry = Catalog.load(library / "catalog.yaml").webcasts["managing-fatigue"]
    assert (entry.kind, entry.media.file) == (kind, output)
    assert entry.media.sha256 and entry.poster_sha256 and entry.captions[0].sha256
    assert cues_of(library, "managing-fatigue")[0] == ("Welcome to the webcast on fatigue.", None)
    assert not (library / ".staging").exists()
    assert_checks(library)


def test_vp9_transcode_keeps_aspect_with_even_dimensions(library: Path, tiny_vp9: Path) -> None:
    result = cli(library, "ingest", tiny_vp9, "--title", "Odd size")
    assert result.exit_code == 0, result.stderr
    out = probe(library / "media" / "odd-size" / "video.mp4")
    assert out.video is not None
    assert (out.video.width, out.video.height) == (174, 98)  # 175x99, rounded down to even


def test_progress_steps_and_summary(library: Path, tiny_vp9: Path, tmp_path: Path) -> None:
    captions = write(tmp_path / "talk.srt", SRT)
    result = cli(library, "ingest", tiny_vp9, "--title", "Managing fatigue", "--captions",
                 captions, "--speaker", "Jane Doe, RN", "--topic", "Fatigue")
    assert result.exit_code == 0, result.stderr
    steps = [line.split()[0] for line in result.stderr.splitlines()
             if line.startswith("  ") and not line.startswith("  note")
             and "%|" not in line and line.split()]
    for step in ("probe", "normalize", "poster", "captions", "chapters", "transcript",
                 "catalog", "database", "index"):
        assert step in steps
    assert "%|" in result.stderr  # the tqdm bar with its percentage
    assert "topic 'fatigue'" in result.stderr  # the new topic is named
    summary = result.output
    for needle in ("Published 'Managing fatigue'", "duration", "H.264", "AAC", "en 2",
                   "Jane Doe, RN", "chapters   0", "/webcasts/managing-fatigue"):
        assert needle in summary


def test_transcript_speakers_and_series(library: Path, tiny_video: Path, tmp_path: Path) -> None:
    vtt = write(tmp_path / "talk.vtt", "WEBVTT\n\n00:00.100 --> 00:00.900\n"
                "<v Nancy Lin>Hello and welcome.\n\n00:01.000 --> 00:01.800\n"
                "<v.moderator Erica Mayer>Thank you, Nancy.\n")
    result = cli(library, "ingest", tiny_video, "--title", "Brain metastases, part 1",
                 "--captions", vtt, "--speaker", "Nancy Lin, MD", "--speaker",
                 "Erica Mayer, MD, MPH", "--series", "brain", "--recorded", "2024-01-23",
                 "--summary", "An overview.")
    assert result.exit_code == 0, result.stderr
    catalog = Catalog.load(library / "catalog.yaml")
    w = catalog.webcasts["brain-metastases-part-1"]
    assert w.speakers == ("nancy-lin", "erica-mayer")
    assert catalog.speakers["erica-mayer"].credentials == "MD, MPH"
    assert (w.series, w.part, w.recorded, w.summary) == ("brain", 1, "2024-01-23", "An overview.")
    assert cues_of(library, w.slug) == [("Hello and welcome.", "Nancy Lin"),
                                        ("Thank you, Nancy.", "Erica Mayer")]
    text = (library / "transcripts" / f"{w.slug}.en.txt").read_text()
    assert "Nancy Lin: Hello and welcome." in text and "Erica Mayer: Thank you" in text
    assert "Speakers: Nancy Lin, MD; Erica Mayer, MD, MPH" in text
    assert_checks(library)


# ---- caption quirks --------------------------------------------------------------------------


CP1252 = "1\n00:00:00,100 --> 00:00:00,900\nCaf\xe9 and r\xe9sum\xe9 \x93quoted\x94.\n"


@pytest.mark.parametrize(
    "name, data, expected",
    [
        ("crlf.srt", SRT.replace("\n", "\r\n").encode(), "Welcome to the webcast on fatigue."),
        ("legacy.srt", CP1252.encode("latin-1"), "Café and résumé “quoted”."),
        ("utf16.vtt", ("WEBVTT\n\n00:00.100 --> 00:00.900\nÜber die Behandlung\n")
         .encode("utf-16"), "Über die Behandlung"),
        ("bom.vtt", b"\xef\xbb\xbfWEBVTT\n\n00:00.100 --> 00:00.900\nWith a BOM\n", "With a BOM"),
        ("markup.vtt", (b"WEBVTT - styled\n\nSTYLE\n::cue { color: yellow }\n\nNOTE a comment\n\n"
                        b"REGION\nid:r1\n\n00:00.100 --> 00:00.900 align:start line:10%\n"
                        b"{\\an8}<b>Bold</b> <c.yellow>and</c> &lt;tags&gt; &amp; more\n"),
         "Bold and <tags> & more"),
    ],
)
def test_caption_encodings_and_markup(
    library: Path, tiny_video: Path, tmp_path: Path, name: str, data: bytes, expected: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    result = cli(library, "ingest", tiny_video, "--title", "Quirks", "--captions", f"{path}:en")
    assert result.exit_code == 0, result.stderr
    assert cues_of(library, "quirks")[0][0] == expected
    stored = (library / "media" / "quirks" / "captions.en.vtt").read_text(encoding="utf-8")
    assert stored.startswith("WEBVTT\n")  # normalized: UTF-8, LF, a plain header
    assert_checks(library)


def test_zoom_speaker_labels(library: Path, tiny_video: Path, tmp_path: Path) -> None:
    vtt = write(tmp_path / "zoom.vtt", "WEBVTT\n\n1\n00:00:00.100 --> 00:00:00.900\n"
                "Nancy Lin: Good evening, everyone.\n\n2\n00:00:01.000 --> 00:00:01.800\n"
                "Steve O'Neill: Thank you for having me.\n", newline="\r\n")
    assert cli(library, "ingest", tiny_video, "--title", "Zoom", "--captions", vtt).exit_code == 0
    assert cues_of(library, "zoom") == [("Good evening, everyone.", "Nancy Lin"),
                                        ("Thank you for having me.", "Steve O'Neill")]
    transcript = (library / "transcripts" / "zoom.en.txt").read_text()
    assert "Steve O'Neill: Thank you for having me." in transcript


def test_rolling_auto_captions_collapse(library: Path, tiny_video: Path, tmp_path: Path) -> None:
    vtt = write(tmp_path / "auto.vtt", (
        "WEBVTT\nKind: captions\nLanguage: en\n\n"
        "00:00:00.000 --> 00:00:00.500 align:start position:0%\n"
        "radiation<00:00:00.200><c> can</c><00:00:00.300><c> help</c>\n\n"
        "00:00:00.500 --> 00:00:01.000 align:start position:0%\n"
        "radiation can help\nwith<00:00:00.700><c> bone</c><00:00:00.800><c> pain</c>\n\n"
        "00:00:01.000 --> 00:00:01.500 align:start position:0%\n"
        "with bone pain\nand<00:00:01.200><c> more</c>\n"))
    assert cli(library, "ingest", tiny_video, "--title", "Auto", "--captions", vtt).exit_code == 0
    texts = [text for text, _ in cues_of(library, "auto")]
    assert " ".join(texts) == "radiation can help with bone pain and more"


@pytest.mark.parametrize("fixture, lang", [("tiny_mkv_with_subs", "en"),
                                           ("tiny_mp4_with_subs", "fr")])
def test_embedded_subtitles_and_chapters_when_no_files(
    request: pytest.FixtureRequest, library: Path, fixture: str, lang: str
) -> None:
    result = cli(library, "ingest", request.getfixturevalue(fixture), "--title", "Embedded")
    assert result.exit_code == 0, result.stderr
    entry = Catalog.load(library / "catalog.yaml").webcasts["embedded"]
    assert [c.lang for c in entry.captions] == [lang]
    assert cues_of(library, "embedded", lang) == [
        ("Hello from the tiny video.", None), ("Second line, & the last.", None)]
    assert [(c.start, c.title) for c in entry.chapters] == [
        (0, "Opening"), (1, "Questions: and answers")]
    assert (library / "transcripts" / f"embedded.{lang}.txt").exists()
    assert_checks(library)


def test_several_languages(library: Path, tiny_video: Path, tmp_path: Path) -> None:
    en = write(tmp_path / "talk.srt", SRT)
    es = write(tmp_path / "charla.srt", "1\n00:00:00,100 --> 00:00:00,900\nBienvenidos.\n")
    result = cli(library, "ingest", tiny_video, "--title", "Both", "--captions", en,
                 "--captions", f"{es}:es")
    assert result.exit_code == 0, result.stderr
    entry = Catalog.load(library / "catalog.yaml").webcasts["both"]
    assert [(c.lang, c.label, c.file) for c in entry.captions] == [
        ("en", "English", "captions.en.vtt"), ("es", "Español", "captions.es.vtt")]
    assert cues_of(library, "both", "es") == [("Bienvenidos.", None)]
    assert (library / "transcripts" / "both.es.txt").exists()
    assert_checks(library)


# ---- chapters --------------------------------------------------------------------------------


@pytest.mark.parametrize("name, text", [
    ("chapters.vtt", "WEBVTT\n\n00:00.000 --> 00:01.000\nWelcome\n\n"
                     "00:01.000 --> 00:02.000\nQuestions\n"),
    ("chapters.txt", "0:00 Welcome\n00:01 - Questions\n"),
])
def test_chapters_from_a_file(library: Path, tiny_video: Path, tmp_path: Path,
                              name: str, text: str) -> None:
    path = write(tmp_path / name, text)
    result = cli(library, "ingest", tiny_video, "--title", "Chaptered", "--chapters", path,
                 "--captions", write(tmp_path / "c.srt", SRT))
    assert result.exit_code == 0, result.stderr
    row = published(library, "chaptered")
    assert [(c.start, c.end, c.title) for c in row.chapters] == [
        (0, 1, "Welcome"), (1, pytest.approx(2, abs=0.1), "Questions")]
    transcript = (library / "transcripts" / "chaptered.en.txt").read_text()
    assert "## Welcome [00:00]" in transcript and "## Questions [00:01]" in transcript
    assert_checks(library)


# ---- dry run, re-ingest, remove --------------------------------------------------------------


def test_dry_run_prints_the_plan_and_writes_nothing(
    library: Path, tiny_vp9: Path, tmp_path: Path
) -> None:
    before = tree_digest(library)
    result = cli(library, "ingest", tiny_vp9, "--title", "Planned", "--captions",
                 write(tmp_path / "c.srt", SRT), "--speaker", "Jane Doe, RN", "--dry-run")
    assert result.exit_code == 0, result.stderr
    for needle in ("Dry run", "transcode", "2 cues", "speaker 'jane-doe'", "planned:",
                   "title: Planned"):
        assert needle in result.output
    assert tree_digest(library) == before
    assert not (library / ".medialib.lock").exists()


def test_reingest_replaces_without_duplicates(
    library: Path, tiny_video: Path, tiny_vp9: Path, tmp_path: Path
) -> None:
    first = write(tmp_path / "a.srt", SRT)
    second = write(tmp_path / "b.srt", "1\n00:00:00,100 --> 00:00:00,900\nNew fatigue words.\n")
    assert cli(library, "ingest", tiny_video, "--title", "Fatigue", "--captions", first,
               "--summary", "Kept.").exit_code == 0
    again = cli(library, "ingest", tiny_vp9, "--title", "Fatigue", "--captions", first)
    assert again.exit_code == 1 and "--slug fatigue" in again.stderr  # never by accident
    result = cli(library, "ingest", tiny_vp9, "--title", "Fatigue, revised", "--slug", "fatigue",
                 "--captions", f"{second}:en")
    assert result.exit_code == 0, result.stderr
    assert "Replaced" in result.output
    catalog = Catalog.load(library / "catalog.yaml")
    assert list(catalog.webcasts) == ["fatigue"]
    assert catalog.webcasts["fatigue"].summary == "Kept."  # not given again: kept
    assert cues_of(library, "fatigue") == [("New fatigue words.", None)]
    lib = Library(Settings(library=library))
    try:
        assert lib.index.slugs() == {"fatigue": lib.index.slugs()["fatigue"]}
        found = json.loads(cli(library, "search", "fatigue", "--json").output)
        assert [r["slug"] for r in found["results"]] == ["fatigue"]
    finally:
        lib.close()
    assert_checks(library)


def test_remove_deletes_everything(library: Path, tiny_video: Path, tmp_path: Path) -> None:
    empty = tree_digest(library)
    captions = write(tmp_path / "a.srt", SRT)
    assert cli(library, "ingest", tiny_video, "--title", "Gone soon", "--captions",
               captions).exit_code == 0
    result = cli(library, "remove", "gone-soon")
    assert result.exit_code == 0, result.stderr
    assert not (library / "media" / "gone-soon").exists()
    assert not (library / "transcripts" / "gone-soon.en.txt").exists()
    assert "gone-soon" not in Catalog.load(library / "catalog.yaml").webcasts
    lib = Library(Settings(library=library))
    try:
        assert "gone-soon" not in lib.index.slugs()
        with lib.sessions() as session:
            assert session.get(m.Webcast, "gone-soon") is None
    finally:
        lib.close()
    assert_checks(library)
    after = tree_digest(library)
    library_files = {p for p in after if not p.startswith("instance/")}
    assert library_files == {p for p in empty if not p.startswith("instance/")}
    missing = cli(library, "remove", "gone-soon")
    assert missing.exit_code == 1 and "no webcast 'gone-soon'" in missing.stderr


@pytest.fixture
def running_site(library: Path):
    """The web app's Library, made (and its index opened) before any ingest."""
    from medialib.app import create_app

    cli(library, "reindex")
    app = create_app(Settings(library=library))
    lib: Library = app.extensions["medialib"]

    def visible() -> tuple[list[str], dict[str, int]]:
        """Titles in the database and documents per slug in the index, as the site sees them."""
        with lib.sessions() as session:
            rows = list(session.scalars(select(m.Webcast.title)))
        return rows, lib.index.slugs()

    assert visible() == ([], {})
    yield visible
    lib.close()


def test_a_running_site_sees_an_added_webcast(running_site, library: Path, tiny_video: Path,
                                              tmp_path: Path) -> None:
    captions = write(tmp_path / "a.srt", SRT)
    assert cli(library, "ingest", tiny_video, "--title", "Live", "--captions",
               captions).exit_code == 0
    titles, documents = running_site()
    assert titles == ["Live"] and list(documents) == ["live"]


def test_a_running_site_sees_replaced_and_removed(running_site, library: Path,
                                                  tiny_video: Path, tmp_path: Path) -> None:
    captions = write(tmp_path / "a.srt", SRT)
    assert cli(library, "ingest", tiny_video, "--title", "Live", "--captions",
               captions).exit_code == 0
    fresh = Library(Settings(library=library))
    expected_documents = fresh.index.slugs()
    fresh.close()
    running_site()
    assert cli(library, "ingest", tiny_video, "--title", "Live again", "--slug", "live",
               "--captions", captions).exit_code == 0
    assert running_site() == (["Live again"], expected_documents)  # no duplicate documents
    assert cli(library, "remove", "live").exit_code == 0
    assert running_site() == ([], {})


def test_ingest_into_the_sample_library(fresh_library: Path, tiny_video: Path,
                                        tmp_path: Path) -> None:
    """A new webcast joins an existing catalog; other entries and comments are untouched."""
    before = (fresh_library / "catalog.yaml").read_text()
    captions = write(tmp_path / "a.srt", SRT)
    result = cli(fresh_library, "ingest", tiny_video, "--title", "Managing fatigue",
                 "--captions", captions, "--speaker", "Nancy Lin, MD", "--topic",
                 "living-with-mbc")
    assert result.exit_code == 0, result.stderr
    after = (fresh_library / "catalog.yaml").read_text()
    assert after.startswith(before.rstrip("\n"))  # appended: every byte before it kept
    assert "new " not in result.output  # Nancy Lin and the topic already exist
    shutil.rmtree(fresh_library / "media" / "managing-fatigue")


def test_reingest_without_captions_keeps_them(library: Path, tiny_video: Path,
                                              tiny_vp9: Path, tmp_path: Path) -> None:
    """Replacing only the recording keeps the captions, chapters and entry fields it had."""
    chapters = write(tmp_path / "chapters.txt", "0:00 Welcome\n0:01 Questions\n")
    assert cli(library, "ingest", tiny_video, "--title", "Talk", "--captions",
               write(tmp_path / "a.srt", SRT), "--chapters", chapters, "--speaker",
               "Jane Doe, RN", "--topic", "fatigue").exit_code == 0
    before = Catalog.load(library / "catalog.yaml").webcasts["talk"]
    result = cli(library, "ingest", tiny_vp9, "--title", "Talk", "--slug", "talk")
    assert result.exit_code == 0, result.stderr
    assert "keeping its 1 caption track(s)" in result.stderr
    after = Catalog.load(library / "catalog.yaml").webcasts["talk"]
    assert after.media.sha256 != before.media.sha256
    assert (after.captions, after.chapters) == (before.captions, before.chapters)
    assert (after.speakers, after.topics) == (before.speakers, before.topics)
    assert len(cues_of(library, "talk")) == 2
    assert_checks(library)


def test_lock_names_its_holder(tmp_path: Path) -> None:
    from medialib.lock import LibraryBusy, LibraryLock, lock_holder

    assert lock_holder(tmp_path) is None
    with LibraryLock(tmp_path, "ingest"):
        holder = lock_holder(tmp_path)
        assert holder is not None and holder.startswith(f"ingest, process {os.getpid()}")
        with pytest.raises(LibraryBusy, match="another medialib command is changing"):
            LibraryLock(tmp_path, "remove").acquire()
    assert lock_holder(tmp_path) is None
    with LibraryLock(tmp_path, "remove"):  # released: free again
        pass
