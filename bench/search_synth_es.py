"""Spanish captions for half the synthetic webcasts of the search benchmark (`--half-spanish`).

`with_spanish(webcasts)` yields each synthetic webcast and, after every second one, its Spanish
document: the same slug, kind, series, speakers and topics, ~900 four-second cues of Spanish
speech built like the English (templates whose slots take drugs, conditions, procedures and
people, fillers, common words and the same long tail of rare pseudo-words), a Spanish title,
summary and chapters, with accents as Spanish is written. Its own random source keeps the English
webcasts exactly those of `synthetic_library()`. `SPANISH_QUERIES` are what a Spanish-speaking
patient types, by kind, accents typed or not.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable, Iterator
from dataclasses import replace

from search_synth import _long_tail, _Speech

from medialib.captions import Cue
from medialib.chapters import Chapter
from medialib.search import IndexedWebcast

CONDITIONS = (
    "metástasis;metástasis cerebrales;metástasis óseas;metástasis hepáticas;linfedema;"
    "neuropatía;enfermedad leptomeníngea;edema cerebral;cansancio;cambios cognitivos;"
    "niebla mental;anemia;neutropenia;mucositis;sofocos;insomnio;depresión;ansiedad;"
    "convulsiones;dolores de cabeza;náuseas;caída del cabello;problemas de memoria;"
    "compresión de la médula espinal;derrame pleural;coágulos de sangre;"
    "cáncer de mama triple negativo;enfermedad HER2 positiva;receptores hormonales positivos"
).split(";")
PROCEDURES = (
    "radiación de todo el cerebro;radiocirugía estereotáctica;radioterapia;cirugía;craneotomía;"
    "quimioterapia;terapia dirigida;terapia hormonal;inmunoterapia;una biopsia;"
    "una resonancia magnética;una tomografía;una tomografía PET;una gammagrafía ósea;"
    "radiación paliativa;protección del hipocampo;terapia de protones;un ensayo clínico;"
    "una infusión;una punción lumbar;pruebas genéticas;fisioterapia;una directiva anticipada;"
    "un apoderado de atención médica;un testamento vital;cuidados de hospicio;cuidados paliativos"
).split(";")
PEOPLE = (
    "su oncólogo;la enfermera practicante;una trabajadora social;su familia;su cuidador;"
    "el oncólogo radioterapeuta;el neurocirujano;su apoderado;el equipo de atención;"
    "un especialista en cuidados paliativos;un psiquiatra;su médico de cabecera"
).split(";")
FILLER = (
    "bueno;pues;y;o sea;yo creo;en realidad;de verdad;ahora;por supuesto;en general;"
    "por ejemplo;básicamente;a veces;a menudo;normalmente;claro"
).split(";")
TEMPLATES = (
    "{f} cuando pensamos en {p} una de las preguntas de los pacientes es si {c} mejorará con "
    "el tiempo.",
    "Muchas personas que reciben {d} notan {c} y es importante decírselo pronto a {who}.",
    "{f} el objetivo de {p} es controlar el cáncer y mantener la mejor calidad de vida posible.",
    "A menudo combinamos {d} con {d2} y los efectos secundarios suelen ser manejables.",
    "Si usted tiene {c} {who} puede recomendarle {p} y le explicará los riesgos y beneficios.",
    "No hay una sola respuesta correcta y la decisión depende de sus metas y valores.",
    "{f} {p} puede aliviar síntomas como el dolor o {c} aunque no cure el cáncer.",
    "Algunas pacientes con {c} participan en {p} que puede dar acceso a tratamientos nuevos "
    "como {d}.",
    "Ayuda escribir sus preguntas antes de cada visita y venir con {who}.",
    "La investigación sobre {d} ha cambiado cómo tratamos {c} en los últimos diez años.",
    "{f} hable con {who} sobre lo que más le importa para que pueda hablar por usted.",
    "Solemos revisar {c} con {p} cada pocos meses según la situación.",
    "El ejercicio el buen sueño y el apoyo de {who} ayudan con {c} durante el tratamiento.",
    "Cuando el cáncer llega al cerebro podemos usar {p} o {p2} según cuántas lesiones haya.",
    "{f} la barrera hematoencefálica detiene muchos medicamentos pero {d} puede llegar al "
    "cerebro.",
    "Recuerde que cada persona es diferente y su propio equipo conoce mejor su caso.",
)
COMMON = (
    "el la de que y en los se del las un por con no una su para es al lo como más pero sus le "
    "ya o este sí porque esta entre cuando muy sin sobre también me hasta hay donde desde todo "
    "nos durante todos uno les ni otros ese eso ante ellos esto antes algunos qué unos yo otro "
    "otra él tanto esa estos mucho nada muchos poco ella estar estas algo nosotros tratamiento "
    "pacientes médico cáncer ayuda sentir años día semana mes cuerpo vida familia cuidado "
    "equipo trabajo cambio importante pregunta diferente año"
).split()
CHAPTERS = ("¿Qué es {p}?", "Cómo manejar {c}", "Preguntas sobre {d}", "Vivir con {c}",
            "Cómo funciona {p}")
ENDINGS = ("qué esperar", "preguntas y respuestas", "una guía para pacientes", "novedades")

SPANISH_QUERIES: list[tuple[str, str, dict[str, str]]] = [
    *[("common", q, {}) for q in ("tratamiento", "pacientes", "cáncer", "importante", "familia")],
    *[("rare", q, {}) for q in ("tucatinib", "mucositis", "craneotomía", "hipocampo",
                                 "leptomeníngea")],
    *[("accents not typed", q, {}) for q in ("cancer", "radiacion", "neuropatia", "craneotomia",
                                              "medico")],
    *[("two words", q, {}) for q in ("radioterapia cansancio", "tamoxifeno insomnio",
                                      "decisión familia", "cirugía convulsiones",
                                      "ejercicio sueño")],
    *[("phrase", q, {}) for q in ('"efectos secundarios"', '"calidad de vida"',
                                  '"barrera hematoencefálica"', '"ensayo clínico"',
                                  '"radiación de todo el cerebro"')],
    *[("prefix", q, {}) for q in ("linfe*", "neuro*", "quimio*", "radi*", "palia*")],
    *[("misspelling", q, {}) for q in ("trastuzamab", "herseptin", "neuropatai",
                                        "quimioterapya", "cansansio")],
    ("filtered", "radioterapia", {"topic": "radiation-therapy"}),
    ("filtered", "cansancio", {"kind": "audio"}),
    ("filtered", "memoria", {"topic": "cognitive-changes"}),
    ("filtered", "ensayo", {"series": "series-000"}),
    ("filtered", "cirugía", {"topic": "surgery"}),
    *[("lay term", q, {}) for q in ("quimio", "testamento vital", "niebla mental",
                                     "metástasis cerebrales", "Herceptin")],
]


class _Habla(_Speech):
    """Spanish sentences for one webcast (the English ones' structure, Spanish words)."""

    templates, conditions, procedures = TEMPLATES, CONDITIONS, PROCEDURES
    people, filler, common = PEOPLE, FILLER, COMMON


def spanish_version(webcast: IndexedWebcast, rng: random.Random, tail: list[str],
                    tail_cum: list[float]) -> IndexedWebcast:
    """The Spanish document of a synthetic webcast: as many cues, new Spanish words."""
    habla = _Habla(rng, tail, tail_cum)
    words: list[str] = []
    cues: list[Cue] = []
    for cue in webcast.cues:
        while len(words) < 11:
            words += habla.sentence()
        size = rng.randint(8, 13)
        cues.append(Cue(cue.start, cue.end, " ".join(words[:size])))
        words = words[size:]
    chapters = tuple(
        Chapter(chapter.start, rng.choice(CHAPTERS).format(
            p=habla.theme_procedures[i % 3], c=habla.theme_conditions[i % 3],
            d=habla.theme_drugs[i % 3]))
        for i, chapter in enumerate(webcast.chapters)
    )
    title = "{} y {}: {}".format(habla.theme_procedures[0].removeprefix("una ").removeprefix("un ")
                                 .capitalize(), habla.theme_conditions[0], rng.choice(ENDINGS))
    return replace(webcast, title=title, summary=" ".join(habla.sentence() + habla.sentence()),
                   chapters=chapters, cues=tuple(cues), lang="es")


def with_spanish(webcasts: Iterable[IndexedWebcast], seed: int = 2024) -> Iterator[IndexedWebcast]:
    """Each webcast, and after every second one (the first, the third...) its Spanish document."""
    rng = random.Random(seed + 100)
    tail = _long_tail(random.Random(seed), 60_000)  # the English webcasts' rare words
    tail_cum = list(itertools.accumulate(1.0 / (i + 10) for i in range(len(tail))))
    for n, webcast in enumerate(webcasts):
        yield webcast
        if n % 2 == 0:
            yield spanish_version(webcast, rng, tail, tail_cum)
