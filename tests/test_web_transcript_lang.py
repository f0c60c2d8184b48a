"""The transcript's language on the player and transcript pages, and the downloads per language,
over the two-language library of tests/spanish_library.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from medialib.config import Settings
from medialib.web.transcript_lang import TranscriptLang, asked_lang, choose
from tests.spanish_library import (
    BILINGUAL,
    ENGLISH,
    ENGLISH_LINES,
    SPANISH,
    SPANISH_LINES,
)
from tests.test_web_pages import Elements, fetch

# ---- the rules ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("available", "asked", "page", "chosen"), [
    (["en", "es"], "es", "en", "es"),  # asked, and the webcast has it
    (["en", "es"], "ES", "en", "es"),  # written any case; the track's own code comes back
    (["en", "es"], "fr", "en", "en"),  # asked but missing: the page's language
    (["en", "es"], None, "es", "es"),  # nothing asked: the page's language
    (["en", "es"], "fr", "es", "es"),
    (["es"], None, "en", "es"),  # the page's language missing: the first track
    (["es", "en"], "de", "fr", "es"),
    (["en", "es-MX"], "es", "en", "es-MX"),  # a regional track answers for its language
    (["en", "es-MX", "es"], "es", "en", "es"),  # the exact one first
    (["en", "es-MX"], None, "es", "es-MX"),
    ([], "es", "es", None),  # no track at all
])
def test_the_transcript_language_rules(available, asked, page, chosen) -> None:
    assert choose(available, asked, page) == chosen


@pytest.mark.parametrize("value", [None, "", " ", "xx-", "../..", "es/../en", "<b>es</b>", "e",
                                   "es" + "-abc" * 10, "x" * 5000, "es\x00", "1234"])
def test_asked_lang_refuses_what_is_no_language_code(value) -> None:
    assert asked_lang(value) is None


def test_links_carry_lang_only_away_from_the_default() -> None:
    english_page = TranscriptLang.of(["en", "es"], "es", "en")
    assert (english_page.lang, english_page.arg, english_page.query) == ("es", "es", "&lang=es")
    assert [(link.lang, link.arg, link.current) for link in english_page.links] == [
        ("en", None, False), ("es", "es", True)]
    assert [link.label for link in english_page.links] == [
        "Transcript in English", "Transcripción en español"]
    plain = TranscriptLang.of(["en", "es"], None, "en")
    assert (plain.lang, plain.arg, plain.query) == ("en", None, "")
    assert TranscriptLang.of(["en"], "es", "en").links == []  # one language: nothing to choose


# ---- the player and the printable transcript -----------------------------------------------------


def cue_langs(doc: Elements) -> set[str | None]:
    return {a.get("lang") for a in doc.with_class("a", "cue")}


def default_track(doc: Elements) -> str | None:
    defaults = [t for t in doc.find("track", kind="captions") if "default" in t]
    assert len(defaults) == 1
    return defaults[0].get("srclang")


def test_the_player_shows_the_transcript_asked_for(spanish_client) -> None:
    html, doc = fetch(spanish_client, f"/webcasts/{BILINGUAL}?lang=es")
    assert doc.find("div", id="transcript-body")[0]["lang"] == "es"
    assert cue_langs(doc) == {"es"}
    assert len(doc.with_class("a", "cue")) == len(SPANISH_LINES)
    assert SPANISH_LINES[1] in html and ENGLISH_LINES[1] not in html
    assert default_track(doc) == "es"
    assert {t.get("srclang") for t in doc.find("track", kind="captions")} == {"en", "es"}
    # Every link that stays on this page keeps the language; those to the other one drop it.
    assert {a["href"] for a in doc.with_class("a", "cue")} == {
        f"?t={i * 2}&lang=es" for i in range(len(SPANISH_LINES))}
    assert doc.find("a", href=f"/webcasts/{BILINGUAL}/transcript?lang=es")
    assert doc.find("a", href=f"/webcasts/{BILINGUAL}/transcript.txt?lang=es")
    assert doc.find("a", href=f"/webcasts/{BILINGUAL}/transcript.vtt?download=1&lang=es")
    assert doc.find("input", type="hidden", name="lang", value="es")  # search this talk
    english = doc.find("a", href=f"/webcasts/{BILINGUAL}#transcript", hreflang="en")
    assert english and english[0]["lang"] == "en"
    assert doc.find("strong", lang="es")  # the language shown
    assert "Transcripción en español" in html and "Transcript in English" in html


def test_without_lang_the_player_is_as_before(spanish_client) -> None:
    html, doc = fetch(spanish_client, f"/webcasts/{BILINGUAL}")
    assert doc.find("div", id="transcript-body")[0]["lang"] == "en"
    assert cue_langs(doc) == {"en"}
    assert ENGLISH_LINES[1] in html and SPANISH_LINES[1] not in html
    assert default_track(doc) == "en"
    assert {a["href"] for a in doc.with_class("a", "cue")} == {
        f"?t={i * 2}" for i in range(len(ENGLISH_LINES))}
    assert doc.find("a", href=f"/webcasts/{BILINGUAL}/transcript.txt")
    assert not doc.find("input", name="lang")


def test_a_webcast_without_the_page_language_shows_its_first_track(spanish_client) -> None:
    html, doc = fetch(spanish_client, f"/webcasts/{SPANISH}")
    assert cue_langs(doc) == {"es"} and default_track(doc) == "es"
    assert SPANISH_LINES[0] in html
    assert not doc.with_class("ul", "transcript-langs")  # one language: no choice offered
    _, english = fetch(spanish_client, f"/webcasts/{ENGLISH}?lang=es")  # it has no Spanish
    assert cue_langs(english) == {"en"}


def test_a_moment_in_spanish_starts_there_in_spanish(spanish_client) -> None:
    _, doc = fetch(spanish_client, f"/webcasts/{BILINGUAL}?t=10&lang=es")
    assert doc.find("source", type="video/mp4")[0]["src"].endswith("#t=10")
    assert cue_langs(doc) == {"es"}
    # The language link keeps the moment (without JavaScript too).
    assert doc.find("a", href=f"/webcasts/{BILINGUAL}?t=10#transcript", hreflang="en")
    chapters = [a["href"] for a in doc.find("a") if "data-end" in a and not a.get("class")]
    assert chapters == ["?t=0&lang=es", "?t=10&lang=es"]


@pytest.mark.parametrize("lang", ["xx", "../..", "es%00", "fr", "e" * 3000, "%3Cb%3E",
                                  "es;en", "es,en", ""])
def test_odd_languages_are_never_an_error(spanish_client, lang: str) -> None:
    for path in (f"/webcasts/{BILINGUAL}", f"/webcasts/{BILINGUAL}/transcript",
                 f"/embed/{BILINGUAL}"):
        _, doc = fetch(spanish_client, f"{path}?lang={lang}")
        assert cue_langs(doc) <= {"en"}
    for path in ("transcript.txt", "transcript.vtt?download=1"):
        response = spanish_client.get(f"/webcasts/{BILINGUAL}/{path}{'&' if '?' in path else '?'}"
                                      f"lang={lang}")
        assert response.status_code == 200
        assert ".en." in response.headers.get("Content-Disposition", ".en.")


def test_the_printable_transcript_in_spanish(spanish_client) -> None:
    html, doc = fetch(spanish_client, f"/webcasts/{BILINGUAL}/transcript?lang=es")
    assert doc.with_class("div", "printable")[0]["lang"] == "es"
    assert SPANISH_LINES[3] in html and ENGLISH_LINES[3] not in html
    assert doc.find("a", href=f"/webcasts/{BILINGUAL}?t=0&lang=es")
    assert doc.find("a", href=f"/webcasts/{BILINGUAL}/transcript.txt?lang=es")
    assert doc.find("a", href=f"/webcasts/{BILINGUAL}/transcript", hreflang="en")
    assert doc.find("strong", lang="es")  # the Spanish transcript, shown
    english_html, english = fetch(spanish_client, f"/webcasts/{BILINGUAL}/transcript")
    assert english.with_class("div", "printable")[0]["lang"] == "en"
    assert ENGLISH_LINES[3] in english_html


def test_the_embed_follows_the_language_too(spanish_client) -> None:
    _, doc = fetch(spanish_client, f"/embed/{BILINGUAL}?lang=es")
    assert cue_langs(doc) == {"es"} and default_track(doc) == "es"


# ---- downloads ---------------------------------------------------------------------------------


def filename(response) -> str:
    disposition = response.headers["Content-Disposition"]
    return disposition.split('filename="', 1)[1].rstrip('"')


def test_the_text_download_per_language(spanish_client, spanish_library_dir: Path) -> None:
    transcripts = spanish_library_dir / "transcripts"
    spanish = spanish_client.get(f"/webcasts/{BILINGUAL}/transcript.txt?lang=es")
    assert spanish.status_code == 200 and filename(spanish) == f"{BILINGUAL}.es.txt"
    assert spanish.data == (transcripts / f"{BILINGUAL}.es.txt").read_bytes()
    assert SPANISH_LINES[2] in spanish.get_data(as_text=True)
    english = spanish_client.get(f"/webcasts/{BILINGUAL}/transcript.txt")
    assert filename(english) == f"{BILINGUAL}.en.txt"
    assert english.data == (transcripts / f"{BILINGUAL}.en.txt").read_bytes()
    only = spanish_client.get(f"/webcasts/{SPANISH}/transcript.txt")  # its one language
    assert filename(only) == f"{SPANISH}.es.txt"
    assert only.data == (transcripts / f"{SPANISH}.es.txt").read_bytes()


def test_the_captions_download_per_language(spanish_client, spanish_library_dir: Path) -> None:
    folder = spanish_library_dir / "media" / BILINGUAL
    spanish = spanish_client.get(f"/webcasts/{BILINGUAL}/transcript.vtt?lang=es&download=1")
    assert spanish.mimetype == "text/vtt" and filename(spanish) == f"{BILINGUAL}.es.vtt"
    assert spanish.data == (folder / "captions.es.vtt").read_bytes()
    english = spanish_client.get(f"/webcasts/{BILINGUAL}/transcript.vtt?download=1")
    assert filename(english) == f"{BILINGUAL}.en.vtt"
    assert english.data == (folder / "captions.en.vtt").read_bytes()


def test_downloads_are_rebuilt_per_language_when_the_files_are_gone(
        make_app, spanish_library_dir: Path, tmp_path: Path) -> None:
    root = tmp_path / "library"
    shutil.copytree(spanish_library_dir, root)
    (root / "transcripts" / f"{BILINGUAL}.es.txt").unlink()
    (root / "media" / BILINGUAL / "captions.es.vtt").unlink()
    client = make_app(Settings(library=root)).test_client()
    text = client.get(f"/webcasts/{BILINGUAL}/transcript.txt?lang=es").get_data(as_text=True)
    assert all(line in text for line in SPANISH_LINES)
    assert not any(line in text for line in ENGLISH_LINES)
    vtt = client.get(f"/webcasts/{BILINGUAL}/transcript.vtt?lang=es").get_data(as_text=True)
    assert vtt.startswith("WEBVTT") and SPANISH_LINES[4] in vtt
    _, doc = fetch(client, f"/webcasts/{BILINGUAL}?lang=es")  # its stored cues, served by the app
    assert doc.find("track", srclang="es", src=f"/webcasts/{BILINGUAL}/transcript.vtt?lang=es")


# ---- search in this talk -----------------------------------------------------------------------


def test_search_in_the_talk_is_in_the_transcript_language(spanish_client) -> None:
    html, doc = fetch(spanish_client, f"/webcasts/{BILINGUAL}?lang=es&q=medicamento")
    moments = doc.with_class("a", "moment")
    assert [a["href"] for a in moments] == [
        f"/webcasts/{BILINGUAL}?t=14&q=medicamento&lang=es"]
    assert doc.with_class("span", "snippet")[0]["lang"] == "es"
    assert "medicamentos" in html
    # The Spanish page searches its Spanish transcript without being told.
    _, spanish = fetch(spanish_client, f"/es/webcasts/{BILINGUAL}?q=efectos+secundarios")
    assert [a["href"] for a in spanish.with_class("a", "moment")] == [
        f"/es/webcasts/{BILINGUAL}?t=12&q=efectos+secundarios"]
    # The English transcript has the English words, not the Spanish ones.
    _, english = fetch(spanish_client, f"/webcasts/{BILINGUAL}?q=medicines")
    assert [a["href"] for a in english.with_class("a", "moment")] == [
        f"/webcasts/{BILINGUAL}?t=14&q=medicines"]


def test_a_rebuilt_spanish_download_is_the_written_file(
        make_app, spanish_library_dir: Path, tmp_path: Path) -> None:
    """The Spanish transcript a download rebuilds from the database is the one reindex writes."""
    root = tmp_path / "library"
    shutil.copytree(spanish_library_dir, root)
    written = {}
    for slug, lang in ((BILINGUAL, "es"), (BILINGUAL, "en"), (SPANISH, "es")):
        path = root / "transcripts" / f"{slug}.{lang}.txt"
        written[slug, lang] = path.read_bytes()
        path.unlink()
    client = make_app(Settings(library=root)).test_client()
    for (slug, lang), text in written.items():
        assert client.get(f"/webcasts/{slug}/transcript.txt?lang={lang}").data == text, (slug, lang)
    assert "La radioterapia, paso a paso" in written[BILINGUAL, "es"].decode()
