"""`medialib ingest` end to end over real ffmpeg: each input kind, caption quirk and chapter source.

Each test ingests into a fresh library made by `medialib init`, then reads what was published the
way the site does (database, index, transcript file) and runs `medialib check`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from sqlalchemy import select

from medialib import models as m
from medialib.catalog import Catalog
from medialib.config import Settings
from medialib.ingest.steps import STEPS
from medialib.library import Library
from medialib.media import file_checksum, probe
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


def published(root: Path, slug: str, database_url: str | None = None) -> m.Webcast:
    """The webcast's rows as the site reads them (relationships loaded)."""
    lib = Library(Settings(library=root, database_url=database_url))
    try:
        with lib.sessions() as session:
            row = session.scalars(select(m.Webcast).where(m.Webcast.slug == slug)).one()
            for track in row.caption_tracks:
                list(track.cues)
            list(row.chapters), list(row.speaker_links), list(row.media_files)
            return row
    finally:
        lib.close()


def cues_of(root: Path, slug: str, lang: str = "en",
            database_url: str | None = None) -> list[tuple[str, str | None]]:
    row = published(root, slug, database_url)
    track = next(t for t in row.caption_tracks if t.lang == lang)
    return [(c.text, c.speaker) for c in track.cues]


def assert_checks(root: Path, database_url: str | None = None) -> None:
    result = cli(root, "check", database_url=database_url)
    assert result.exit_code == 0, result.output + result.stderr


# ---- input kinds -----------------------------------------------------------------------------



@pytest.mark.parametrize(
    "fixture, kind, action, output, size",
    [
        ("tiny_video", "video", "remux", "video.mp4", (160, 120)),
        ("tiny_mov", "video", "remux", "video.mp4", (160, 120)),
        ("tiny_mkv_with_subs", "video", "remux", "video.mp4", (160, 120)),
        ("tiny_vp9", "video", "transcode", "video.mp4", (174, 98)),  # 175x99: even, same aspect
        ("tiny_avi", "video", "transcode", "video.mp4", (160, 120)),
        ("tiny_audio_mp3", "audio", "transcode", "audio.m4a", None),
        ("tiny_wav", "audio", "transcode", "audio.m4a", None),
        ("tiny_flac", "audio", "transcode", "audio.m4a", None),
        ("tiny_m4a", "audio", "remux", "audio.m4a", None),
    ],
)
def test_each_input_kind_becomes_web_ready(
    request: pytest.FixtureRequest, library: Path, tmp_path: Path,
    fixture: str, kind: str, action: str, output: str, size: tuple[int, int] | None,
) -> None:
    source = request.getfixturevalue(fixture)
    captions = write(tmp_path / "talk.srt", SRT)
    result = cli(library, "ingest", source, "--title", "Managing fatigue", "--captions", captions,
                 "--speaker", "Jane Doe, RN", "--topic", "Fatigue")
    assert result.exit_code == 0, result.output + result.stderr
    # Staff see each step, a progress bar with its percentage, and the new topic named.
    steps = [line.split()[0] for line in result.stderr.splitlines() if line.startswith("  ")
             and line.split() and line.split()[0] in STEPS]
    assert steps == list(STEPS)
    assert f"{action}: 100%|" in result.stderr
    assert "adding topic 'fatigue'" in result.stderr
    for needle in ("Published 'Managing fatigue'", "duration   00:02",
                   "remuxed" if action == "remux" else "transcoded", "AAC", "cues       en 2",
                   "speakers   Jane Doe, RN", "URL        /webcasts/managing-fatigue"):
        assert needle in result.output
    folder = library / "media" / "managing-fatigue"
    out = probe(folder / output)
    assert out.audio is not None and out.audio.codec == "aac"
    if size is not None:
        assert out.video is not None and out.video.codec == "h264"
        assert (out.video.pix_fmt, (out.video.width, out.video.height)) == ("yuv420p", size)
    else:
        assert out.video is None
    assert (folder / "poster.jpg").stat().st_size > 0  # a frame, or a title card for audio
    entry = Catalog.load(library / "catalog.yaml").webcasts["managing-fatigue"]
    assert (entry.kind, entry.media.file) == (kind, output)
    assert entry.media.checksum and entry.poster_checksum and entry.captions[0].checksum
    assert entry.media.checksum == file_checksum(folder / output)
    assert cues_of(library, "managing-fatigue")[0] == ("Welcome to the webcast on fatigue.", None)
    assert not (library / ".staging").exists()
    assert_checks(library)


