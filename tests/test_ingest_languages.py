"""`medialib ingest --language`: the spoken language in the catalog, the default language of
caption files, and the transcript of each language with its header in that language."""

from __future__ import annotations

from pathlib import Path

import pytest

from medialib.catalog import Catalog
from medialib.ingest import CaptionSource
from medialib.ingest.inputs import read_caption_files
from tests.ingest_support import cli
from tests.test_ingest import assert_checks, published, write

ES_VTT = ("WEBVTT\n\n00:00.100 --> 00:00.900\n<v Narrador>Bienvenidos a la charla.\n\n"
          "00:01.000 --> 00:01.800\n<v Narrador>Hable con su equipo.\n")
EN_VTT = "WEBVTT\n\n00:00.100 --> 00:00.900\nWelcome to the talk.\n"
CHAPTERS = "00:00 Welcome\n00:01 Your team\n"


@pytest.fixture
def library(tmp_path: Path) -> Path:
    root = tmp_path / "library"
    assert cli(root, "init", root).exit_code == 0
    return root


def test_a_caption_file_without_lang_takes_the_default(tmp_path: Path) -> None:
    vtt = write(tmp_path / "talk.vtt", ES_VTT)
    assert CaptionSource.parse(str(vtt)).lang is None
    assert CaptionSource.parse(f"{vtt}:en").lang == "en"
    assert [c.lang for c in read_caption_files([CaptionSource(vtt)], "es")] == ["es"]
    assert [c.label for c in read_caption_files([CaptionSource(vtt)])] == ["English"]


def test_ingest_language_es_round_trip(library: Path, tiny_video: Path, tmp_path: Path) -> None:
    es = write(tmp_path / "charla.vtt", ES_VTT)
    en = write(tmp_path / "talk.vtt", EN_VTT)
    chapters = write(tmp_path / "chapters.txt", CHAPTERS)
    planned = cli(library, "ingest", tiny_video, "--title", "Charla", "--language", "es",
                  "--captions", es, "--dry-run")
    assert planned.exit_code == 0, planned.stderr
    assert "language   es (Español)" in planned.stdout
    assert "captions   es (Español): 2 cues" in planned.stdout
    result = cli(library, "ingest", tiny_video, "--title", "Charla", "--slug", "charla",
                 "--language", "es", "--captions", es, "--captions", f"{en}:en",
                 "--chapters", chapters, "--speaker", "Ana Pérez, RN", "--recorded",
                 "2024-07-16")
    assert result.exit_code == 0, result.stderr
    text = (library / "catalog.yaml").read_text(encoding="utf-8")
    assert "    language: es\n" in text
    assert "label: Español" in text
    w = Catalog.load(library / "catalog.yaml").webcasts["charla"]
    assert w.language == "es" and [t.lang for t in w.captions] == ["es", "en"]
    assert published(library, "charla").language == "es"
    transcript = (library / "transcripts" / "charla.es.txt").read_text(encoding="utf-8")
    assert transcript.splitlines()[:4] == ["Charla", "======", "Presenta: Ana Pérez, RN",
                                           "Fecha de grabación: 2024-07-16"]
    assert "Narrador: Bienvenidos a la charla." in transcript
    english = (library / "transcripts" / "charla.en.txt").read_text(encoding="utf-8")
    assert "Speaker: Ana Pérez, RN" in english and "Recorded: 2024-07-16" in english
    assert_checks(library)

    # Replaced without --language: the entry's language stays, and so does the captions' default.
    again = cli(library, "ingest", tiny_video, "--title", "Charla", "--slug", "charla",
                "--captions", es)
    assert again.exit_code == 0, again.stderr
    w = Catalog.load(library / "catalog.yaml").webcasts["charla"]
    assert w.language == "es" and [t.lang for t in w.captions] == ["es"]
    assert "    language: es\n" in (library / "catalog.yaml").read_text(encoding="utf-8")


def test_english_needs_no_language_key(library: Path, tiny_video: Path, tmp_path: Path) -> None:
    en = write(tmp_path / "talk.vtt", EN_VTT)
    for extra in ([], ["--language", "en"]):
        result = cli(library, "ingest", tiny_video, "--title", "Talk", "--slug", "talk",
                     "--captions", en, *extra)
        assert result.exit_code == 0, result.stderr
        text = (library / "catalog.yaml").read_text(encoding="utf-8")
        assert "language:" not in text and "label: English" in text
    before = (library / "catalog.yaml").read_bytes()
    # Another webcast in Spanish leaves this entry as it was, byte for byte.
    es = write(tmp_path / "charla.vtt", ES_VTT)
    assert cli(library, "ingest", tiny_video, "--title", "Charla", "--language", "es",
               "--captions", es).exit_code == 0
    after = (library / "catalog.yaml").read_bytes()
    assert after.startswith(before)


def test_a_bad_language_is_a_usage_error(library: Path, tiny_video: Path) -> None:
    result = cli(library, "ingest", tiny_video, "--title", "X", "--language", "Spanish")
    assert result.exit_code == 2 and "'Spanish' is not a language code" in result.stderr
