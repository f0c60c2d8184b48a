"""medialib's caption reader (medialib/captions.py) beside webvtt-py, the library the product owner
chose for captions: what each makes of faulty files, of the encodings staff send, and how fast.

Every case is a small caption file written to a temporary folder and read from disk by both:
`captions.load_captions(path)` and `webvtt.read(path)` (`webvtt.from_srt` for SRT). A reader
"names the line" when its error message holds the line at fault; it "keeps" a file when it
returns cues, and then the cues are compared with what the file says. Speed: a one-hour file of
900 cues with voice spans, read 20 times by each; the median.

Usage: .venv/bin/python bench/captions_bench.py [--rounds 20]   (needs `pip install -e '.[bench]'`)
Writes the figures to bench/RESULTS.md (section "Captions").
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from results import write_section  # noqa: E402

from medialib.captions import CaptionError, format_timestamp, load_captions  # noqa: E402

try:
    import webvtt
except ImportError:  # pragma: no cover - a hint, not a result
    raise SystemExit("webvtt-py is missing: .venv/bin/pip install -e '.[bench]'") from None

CUE = "00:00:01.000 --> 00:00:02.000\n"
TEXT = "Café, naïve señora: “quotes”.\n"
# (name, bytes, the line at fault, or None for a good file and the text its cue says)
FAULTY = [
    ("bad timestamp in the 2nd cue", f"WEBVTT\n\n{CUE}fine\n\n00:00:03.000 --> 00:00:0x.000\n"
     "lost\n".encode(), 6),
    ("minutes over 59", b"WEBVTT\n\n00:61:00.000 --> 00:62:00.000\nlate\n", 3),
    ("end before start", b"WEBVTT\n\n00:00:05.000 --> 00:00:01.000\nbackwards\n", 3),
    ("not a caption file (meeting notes)", b"Notes from the meeting\nnext steps\n", 1),
    ("no header, a timing line first (captions.py reads it as SRT without cue numbers, on "
     "purpose)", f"{CUE}hello\n".encode(), None),
    ("text with no timing line", f"WEBVTT\n\n{CUE}one\n\njust words\n".encode(), 6),
    ("a NUL byte on line 4", f"WEBVTT\n\n{CUE}nul\x00here\n".encode(), 4),
    ("header only, no cues", b"WEBVTT\n", 1),
]
ENCODINGS = [
    ("UTF-8", "utf-8", "\n"), ("UTF-8 with BOM", "utf-8-sig", "\n"),
    ("UTF-16 with BOM", "utf-16", "\n"), ("UTF-32 with BOM", "utf-32", "\n"),
    ("Windows-1252", "cp1252", "\n"), ("UTF-8, CRLF lines", "utf-8", "\r\n"),
    ("UTF-8, CR lines", "utf-8", "\r"),
]


def read_ours(path: Path) -> list[tuple[float, float, str, str | None]]:
    return [(c.start, c.end, c.text, c.speaker) for c in load_captions(path)]


def read_webvtt(path: Path) -> list[tuple[float, float, str, str | None]]:
    parsed = webvtt.from_srt(str(path)) if path.suffix == ".srt" else webvtt.read(str(path))
    return [(c.start_in_seconds, c.end_in_seconds, c.text, c.voice) for c in parsed.captions]


def outcome(read: Callable[[Path], Any], path: Path, line: int | None) -> str:
    """What a reader made of a faulty file, in a few words."""
    try:
        cues = read(path)
    except CaptionError as exc:
        return f"error, names line {exc.line}" if exc.line == line else f"error: {exc}"
    except Exception as exc:  # webvtt-py's several error types
        said = str(exc).replace("\n", " ")[:60]
        named = line is not None and f"line {line}" in said.lower()
        return f"{type(exc).__name__}{', names the line' if named else ', no line'}: {said}"
    if line is None:
        return f"reads it, {len(cues)} cue(s)"
    return f"**accepted silently**, {len(cues)} cue(s)"


def hour_file(folder: Path) -> Path:
    lines = ["WEBVTT", ""]
    for i in range(900):
        who = ("Ann Lee", "Bob Ray")[i % 2]
        lines += [f"{format_timestamp(i * 4)} --> {format_timestamp(i * 4 + 3.5)}",
                  f"<v {who}>Sentence number {i} about radiation &amp; fatigue care.</v>", ""]
    path = folder / "hour.vtt"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def median_seconds(read: Callable[[Path], Any], path: Path, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        read(path)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    rows = ["| faulty file | medialib.captions | webvtt-py |", "| --- | --- | --- |"]
    encodings = ["| encoding | medialib.captions | webvtt-py |", "| --- | --- | --- |"]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for n, (name, data, line) in enumerate(FAULTY):
            path = folder / f"faulty{n}.vtt"
            path.write_bytes(data)
            rows.append(f"| {name} | {outcome(read_ours, path, line)} | "
                        f"{outcome(read_webvtt, path, line)} |")
        expected = TEXT.strip()
        for n, (name, codec, newline) in enumerate(ENCODINGS):
            path = folder / f"enc{n}.vtt"
            path.write_bytes(f"WEBVTT\n\n{CUE}{TEXT}".replace("\n", newline).encode(codec))
            cells = []
            for read in (read_ours, read_webvtt):
                try:
                    cues = read(path)
                    ok = [c[2] for c in cues] == [expected]
                    cells.append("reads it" if ok else f"**wrong text** {cues!r:.50}")
                except Exception as exc:
                    cells.append(f"**{type(exc).__name__}**")
            encodings.append(f"| {name} | {cells[0]} | {cells[1]} |")
        voice = folder / "voice.vtt"
        voice.write_text("WEBVTT\n\n00:00:01.250 --> 00:00:02.500\n<v Ann Lee>Salt &amp; "
                         "pepper</v>\n", encoding="utf-8")
        ours, theirs = read_ours(voice)[0], read_webvtt(voice)[0]
        hour = hour_file(folder)
        fast = median_seconds(read_ours, hour, args.rounds)
        slow = median_seconds(read_webvtt, hour, args.rounds)
    body = "\n".join([
        "Why medialib reads captions with its own `medialib/captions.py` rather than webvtt-py "
        f"{webvtt.__version__ if hasattr(webvtt, '__version__') else ''} (the library the demo "
        "used until it, too, read through captions.py). Each file read from disk by both.",
        "", *rows, "", *encodings, "",
        "| one cue `<v Ann Lee>Salt &amp; pepper</v>` at 1.250 --> 2.500 | result |",
        "| --- | --- |",
        f"| medialib.captions | {ours!r} |",
        f"| webvtt-py (start/end_in_seconds, text, voice) | {theirs!r} |",
        "",
        f"Speed, a one-hour file (900 cues with voice spans), median of {args.rounds}: "
        f"medialib.captions {fast * 1000:.1f} ms ({900 / fast:,.0f} cues/s), "
        f"webvtt-py {slow * 1000:.1f} ms ({900 / slow:,.0f} cues/s).",
    ])
    write_section("Captions", body, ".venv/bin/pip install -e '.[bench]' && "
                  f".venv/bin/python bench/captions_bench.py --rounds {args.rounds}")
    print(body)


if __name__ == "__main__":
    main()
