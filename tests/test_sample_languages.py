"""The sample library in Spanish: translated sample narration cue for cue with the English, the
catalog's Spanish words, the Spanish sample item, and the committed transcripts of each language."""

from __future__ import annotations

from pathlib import Path

import pytest

from medialib.captions import load_captions
from medialib.catalog import Catalog
from medialib.transcripts import TranscriptHeader, render_text
from tests.libraries import REPO

TRANSLATED = ("healthcare-proxy-advanced-cancer", "breast-cancer-brain-part-1",
              "breast-cancer-brain-part-2")
SPANISH_ITEM = "primera-cita-de-radioterapia"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load(REPO / "catalog.yaml")


@pytest.mark.parametrize("slug", TRANSLATED)
def test_spanish_captions_follow_the_english_cue_for_cue(catalog: Catalog, slug: str) -> None:
    folder = REPO / "media" / slug
    english, spanish = load_captions(folder / "captions.en.vtt"), load_captions(
        folder / "captions.es.vtt")
    assert len(spanish) == len(english) > 20
    assert [(c.start, c.end) for c in spanish] == [(c.start, c.end) for c in english]
    assert {c.speaker for c in spanish} == {"Narrador"}
    assert spanish[0].text.startswith("Esta es una narración de muestra")
    w = catalog.webcasts[slug]
    assert [(t.lang, t.file, t.label) for t in w.captions] == [
        ("en", "captions.en.vtt", "English"), ("es", "captions.es.vtt", "Español")]
    text = w.text("es")
    assert text.lang == "es" and text.title != w.title and text.summary
    assert len(text.chapters) == len(w.chapters) and text.chapters[0] == "Introducción"
    assert text.resources and all(r.url.startswith("https://") for r in text.resources)
    # Each chapter still starts on a cue, in both languages.
    starts = {c.start for c in spanish}
    assert all(c.start in starts for c in w.chapters)


def test_the_spanish_sample_item(catalog: Catalog) -> None:
    w = catalog.webcasts[SPANISH_ITEM]
    assert (w.language, w.kind, w.speakers) == ("es", "video", ())
    assert [(t.lang, t.label) for t in w.captions] == [("es", "Español")]
    cues = load_captions(REPO / "media" / SPANISH_ITEM / "captions.es.vtt")
    assert cues[0].text == "Esta es una narración de muestra para la biblioteca de demostración."
    assert "Narración de muestra" in w.summary
    starts = {c.start for c in cues}
    assert all(c.start in starts for c in w.chapters)
    assert w.text("en").lang == "en" and w.text("en").title.startswith("How to prepare")
    assert w.text("es").title == w.title


def test_spanish_topics_series_and_library_title(catalog: Catalog) -> None:
    assert catalog.title_in("es").startswith("Programa de cáncer de seno metastásico")
    used = {t for slug in (*TRANSLATED, SPANISH_ITEM) for t in catalog.webcasts[slug].topics}
    for topic in used:
        assert catalog.topics[topic].text("es").lang == "es", topic
    assert catalog.series["breast-cancer-brain"].text("es").title == (
        "Cuando el cáncer de seno llega al cerebro")


def test_committed_transcripts_are_the_generated_ones(sample_library_dir: Path) -> None:
    """transcripts/ holds what a reindex writes, in every language, byte for byte."""
    generated = sorted(p.name for p in (sample_library_dir / "transcripts").glob("*.txt"))
    committed = sorted(p.name for p in (REPO / "transcripts").glob("*.txt"))
    assert generated == committed
    assert {f"{slug}.es.txt" for slug in (*TRANSLATED, SPANISH_ITEM)} <= set(committed)
    for name in committed:
        assert (REPO / "transcripts" / name).read_bytes() == (
            sample_library_dir / "transcripts" / name).read_bytes(), name


def test_the_spanish_transcript_header() -> None:
    text = (REPO / "transcripts" / "breast-cancer-brain-part-2.es.txt").read_text("utf-8")
    assert text.splitlines()[:6] == [
        "Cuando el cáncer de seno llega al cerebro, segunda parte: quimioterapia, terapia dirigida"
        " y estudios clínicos",
        "=" * 79,
        "Presenta: Nancy Lin, MD",
        "Serie: Cuando el cáncer de seno llega al cerebro, parte 2",
        "Fecha de grabación: 2024-01-30",
        "",
    ]
    assert "## La barrera hematoencefálica [00:31]" in text
    assert "[00:00] Narrador: Esta es una narración de muestra" in text


def test_header_words_in_each_language() -> None:
    header = dict(title="T", speakers=["A", "B"], recorded="2024-01-01", series="S", part=1,
                  unchecked=True)
    spanish = render_text(TranscriptHeader(**header, lang="es"), []).splitlines()
    assert spanish[2:] == ["Presentan: A; B", "Serie: S, parte 1", "Fecha de grabación: 2024-01-01",
                           "Nota: Subtítulos automáticos, todavía no revisados por nuestro "
                           "personal: los nombres y los términos médicos pueden estar mal."]
    english = render_text(TranscriptHeader(**header, lang="en"), []).splitlines()
    assert english[2:5] == ["Speakers: A; B", "Series: S, part 1", "Recorded: 2024-01-01"]
    # A language without an interface catalog gets the English words.
    assert render_text(TranscriptHeader(**header, lang="pt"), []).splitlines() == english
    assert render_text(TranscriptHeader("T", series="S", lang="es"), []).splitlines()[2] == (
        "Serie: S")
