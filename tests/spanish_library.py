"""A small library in two languages, for the tests of the player, transcripts, downloads, feeds,
structured data and listings per language (and the browser test of the Spanish transcript).

- `bilingual-talk`: spoken in English, captions in English and Spanish, two chapters, a topic, a
  series and resources, its title, summary, chapters and resources translated into Spanish;
- `charla-en-espanol`: spoken in Spanish, Spanish captions only, nothing translated;
- `english-only`: English captions only, nothing translated (a Spanish page marks its texts).
A cue every 2 s for 20 s. `media` is a recording to copy in (rendered by ffmpeg for the browser);
without one each item gets stand-in bytes, enough for the test client.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from medialib.captions import format_timestamp
from tests.libraries import reindexed

BILINGUAL, SPANISH, ENGLISH = "bilingual-talk", "charla-en-espanol", "english-only"
SECONDS = 20
CUE_SECONDS = 2
ENGLISH_LINES = [
    "Welcome. Today we talk about radiation therapy.",
    "Radiation uses focused energy to treat the cancer.",
    "Most people have a treatment each weekday.",
    "Each visit takes about fifteen minutes.",
    "You may feel tired during the weeks of treatment.",
    "Now let us talk about your questions.",
    "Ask your care team about side effects.",
    "Keep a list of your medicines.",
    "Bring someone with you if you can.",
    "Thank you for watching.",
]
SPANISH_LINES = [
    "Bienvenidos. Hoy hablamos de la radioterapia.",
    "La radiación usa energía dirigida para tratar el cáncer.",
    "La mayoría de las personas recibe un tratamiento cada día de semana.",
    "Cada visita dura unos quince minutos.",
    "Puede sentir cansancio durante las semanas de tratamiento.",
    "Ahora hablemos de sus preguntas.",
    "Pregunte a su equipo médico por los efectos secundarios.",
    "Tenga una lista de sus medicamentos.",
    "Venga acompañado si puede.",
    "Gracias por ver este video.",
]

CATALOG = """\
library:
  title: Patient talks
  translations: {es: {title: Charlas para pacientes}}
speakers:
  ana: {name: Ana Ruiz, credentials: MD}
topics:
  radiation:
    name: Radiation therapy
    description: Treatment with focused energy.
    translations: {es: {name: Radioterapia, description: Tratamiento con energía dirigida.}}
  questions:
    name: Questions to ask
    description: What to ask your care team.
series:
  basics:
    title: Treatment basics
    description: Two short talks.
    translations: {es: {title: Conceptos básicos del tratamiento, description: Dos charlas.}}
webcasts:
  bilingual-talk:
    title: Radiation therapy, step by step
    summary: What happens during radiation therapy.
    language: en
    speakers: [ana]
    topics: [radiation]
    series: basics
    part: 1
    recorded: "2024-03-12"
    media: {file: video.mp4, type: video/mp4, duration: 20}
    poster: poster.jpg
    captions:
      - {lang: en, file: captions.en.vtt}
      - {lang: es, file: captions.es.vtt, label: Español}
    chapters:
      - {start: 0, title: What radiation does}
      - {start: 10, title: Your questions}
    resources:
      - {title: Radiation fact sheet, url: "https://example.org/radiation"}
    translations:
      es:
        title: La radioterapia, paso a paso
        summary: Lo que pasa durante la radioterapia.
        chapters: [Lo que hace la radiación, Sus preguntas]
        resources:
          - {title: Hoja informativa sobre la radiación, url: "https://example.org/es/radiacion"}
  charla-en-espanol:
    title: Preguntas para su equipo médico
    summary: Una charla en español.
    language: es
    speakers: [ana]
    topics: [questions]
    series: basics
    part: 2
    recorded: "2024-03-10"
    media: {file: video.mp4, type: video/mp4, duration: 20}
    captions: [{lang: es, file: captions.es.vtt, label: Español}]
  english-only:
    title: Living with fatigue
    summary: Ways to save your energy.
    speakers: [ana]
    topics: [radiation]
    recorded: "2024-03-01"
    media: {file: video.mp4, type: video/mp4, duration: 20}
    captions: [{lang: en, file: captions.en.vtt}]
"""
TRACKS = {BILINGUAL: {"en": ENGLISH_LINES, "es": SPANISH_LINES}, SPANISH: {"es": SPANISH_LINES},
          ENGLISH: {"en": ENGLISH_LINES}}
STAND_IN = bytes(range(256)) * 40


def webvtt(lines: list[str]) -> str:
    """One cue every CUE_SECONDS seconds, each line in turn."""
    cues = ["WEBVTT", ""]
    for i, line in enumerate(lines):
        start = i * CUE_SECONDS
        cues += [f"{format_timestamp(start)} --> {format_timestamp(start + CUE_SECONDS - 0.1)}",
                 line, ""]
    return "\n".join(cues)


def write_spanish_library(root: Path, media: Path | None = None) -> Path:
    """The library at `root`, reindexed (database, index, transcripts)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "catalog.yaml").write_text(CATALOG, encoding="utf-8")
    for slug, tracks in TRACKS.items():
        folder = root / "media" / slug
        folder.mkdir(parents=True)
        for lang, lines in tracks.items():
            (folder / f"captions.{lang}.vtt").write_text(webvtt(lines), encoding="utf-8")
        (folder / "poster.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\0" * 60)  # a stand-in
        if media is not None:
            shutil.copy2(media, folder / "video.mp4")
        else:
            (folder / "video.mp4").write_bytes(STAND_IN)
    return reindexed(root)
