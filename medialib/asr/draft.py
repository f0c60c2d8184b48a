"""Draft captions of a recording outside an ingest: for the sample library and the benchmark."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..captions import Cue, cues_to_webvtt
from ..files import write_atomic
from .cues import shape_cues
from .model import AsrError, Recognition, load_recognizer


def draft_captions(media: Path, asr_model: str, language: str | None = None
                   ) -> tuple[list[Cue], Recognition]:
    """The caption cues recognized in `media` by the model `asr_model` names (AsrError if it
    cannot be loaded), and the recognition itself."""
    recognition = load_recognizer(asr_model).recognize(media, language)
    return shape_cues(recognition.words, recognition.duration), recognition


def write_draft_captions(media: Path, dest: Path, asr_model: str) -> int:
    """Recognize `media` and write its cues to the WebVTT file `dest` at once; cues written."""
    cues, _ = draft_captions(media, asr_model)
    write_atomic(dest, cues_to_webvtt(cues).encode("utf-8"))
    return len(cues)


def recognize_sample(slug: str, media: Path, dest: Path, asr_model: str,
                     say: Callable[[str], None]) -> bool:
    """The sample library's machine captions, recognized from its rendered narration; without
    a model, staff are told and the committed captions stay. Recognized?"""
    try:
        count = write_draft_captions(media, dest, asr_model)
    except AsrError as exc:
        say(f"{slug}: automatic captions not made again ({exc}); its committed ones stay")
        return False
    say(f"{slug}: {dest.name} recognized from the narration ({count} cues, source: machine)")
    return True
