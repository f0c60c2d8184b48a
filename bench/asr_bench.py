"""Speech recognition: tiny.en's speed and word error rate on every sample narration, the cost of
an ingest with --transcribe over the recognition alone, and whether hints help.

The sample library's media are rendered by the demo's renderer (espeak-ng reads each webcast's
captions; the machine-captioned item reads its script, narration.en.vtt) into bench/out/asr/.
The reference of each is the text it was rendered from.

- per item: the model's recognition of the rendered media (beam 5, int8, CPU), its real-time
  factor (recognition seconds / media seconds) and its word error rate;
- hints (--hints): the same with the webcast's speakers' names and topics' terms (the glossary's
  and the catalog's synonyms) as `initial_prompt`, then as `hotwords`;
- ingest (one item, --ingest-repeat runs, median): the whole `medialib ingest --transcribe`
  command in a subprocess against the same recognition in process (model loaded), and against
  `medialib ingest --captions` of the same recording.

Usage: .venv/bin/python bench/asr_bench.py [--hints] [--ingest-repeat 3]
Writes the figures to bench/RESULTS.md (section "Speech recognition").
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "out" / "asr"
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

from results import write_section  # noqa: E402

from medialib import demo  # noqa: E402
from medialib.asr.model import load_recognizer  # noqa: E402
from medialib.asr.wer import word_error_rate  # noqa: E402
from medialib.catalog import Catalog  # noqa: E402

MEDIALIB = Path(sys.executable).with_name("medialib")
INGEST_ITEM = "role-of-radiation-mbc"  # 3:53 of narration, the issue's own measurement


def render_samples() -> Catalog:
    """The sample library's catalog, captions and scripts copied to OUT, its media rendered."""
    OUT.mkdir(parents=True, exist_ok=True)
    shutil.copy2(REPO / "catalog.yaml", OUT / "catalog.yaml")
    for folder in (REPO / "media").iterdir():
        dest = OUT / "media" / folder.name
        dest.mkdir(parents=True, exist_ok=True)
        for vtt in folder.glob("*.vtt"):
            shutil.copy2(vtt, dest / vtt.name)
    catalog = Catalog.load(OUT / "catalog.yaml")
    # The machine item is not recognized here: its published captions are what is measured.
    demo.render_demo(OUT, catalog, progress=lambda m: print(" ", m), asr_model=str(OUT / "none"))
    return catalog


def reference(slug: str, catalog: Catalog) -> str:
    """The text the item was rendered from."""
    folder = OUT / "media" / slug
    script = folder / "narration.en.vtt"
    source = script if script.exists() else folder / catalog.webcasts[slug].captions[0].file
    return " ".join(cue.text for cue in demo.read_cues(source))


def hints(slug: str, catalog: Catalog) -> str:
    """The speakers' names and the topics' names and synonyms of a webcast, as one prompt."""
    w = catalog.webcasts[slug]
    terms = [catalog.speakers[s].name for s in w.speakers]
    for t in w.topics:
        terms += [catalog.topics[t].name, *catalog.topics[t].synonyms]
    return ", ".join(dict.fromkeys(terms))


def recognize_text(whisper: Any, media: Path, **extra: Any) -> tuple[str, float, float]:
    """(text, seconds, media seconds) of one recognition with the product's own options."""
    started = time.perf_counter()
    segments, info = whisper.transcribe(str(media), language="en", beam_size=5,
                                        word_timestamps=True, **extra)
    text = " ".join(s.text for s in segments)
    return text, time.perf_counter() - started, info.duration


