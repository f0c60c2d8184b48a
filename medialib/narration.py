"""Caption cues read aloud by espeak-ng: the sample library's narration (medialib.demo).

Each cue is spoken at its start in a voice of its language, one voice per speaker, sped up (and,
at the limit, cut with a short fade) so it never runs into the next cue; the result is one mono
WAV at espeak-ng's own rate.
"""

from __future__ import annotations

import subprocess
import wave
from collections.abc import Sequence
from pathlib import Path

from .captions import Cue
from .media import MediaError


class NarrationError(MediaError):
    """espeak-ng could not read the narration; the message names the voice or the tool."""


# espeak-ng voices by the language of the narrated track: (narrator, speakers in turn). Spanish
# is Latin American, as most Spanish-speaking patients in the United States speak it; any other
# language is read by espeak-ng's voice of that name.
VOICES = {
    "en": ("en-us", ("en-us+f3", "en-gb+f4", "en-us+m3", "en-gb+m3")),
    "es": ("es-419", ("es-419+f3", "es+f4", "es-419+m3", "es+m3")),
}
NARRATORS = frozenset({"narrator", "narrador", "narradora"})  # cue speakers read by the narrator
BASE_WPM, MAX_WPM = 165, 400


def write_narration(cues: Sequence[Cue], duration: float, lang: str, dest: Path) -> None:
    """One mono WAV of `duration` seconds: each cue's speech, in the voices of language `lang`,
    placed at the cue's start and never running into the next."""
    narrator, speaker_voices = VOICES.get(lang.split("-")[0], (lang, (lang,)))
    voices: dict[str | None, str] = {None: narrator}
    for cue in cues:  # speakers in order of appearance, each with a voice of their own
        key = _speaker_key(cue.speaker)
        if key not in voices:
            voices[key] = speaker_voices[(len(voices) - 1) % len(speaker_voices)]
    rate, pcm = 0, bytearray()
    for n, cue in enumerate(cues):
        following = cues[n + 1].start if n + 1 < len(cues) else duration
        limit = max(0.2, min(following - cue.start - 0.05, cue.end - cue.start + 0.3))
        voice = voices[_speaker_key(cue.speaker)]
        cue_rate, speech = speak(cue.text, voice, BASE_WPM)
        seconds = len(speech) / 2 / cue_rate
        if seconds > limit:  # re-synthesize faster; trim whatever is still too long
            wpm = min(MAX_WPM, int(BASE_WPM * seconds / limit * 1.05) + 1)
            cue_rate, speech = speak(cue.text, voice, wpm)
        if not rate:
            rate = cue_rate
            pcm = bytearray(int(duration * rate) * 2)
        elif cue_rate != rate:
            raise NarrationError(voice, f"espeak-ng changed sample rate ({cue_rate} Hz, "
                                        f"not {rate} Hz)")
        speech = _fade_out(speech[: int(limit * rate) * 2])
        start = int(cue.start * rate) * 2
        pcm[start : start + len(speech)] = speech[: max(0, len(pcm) - start)]
    _write_wav(dest, rate, bytes(pcm))


def _speaker_key(speaker: str | None) -> str | None:
    return None if speaker is None or speaker.casefold() in NARRATORS else speaker


def speak(text: str, voice: str, wpm: int) -> tuple[int, bytes]:
    """espeak-ng's speech for `text` as (sample rate, 16-bit mono PCM), trailing silence cut."""
    result = subprocess.run(
        ["espeak-ng", "--stdout", "-b", "1", "-v", voice, "-s", str(wpm)],
        input=text.encode("utf-8"), capture_output=True,
    )
    if result.returncode != 0 or result.stdout[:4] != b"RIFF":
        message = result.stderr.decode("utf-8", "replace").strip() or "no audio"
        raise NarrationError("espeak-ng", f"cannot synthesize with voice {voice}: {message}")
    raw = result.stdout
    rate = int.from_bytes(raw[24:28], "little")
    at = raw.find(b"data", 12)  # the streamed header's sizes are placeholders; read to the end
    pcm = raw[at + 8 :] if at >= 0 else b""
    samples = memoryview(pcm[: len(pcm) // 2 * 2]).cast("h")
    end = len(samples)
    while end > 0 and abs(samples[end - 1]) < 64:
        end -= 1
    return rate, pcm[: end * 2]


def _fade_out(pcm: bytes, samples: int = 220) -> bytes:
    """A 10 ms fade at the end, so a trimmed cue does not click."""
    values = memoryview(bytearray(pcm)).cast("h")
    count = min(samples, len(values))
    for i in range(count):
        values[len(values) - count + i] = int(values[len(values) - count + i] * (count - i) / count)
    return values.tobytes()


def _write_wav(dest: Path, rate: int, pcm: bytes) -> None:
    with wave.open(str(dest), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm)