def test_voice_spans_series_and_a_webvtt_chapters_file(
    library: Path, tiny_video: Path, tmp_path: Path
) -> None:
    vtt = write(tmp_path / "talk.vtt", "WEBVTT\n\n00:00.100 --> 00:00.900\n"
                "<v Nancy Lin>Hello and welcome.\n\n00:01.000 --> 00:01.800\n"
                "<v.moderator Erica Mayer>Thank you, Nancy.\n")
    chapters = write(tmp_path / "chapters.vtt", "WEBVTT\n\n00:00.000 --> 00:01.000\nWelcome\n\n"
                     "00:01.000 --> 00:02.000\nQuestions\n")
    result = cli(library, "ingest", tiny_video, "--title", "Brain metastases, part 1",
                 "--captions", vtt, "--chapters", chapters, "--speaker", "Nancy Lin, MD",
                 "--speaker", "Erica Mayer, MD, MPH", "--series", "brain", "--recorded",
                 "2024-01-23", "--summary", "An overview.")
    assert result.exit_code == 0, result.stderr
    catalog = Catalog.load(library / "catalog.yaml")
    w = catalog.webcasts["brain-metastases-part-1"]
    assert w.speakers == ("nancy-lin", "erica-mayer")
    assert catalog.speakers["erica-mayer"].credentials == "MD, MPH"
    assert (w.series, w.part, w.recorded, w.summary) == ("brain", 1, "2024-01-23", "An overview.")
    assert cues_of(library, w.slug) == [("Hello and welcome.", "Nancy Lin"),
                                        ("Thank you, Nancy.", "Erica Mayer")]
    row = published(library, w.slug)
    assert [(c.start, c.end, c.title) for c in row.chapters] == [
        (0, 1, "Welcome"), (1, pytest.approx(2, abs=0.1), "Questions")]
    text = (library / "transcripts" / f"{w.slug}.en.txt").read_text()
    assert "Nancy Lin: Hello and welcome." in text and "Erica Mayer: Thank you" in text
    assert "Speakers: Nancy Lin, MD; Erica Mayer, MD, MPH" in text
    assert "## Welcome [00:00]" in text and "## Questions [00:01]" in text
    assert_checks(library)


# ---- caption quirks, one ingest with one language each ---------------------------------------

CP1252 = "1\n00:00:00,100 --> 00:00:00,900\nCaf\xe9 and r\xe9sum\xe9 \x93quoted\x94.\n"
QUIRKS = {
    # lang: (file name, bytes, the cues as published: (text, speaker))
    "en": ("crlf.srt", SRT.replace("\n", "\r\n").encode(),
           [("Welcome to the webcast on fatigue.", None),
            ("Rest & gentle exercise both help.", None)]),
    "fr": ("legacy-cp1252.srt", CP1252.encode("latin-1"), [("Café and résumé “quoted”.", None)]),
    "de": ("utf16.vtt", "WEBVTT\n\n00:00.100 --> 00:00.900\nÜber die Behandlung\n"
           .encode("utf-16"), [("Über die Behandlung", None)]),
    "es": ("bom.vtt", b"\xef\xbb\xbfWEBVTT\n\n00:00.100 --> 00:00.900\nCon BOM\n",
           [("Con BOM", None)]),
    "it": ("markup.vtt", (b"WEBVTT - styled\n\nSTYLE\n::cue { color: yellow }\n\nNOTE a note\n\n"
                          b"REGION\nid:r1\n\n00:00.100 --> 00:00.900 align:start line:10%\n"
                          b"{\\an8}<b>Bold</b> <c.yellow>and</c> &lt;tags&gt; &amp; more\n"),
           [("Bold and <tags> & more", None)]),
    "pt": ("zoom.vtt", (b"WEBVTT\r\n\r\n1\r\n00:00:00.100 --> 00:00:00.900\r\n"
                        b"Nancy Lin: Good evening, everyone.\r\n\r\n2\r\n"
                        b"00:00:01.000 --> 00:00:01.800\r\nSteve O'Neill: Thank you.\r\n"),
           [("Good evening, everyone.", "Nancy Lin"), ("Thank you.", "Steve O'Neill")]),
    "pl": ("auto.vtt", (b"WEBVTT\nKind: captions\nLanguage: en\n\n"
                        b"00:00:00.000 --> 00:00:00.500 align:start position:0%\n"
                        b"radiation<00:00:00.200><c> can</c><00:00:00.300><c> help</c>\n\n"
                        b"00:00:00.500 --> 00:00:01.000 align:start position:0%\n"
                        b"radiation can help\nwith<00:00:00.700><c> bone</c>"
                        b"<00:00:00.800><c> pain</c>\n\n"
                        b"00:00:01.000 --> 00:00:01.500 align:start position:0%\n"
                        b"with bone pain\nand<00:00:01.200><c> more</c>\n"), None),
}