def time_ingest(media: Path, extra: list[str]) -> float:
    root = OUT / "ingest-library"
    shutil.rmtree(root, ignore_errors=True)
    subprocess.run([str(MEDIALIB), "--library", str(root), "init"], check=True,
                   capture_output=True)
    started = time.perf_counter()
    subprocess.run([str(MEDIALIB), "--library", str(root), "ingest", str(media), "--title",
                    "Bench", *extra], check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hints", action="store_true", help="also measure prompts and hotwords")
    parser.add_argument("--ingest-repeat", type=int, default=3)
    args = parser.parse_args()
    catalog = render_samples()
    started = time.perf_counter()
    recognizer = load_recognizer(os.environ.get("MEDIALIB_ASR_MODEL", ""))
    load_seconds = time.perf_counter() - started
    rows, total_audio, total_seconds = [], 0.0, 0.0
    ref_words, errors = 0, 0.0
    for slug, webcast in catalog.webcasts.items():
        media = OUT / "media" / slug / webcast.media.file
        ref = reference(slug, catalog)
        text, seconds, duration = recognize_text(recognizer.whisper, media)
        rate = word_error_rate(ref, text)
        row = {"slug": slug, "duration": duration, "seconds": seconds, "wer": rate,
               "words": len(ref.split())}
        if args.hints and webcast.speakers + webcast.topics:
            prompt = hints(slug, catalog)
            row["prompt"] = word_error_rate(ref, recognize_text(
                recognizer.whisper, media, initial_prompt=prompt)[0])
            row["hotwords"] = word_error_rate(ref, recognize_text(
                recognizer.whisper, media, hotwords=prompt)[0])
        print(f"  {slug}: {row}", flush=True)
        rows.append(row)
        total_audio += duration
        total_seconds += seconds
        words = len(ref.split())
        ref_words += words
        errors += rate * words
    item = catalog.webcasts[INGEST_ITEM]
    media = OUT / "media" / INGEST_ITEM / item.media.file
    captions = OUT / "media" / INGEST_ITEM / item.captions[0].file
    alone, with_asr, without = [], [], []
    for _ in range(args.ingest_repeat):
        alone.append(recognize_text(recognizer.whisper, media)[1])
        with_asr.append(time_ingest(media, ["--transcribe"]))
        without.append(time_ingest(media, ["--captions", str(captions)]))
    write_section("Speech recognition", report(
        rows, recognizer.name, load_seconds, total_audio, total_seconds, errors / ref_words,
        statistics.median(alone), statistics.median(with_asr), statistics.median(without),
        item.media.duration or rows[0]["duration"], args.ingest_repeat),
        " ".join([".venv/bin/python", "bench/asr_bench.py", *sys.argv[1:]]))


def report(rows: list[dict[str, Any]], model: str, load: float, audio: float, seconds: float,
           overall: float, alone: float, with_asr: float, without: float, duration: float,
           repeat: int) -> str:
    load_avg = os.getloadavg()[0]
    hinted = any("prompt" in r for r in rows)
    head = "| webcast | length | recognition | real-time factor | word error rate |"
    rule = "| --- | --- | --- | --- | --- |"
    if hinted:
        head += " with names and terms as initial_prompt | as hotwords |"
        rule += " --- | --- |"
    lines = [
        f"Model {model} (CTranslate2 int8, CPU, beam 5, word timestamps), loaded in "
        f"{load:.1f} s; {os.cpu_count()} cores, load average {load_avg:.1f} when it started "
        "(a shared machine: other work slows every figure). Each sample narration is rendered "
        "by the demo's renderer (espeak-ng voices) and compared with the text it was rendered "
        "from; the word error rate counts substitutions, deletions and insertions of lowercase "
        "words without punctuation.",
        "",
        head,
        rule,
    ]
    for r in rows:
        line = (f"| `{r['slug']}` | {r['duration']:.0f} s | {r['seconds']:.1f} s | "
                f"{r['seconds'] / r['duration']:.3f} | {r['wer']:.1%} |")
        if hinted:
            line += (f" {r['prompt']:.1%} | {r['hotwords']:.1%} |" if "prompt" in r
                     else " — | — |")
        lines.append(line)
    lines.append(f"| **all** | {audio:.0f} s | {seconds:.1f} s | **{seconds / audio:.3f}** | "
                 f"**{overall:.1%}** (by words) |" + (" | |" if hinted else ""))
    if hinted:
        with_hints = [r for r in rows if "prompt" in r]
        words = sum(r["words"] for r in with_hints)

        def pooled(key: str) -> float:
            return sum(r[key] * r["words"] for r in with_hints) / words

        lines += ["", f"Hints, over the {len(with_hints)} webcasts with speakers or topics "
                  f"({words} words): no hints **{pooled('wer'):.1%}**, the speakers' names and "
                  f"the topics' names and synonyms as `initial_prompt` **{pooled('prompt'):.1%}**,"
                  f" as `hotwords` **{pooled('hotwords'):.1%}**."]
    lines += [
        "",
        f"Ingest of `{INGEST_ITEM}` ({duration:.0f} s, median of {repeat}): "
        f"`medialib ingest --transcribe` {with_asr:.1f} s; the recognition alone in process, "
        f"model loaded, {alone:.1f} s; `medialib ingest --captions` of the same recording "
        f"{without:.1f} s. The ingest adds **{with_asr - alone:.1f} s** to the recognition "
        f"(start-up, model load, probe, remux, poster, cues, transcript, catalog, database, "
        f"index, commit), {(with_asr - alone) / alone:.0%} of it; recognition adds "
        f"{with_asr - without:.1f} s to an ingest with a caption file.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
