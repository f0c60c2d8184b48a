"""Two small webcasts for the unit tests of moments and spelling (see conftest's small_index)."""

from __future__ import annotations

from medialib.captions import Cue
from medialib.chapters import Chapter
from medialib.search import IndexedWebcast

FILLER = "Filler words about the day, the clinic and the waiting room. "
LONG_CUE = FILLER * 6 + "Gentle exercise such as walking helps with energy. " + FILLER * 3


def cues(*lines: tuple[float, str, str | None]) -> tuple[Cue, ...]:
    return tuple(Cue(start, start + 3.5, text, speaker) for start, text, speaker in lines)


TALK = IndexedWebcast(
    slug="fatigue-talk", title="Living well during treatment", summary="A talk.", kind="video",
    series=None, recorded="2024-01-01", speakers=(("ann", "Ann Lee, MD"),),
    topics=(("wellness", "Wellness"),),
    chapters=(Chapter(0.0, "Introduction"), Chapter(20.0, "Sleep and naps"),
              Chapter(32.0, "Questions from families")),
    cues=cues(
        (0, "Welcome to this talk about feeling better.", None),
        (4, "Many patients feel tired after treatment.", None),
        (8, "We call this cancer related", None),
        (12, "fatigue, and it is common.", None),
        (16, LONG_CUE, None),
        (20, "Sleep at night matters: use < 2 naps & rest.", None),
        (24, "Fatigue fatigue fatigue fatigue fatigue.", None),
        (28, "A fatige typo in the captions.", None),
        (32, "Let us begin.", None),
    ),
)
CHAT = IndexedWebcast(
    slug="chat", title="Questions answered", summary="A webchat.", kind="video", series=None,
    recorded=None, speakers=(("bob", "Bob Ray"), ("cy", "Cy Lin, RN")), topics=(), chapters=(),
    cues=cues((0, "Thank you for joining.", "Bob Ray"), (4, "Naps can help with tiredness.", None)),
)