def test_each_caption_quirk_end_to_end(library: Path, tiny_video: Path, tmp_path: Path) -> None:
    """SRT with CRLF, Windows-1252, UTF-16, a BOM, markup and blocks, Zoom labels, rolling."""
    args: list[str | Path] = []
    for lang, (name, data, _) in QUIRKS.items():
        (tmp_path / name).write_bytes(data)
        args += ["--captions", f"{tmp_path / name}:{lang}"]
    result = cli(library, "ingest", tiny_video, "--title", "Quirks", *args)
    assert result.exit_code == 0, result.stderr
    for lang, (_, _, expected) in QUIRKS.items():
        stored = (library / "media" / "quirks" / f"captions.{lang}.vtt").read_bytes()
        assert stored.startswith(b"WEBVTT\n") and b"\r" not in stored  # UTF-8, LF, plain
        assert (library / "transcripts" / f"quirks.{lang}.txt").exists()
        if expected is not None:
            assert cues_of(library, "quirks", lang) == expected, lang
    rolling = " ".join(text for text, _ in cues_of(library, "quirks", "pl"))
    assert rolling == "radiation can help with bone pain and more"  # every line once
    labels = {c.lang: c.label for c in Catalog.load(library / "catalog.yaml").webcasts[
        "quirks"].captions}
    assert (labels["en"], labels["es"]) == ("English", "Español")
    assert_checks(library)


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


def test_chapters_from_pasted_lines(library: Path, tiny_video: Path, tmp_path: Path) -> None:
    path = write(tmp_path / "chapters.txt", "0:00 Welcome\n\n00:01 - Questions and answers\n")
    result = cli(library, "ingest", tiny_video, "--title", "Chaptered", "--chapters", path,
                 "--captions", write(tmp_path / "c.srt", SRT))
    assert result.exit_code == 0, result.stderr
    assert "chapters   2 from" in result.stderr
    row = published(library, "chaptered")
    assert [(c.start, c.title) for c in row.chapters] == [(0, "Welcome"),
                                                          (1, "Questions and answers")]
    assert "## Questions and answers [00:01]" in (
        library / "transcripts" / "chaptered.en.txt").read_text()
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


def test_reingest_replaces_cleanly(
    library: Path, tiny_video: Path, tiny_vp9: Path, tmp_path: Path, database_url: str | None
) -> None:
    first = write(tmp_path / "a.srt", SRT)
    chapters = write(tmp_path / "chapters.txt", "0:00 Welcome\n0:01 Questions\n")
    assert cli(library, "ingest", tiny_video, "--title", "Fatigue", "--captions", first,
               "--chapters", chapters, "--speaker", "Jane Doe, RN", "--topic", "fatigue",
               "--summary", "Kept.", database_url=database_url).exit_code == 0
    original = Catalog.load(library / "catalog.yaml").webcasts["fatigue"]
    again = cli(library, "ingest", tiny_vp9, "--title", "Fatigue", database_url=database_url)
    assert again.exit_code == 1 and "--slug fatigue" in again.stderr  # never by accident
    # A new recording only: captions, chapters and the entry's other fields carry over.
    result = cli(library, "ingest", tiny_vp9, "--title", "Fatigue", "--slug", "fatigue",
                 database_url=database_url)
    assert result.exit_code == 0, result.stderr
    assert "Replaced" in result.output and "keeping its 1 caption track(s)" in result.stderr
    kept = Catalog.load(library / "catalog.yaml").webcasts["fatigue"]
    assert kept.media.checksum != original.media.checksum
    assert (kept.captions, kept.chapters, kept.speakers, kept.topics, kept.summary) == (
        original.captions, original.chapters, original.speakers, original.topics, "Kept.")
    # New captions: the old cues are gone from the database and the index.
    second = write(tmp_path / "b.srt", "1\n00:00:00,100 --> 00:00:00,900\nNew fatigue words.\n")
    result = cli(library, "ingest", tiny_video, "--title", "Fatigue, revised", "--slug",
                 "fatigue", "--captions", f"{second}:en", database_url=database_url)
    assert result.exit_code == 0, result.stderr
    assert list(Catalog.load(library / "catalog.yaml").webcasts) == ["fatigue"]
    assert cues_of(library, "fatigue", database_url=database_url) == [("New fatigue words.", None)]
    found = json.loads(
        cli(library, "search", "rest exercise", "--json", database_url=database_url).output)
    assert found["results"] == []
    found = json.loads(
        cli(library, "search", "fatigue words", "--json", database_url=database_url).output)
    assert [(r["slug"], len(r["hits"])) for r in found["results"]] == [("fatigue", 1)]
    assert_checks(library, database_url)


