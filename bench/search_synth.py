"""A deterministic synthetic webcast library for the search benchmark.

`synthetic_library(hours)` yields one-hour webcasts of ~900 four-second caption cues each, spoken
in the register of a patient-education talk: sentences built from templates whose slots take
drugs (brand and generic), conditions, symptoms, procedures and tests, plus the filler words of
speech and a long tail of rarer words (so the vocabulary keeps growing with the library, as a real
one does). Each webcast has a theme of a few terms that it returns to, so rare terms cluster the
way they do in real talks. The same `hours` and `seed` always give the same library.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator

from medialib.captions import Cue
from medialib.chapters import Chapter
from medialib.search import IndexedWebcast

DRUGS = (
    "trastuzumab pertuzumab tucatinib neratinib lapatinib palbociclib ribociclib abemaciclib "
    "anastrozole letrozole exemestane tamoxifen fulvestrant capecitabine paclitaxel docetaxel "
    "eribulin doxorubicin cyclophosphamide gemcitabine vinorelbine carboplatin olaparib "
    "talazoparib alpelisib everolimus pembrolizumab atezolizumab denosumab dexamethasone "
    "memantine methylphenidate modafinil ondansetron temozolomide bevacizumab elacestrant "
    "Herceptin Perjeta Tukysa Nerlynx Ibrance Kisqali Verzenio Arimidex Femara Xeloda Taxol "
    "Enhertu Kadcyla Trodelvy Lynparza Keytruda Xgeva Zometa Decadron Namenda Ritalin"
).split()
CONDITIONS = (
    "metastases;brain metastases;bone metastases;liver metastases;lymphedema;neuropathy;"
    "leptomeningeal disease;cerebral edema;fatigue;cognitive changes;chemo brain;anemia;"
    "neutropenia;mucositis;hot flashes;insomnia;depression;anxiety;seizures;headaches;nausea;"
    "hair loss;memory problems;spinal cord compression;pleural effusion;blood clots;"
    "triple negative breast cancer;HER2 positive disease;hormone receptor positive disease"
).split(";")
PROCEDURES = (
    "whole brain radiation;stereotactic radiosurgery;radiation therapy;surgery;craniotomy;"
    "chemotherapy;targeted therapy;hormone therapy;immunotherapy;a biopsy;an MRI;a CT scan;"
    "a PET scan;a bone scan;palliative radiation;hippocampal avoidance;proton therapy;"
    "a clinical trial;an infusion;a lumbar puncture;genetic testing;physical therapy;"
    "an advance directive;a health care proxy;a living will;hospice care;palliative care"
).split(";")
PEOPLE = (
    "your oncologist;the nurse practitioner;a social worker;your family;your caregiver;"
    "the radiation oncologist;the neurosurgeon;your health care proxy;the care team;"
    "a palliative care specialist;a psychiatrist;your primary care doctor"
).split(";")
FILLER = (
    "so;well;and;you know;I think;actually;really;now;of course;in general;for example;"
    "basically;sometimes;often;usually;right"
).split(";")
TEMPLATES = (
    "{f} when we think about {p} one of the questions patients ask is whether {c} will get "
    "better over time.",
    "Many people who receive {d} notice {c} and it is important to tell {who} about it early.",
    "{f} the goal of {p} is to control the cancer while keeping your quality of life as good "
    "as possible.",
    "We often combine {d} with {d2} and the side effects are usually manageable.",
    "If you have {c} {who} may recommend {p} and will talk with you about the risks and benefits.",
    "There is no single right answer and the decision depends on your goals and values.",
    "{f} {p} can relieve symptoms such as pain or {c} even when it does not cure the cancer.",
    "Some patients with {c} take part in {p} which may offer access to new treatments like {d}.",
    "It helps to write down your questions before each visit and bring {who} with you.",
    "The research on {d} has changed how we treat {c} over the last ten years.",
    "{f} talk with {who} about what matters most to you so they can speak for you if needed.",
    "We usually check for {c} with {p} every few months depending on the situation.",
    "Exercise good sleep and support from {who} all help with {c} during treatment.",
    "When the cancer travels to the brain we may use {p} or {p2} depending on how many "
    "spots there are.",
    "{f} the blood brain barrier keeps many drugs out but {d} can reach the brain.",
    "Please remember that every person is different and your own team knows your case best.",
)
COMMON = (
    "the a and of to in is that it we you for this with are be on have as can or not at so "
    "about what there they your one if will more some people time also when which our do "
    "because how very get know think would things other these just really like see make "
    "those way much first two over new could than them then only any well back after most "
    "good different important question treatment patients doctor cancer help feel years day "
    "week month body life family care team work change start stop again still every may"
).split()
CREDENTIALS = ("MD", "MD, MPH", "RN", "NP", "PhD", "LICSW", "MD, PhD", "PharmD", "PA-C")
FIRST = (
    "Anna Ben Carla David Elena Frank Grace Henry Irene James Karen Luis Maria Nathan Olivia "
    "Peter Quinn Rosa Samuel Tara Umar Vera William Xiao Yusuf Zoe"
).split()
LAST = (
    "Abbott Baker Chen Diaz Evans Fischer Garcia Hughes Ito Jensen Kim Lopez Moreau Novak "
    "Okafor Patel Quintero Rossi Silva Tanaka Ueda Varga Walsh Xu Young Zimmerman"
).split()
TOPICS = (
    "radiation-therapy brain-metastases cognitive-changes clinical-trials advance-care-planning "
    "living-with-mbc targeted-therapy hormone-therapy chemotherapy side-effects nutrition "
    "exercise sleep emotional-health caregivers palliative-care bone-health genetics "
    "immunotherapy imaging surgery pain-management sexual-health work-and-money "
    "young-adults older-adults survivorship hospice lymphedema neuropathy"
).split()
SYLLABLES = (
    "ba be bi bo bu ca ce co da de di do fa fe fi ga ge go ha he hi ka ke ki ko la le li lo lu "
    "ma me mi mo mu na ne ni no pa pe pi po ra re ri ro ru sa se si so ta te ti to tu va ve vi "
    "za ze zo tra pro sta cli neu car der min lex ton vor"
).split()


def _long_tail(rng: random.Random, n: int) -> list[str]:
    """Pseudo-words for the long tail of a real vocabulary (names, rare words, jargon)."""
    words: set[str] = set()
    while len(words) < n:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


class _Speech:
    """Sentence source for one webcast: templates, its theme, fillers and the long tail (the
    words of a language are class attributes: search_synth_es.py speaks Spanish)."""

    templates, drugs, conditions, procedures = TEMPLATES, DRUGS, CONDITIONS, PROCEDURES
    people, filler, common = PEOPLE, FILLER, COMMON

    def __init__(self, rng: random.Random, tail: list[str], tail_cum: list[float]):
        self.rng = rng
        self.tail = tail
        self.tail_cum = tail_cum
        self.theme_drugs = rng.sample(self.drugs, 3)
        self.theme_conditions = rng.sample(self.conditions, 3)
        self.theme_procedures = rng.sample(self.procedures, 3)

    def _pick(self, theme: list[str], pool: tuple[str, ...] | list[str]) -> str:
        return self.rng.choice(theme) if self.rng.random() < 0.7 else self.rng.choice(pool)

    def sentence(self) -> list[str]:
        rng = self.rng
        text = rng.choice(self.templates).format(
            f=rng.choice(self.filler).capitalize(),
            d=self._pick(self.theme_drugs, self.drugs),
            d2=rng.choice(self.drugs),
            c=self._pick(self.theme_conditions, self.conditions),
            p=self._pick(self.theme_procedures, self.procedures),
            p2=rng.choice(self.procedures),
            who=rng.choice(self.people),
        )
        words = text.split()
        # Speech wanders: a few common words and, now and then, a rarer one.
        for _ in range(rng.randint(0, 3)):
            words.insert(rng.randrange(len(words)), rng.choice(self.common))
        if rng.random() < 0.5:
            words.insert(
                rng.randrange(len(words)), rng.choices(self.tail, cum_weights=self.tail_cum)[0]
            )
        return words


def synthetic_library(
    hours: int, seed: int = 2024, cues_per_hour: int = 900
) -> Iterator[IndexedWebcast]:
    """Yield `hours` one-hour synthetic webcasts, always the same for the same arguments."""
    rng = random.Random(seed)
    tail = _long_tail(rng, 60_000)
    tail_cum = list(itertools.accumulate(1.0 / (i + 10) for i in range(len(tail))))
    speakers = [
        (f"{first.lower()}-{last.lower()}", f"{first} {last}, {rng.choice(CREDENTIALS)}")
        for first, last in itertools.product(FIRST, LAST)
    ]
    rng.shuffle(speakers)
    speakers = speakers[:150]
    cue_seconds = 3600.0 / cues_per_hour
    for n in range(hours):
        speech = _Speech(rng, tail, tail_cum)
        words: list[str] = []
        cues: list[Cue] = []
        while len(cues) < cues_per_hour:
            while len(words) < 11:
                words += speech.sentence()
            size = rng.randint(8, 13)
            start = len(cues) * cue_seconds
            cues.append(Cue(start, start + cue_seconds, " ".join(words[:size])))
            words = words[size:]
        chapter_count = rng.randint(5, 10)
        chapters = tuple(
            Chapter(
                round(i * 3600.0 / chapter_count, 1),
                rng.choice(
                    (
                        "What is {p}?",
                        "Managing {c}",
                        "Questions about {d}",
                        "Living with {c}",
                        "How {p} works",
                    )
                ).format(
                    p=speech.theme_procedures[i % 3],
                    c=speech.theme_conditions[i % 3],
                    d=speech.theme_drugs[i % 3],
                ),
            )
            for i in range(chapter_count)
        )
        webcast_speakers = tuple(rng.sample(speakers, rng.choice((1, 1, 1, 2))))
        title = "{} and {}: {}".format(
            speech.theme_procedures[0].removeprefix("a ").removeprefix("an ").capitalize(),
            speech.theme_conditions[0],
            rng.choice(("what to expect", "questions and answers", "a patient guide", "update")),
        )
        yield IndexedWebcast(
            slug=f"synthetic-{n:04d}",
            title=title,
            summary=" ".join(speech.sentence() + speech.sentence()),
            kind="audio" if rng.random() < 0.15 else "video",
            series=f"series-{n // 2:03d}" if n % 10 < 2 else None,
            recorded=f"20{10 + n % 15:02d}-{1 + n % 12:02d}-{1 + n % 28:02d}",
            speakers=webcast_speakers,
            topics=tuple((t, t.replace("-", " ")) for t in rng.sample(TOPICS, rng.randint(1, 3))),
            chapters=chapters,
            cues=tuple(cues),
        )