def test_remove_deletes_everything(
    library: Path, tiny_video: Path, tmp_path: Path, database_url: str | None
) -> None:
    empty = tree_digest(library)
    captions = write(tmp_path / "a.srt", SRT)
    assert cli(library, "ingest", tiny_video, "--title", "Gone soon", "--captions",
               captions, database_url=database_url).exit_code == 0
    result = cli(library, "remove", "gone-soon", database_url=database_url)
    assert result.exit_code == 0, result.stderr
    assert not (library / "media" / "gone-soon").exists()
    assert not (library / "transcripts" / "gone-soon.en.txt").exists()
    assert "gone-soon" not in Catalog.load(library / "catalog.yaml").webcasts
    lib = Library(Settings(library=library, database_url=database_url))
    try:
        assert "gone-soon" not in lib.index.slugs()
        with lib.sessions() as session:
            assert session.get(m.Webcast, "gone-soon") is None
    finally:
        lib.close()
    assert_checks(library, database_url)
    after = tree_digest(library)
    library_files = {p for p in after if not p.startswith("instance/")}
    assert library_files == {p for p in empty if not p.startswith("instance/")}
    missing = cli(library, "remove", "gone-soon", database_url=database_url)
    assert missing.exit_code == 1 and "no webcast 'gone-soon'" in missing.stderr


def test_a_running_site_sees_added_replaced_and_removed(
    make_app, library: Path, tiny_video: Path, tmp_path: Path, database_url: str | None
) -> None:
    """The web app's Library, made (and its index opened) before the ingest, follows it."""
    cli(library, "reindex", database_url=database_url)
    app = make_app(Settings(library=library, database_url=database_url))
    site: Library = app.extensions["medialib"]

    def visible() -> tuple[list[str], dict[str, int]]:
        """Titles in the database and documents per slug in the index, as the site sees them."""
        with site.sessions() as session:
            rows = list(session.scalars(select(m.Webcast.title)))
        return rows, site.index.slugs()

    assert visible() == ([], {})
    captions = write(tmp_path / "a.srt", SRT)
    assert cli(library, "ingest", tiny_video, "--title", "Live", "--captions",
               captions, database_url=database_url).exit_code == 0
    titles, documents = visible()
    assert titles == ["Live"] and list(documents) == ["live"]
    assert cli(library, "ingest", tiny_video, "--title", "Live again", "--slug", "live",
               "--captions", captions, database_url=database_url).exit_code == 0
    assert visible() == (["Live again"], documents)  # replaced: no duplicate documents
    assert cli(library, "remove", "live", database_url=database_url).exit_code == 0
    assert visible() == ([], {})


def test_ingest_into_the_sample_library(fresh_library: Path, tiny_video: Path,
                                        tmp_path: Path) -> None:
    """A new webcast joins an existing catalog; other entries and comments are untouched."""
    before = (fresh_library / "catalog.yaml").read_text()
    captions = write(tmp_path / "a.srt", SRT)
    result = cli(fresh_library, "ingest", tiny_video, "--title", "Managing fatigue",
                 "--captions", captions, "--speaker", "Nancy Lin, MD", "--speaker",
                 "Erica Mayer, MD", "--topic", "living-with-mbc")
    assert result.exit_code == 0, result.stderr
    assert "speaker 'erica-mayer' is in catalog.yaml as 'Erica Mayer, MD, MPH'" in result.stderr
    after = (fresh_library / "catalog.yaml").read_text()
    assert after.startswith(before.rstrip("\n"))  # appended: every byte before it kept
    assert "new " not in result.output  # Nancy Lin and the topic already exist
    assert_checks_except_sample_media(fresh_library)


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


def assert_checks_except_sample_media(root: Path) -> None:
    """check finds nothing wrong with the new webcast (the copied sample has no media or index)."""
    result = cli(root, "check")
    problems = [line for line in result.stderr.splitlines() if line.startswith("problem: ")]
    assert problems and not [line for line in problems if "managing-fatigue" in line]
